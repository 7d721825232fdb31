package org.vfmtok.llama;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.vfmtok.tensor.NativeMemory;
import org.vfmtok.tensor.Scope;

/**
 * Decode steps allocate no tensor memory: everything lives in the decoder's preallocated buffers. Measured on
 * g16 (grid 16: a prefill and 255 steps, a 264-slot cache) with a CFG-sized batch of 4 rows, then 2, for both cache
 * dtypes (BF16 adds the rounding copy of k into the cache; it allocates no tensor memory either).
 */
class DecoderMemoryTest {
    @ParameterizedTest
    @EnumSource(KVCacheDType.class)
    void decodeStepsAllocateNoTensorMemory(KVCacheDType dtype) {
        Assumptions.assumeTrue(dtype == KVCacheDType.F32 || DecodeAttention.supportsBf16(), "64-bit float vectors: no BF16 cache");
        try (Scope weights = Scope.open()) {
            GPT g = Fixture.small("g16").load();
            int rows = 4;
            try (KVDecoder d = new KVDecoder(g, rows, dtype)) {
                assertEquals(2L * g.config.nLayer() * rows * g.config.nHead() * 264 * g.config.headDim() * dtype.byteSize(), d.cacheBytes());
                assertEquals(g.config.kvCacheBytes(rows, dtype), d.cacheBytes());
                int[] tokens = {1, 2, 3, 4};
                for (int round = 0; round < 6; round++) {      // warm-up: let the JIT compile the Vector API code
                    d.reset();
                    d.prefill(new int[] {0, 1, 10, 10});
                    for (int t = 1; t < 256; t++) d.step(tokens, rows);
                }
                d.reset();
                long live = NativeMemory.liveBytes();
                long owned = d.allocatedBytes();
                var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
                long heap0 = mx.getCurrentThreadAllocatedBytes();
                try (Scope s = Scope.open()) {
                    d.prefill(new int[] {0, 1, 10, 10});
                    for (int t = 1; t < 256; t++) {
                        tokens[0] = t % 128;
                        d.step(tokens, t < 128 ? rows : 2);   // then with the uncond half dropped
                    }
                    assertEquals(0, s.liveBytes(), "tensor memory allocated by a prefill and 255 decode steps");
                }
                long heapPerStep = (mx.getCurrentThreadAllocatedBytes() - heap0) / 256;
                assertEquals(live, NativeMemory.liveBytes(), "native bytes live before and after 256 steps");
                assertEquals(owned, d.allocatedBytes());
                System.out.printf("decode step (%s cache): 0 tensor bytes allocated, decoder owns %d bytes (cache %d); %d Java heap bytes/step on the caller "
                        + "(views and fork-join tasks of %d layers)%n", dtype.label(), owned, d.cacheBytes(), heapPerStep, g.config.nLayer());
                // Tensor memory per step is zero (asserted above). Java heap garbage is small objects: views and
                // fork-join tasks, ~20 KB/step with either cache in the full suite. It was 158 KB, and 0.4-1.2 MB once
                // the BF16 tests had run first, from vectors boxed where C2 stopped inlining: see RowLinear and
                // DecodeAttention. The bound keeps a >10x margin for JIT states and catches that boxing coming back.
                assertTrue(heapPerStep < 256 * 1024, "Java heap garbage per step " + heapPerStep);
            }
        }
    }
}
