package org.vfmtok.llama;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.vfmtok.tensor.NativeMemory;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.HeapMeter;

/**
 * Decoding allocates nothing: no tensor memory (everything lives in the decoder's preallocated buffers) and no
 * Java heap, on this thread or on the workers that run the parallel parts ({@link HeapMeter}). Measured on g16
 * (grid 16: a prefill and 255 steps, a 264-slot cache) with a CFG-sized batch of 4 rows, then 2, for both cache
 * dtypes, and for whole generations with top-k, top-p and a progress listener.
 *
 * <p>Heap bytes are counted run after run until C2 has compiled the Vector API code (interpreted or compiled by
 * C1, every vector is an object); the last run must allocate nothing. A per-token allocation in the code shows
 * in every run, so this cannot pass by chance.
 */
class DecoderMemoryTest {
    /**
     * Runs until one allocates nothing. A model this small takes many: its loops are a few vectors long, so
     * the JIT reaches C2 (which keeps vectors in registers) late; until then C1's code allocates every vector.
     */
    private static final int MAX_RUNS = 100;

    @ParameterizedTest
    @EnumSource(KVCacheDType.class)
    void decodeStepsAllocateNothing(KVCacheDType dtype) {
        Assumptions.assumeTrue(dtype == KVCacheDType.F32 || org.vfmtok.tensor.backend.Backends.cpu().attention().cachedFastPath(org.vfmtok.tensor.DType.BF16), "64-bit float vectors: no BF16 cache");
        try (Scope weights = Scope.open()) {
            assertDecodeAllocatesNothing(Fixture.small("g16").load(), dtype);
        }
    }

    /** The same with BF16 weight matrices (the row kernel's widening path), with a BF16 cache where there is one. */
    @Test
    void decodeStepsWithBf16WeightsAllocateNothing() {
        boolean bf16Cache = org.vfmtok.tensor.backend.Backends.cpu().attention().cachedFastPath(org.vfmtok.tensor.DType.BF16);
        try (Scope weights = Scope.open()) {
            GPT g = Fixture.small("g16").load().withWeights(org.vfmtok.nn.WeightStorage.BF16);
            assertDecodeAllocatesNothing(g, bf16Cache ? KVCacheDType.BF16 : KVCacheDType.F32);
        }
    }

    private static void assertDecodeAllocatesNothing(GPT g, KVCacheDType dtype) {
        {
            int rows = 4;
            try (KVDecoder d = new KVDecoder(g, rows, dtype)) {
                assertEquals(2L * g.config.nLayer() * rows * g.config.nHead() * 264 * g.config.headDim() * dtype.byteSize(), d.cacheBytes());
                assertEquals(g.config.kvCacheBytes(rows, dtype), d.cacheBytes());
                int[] tokens = {1, 2, 3, 4};
                int[] labels = {0, 1, 10, 10};
                long live = NativeMemory.liveBytes();
                long owned = d.allocatedBytes();
                long[] heap = heapPerRun(() -> decodeAll(d, labels, tokens), "a prefill and 255 decode steps");
                int runs = heap.length;
                assertEquals(live, NativeMemory.liveBytes(), "native bytes live before and after the decode runs");
                assertEquals(owned, d.allocatedBytes());
                System.out.printf("decode (%s weights, %s cache, %d layers): 0 tensor bytes; Java heap bytes per prefill + 255 steps, all threads, run by run: %s; decoder owns %d bytes (cache %d)%n",
                        g.weightStorage().label(), dtype.label(), g.config.nLayer(), Arrays.toString(heap), owned, d.cacheBytes());
                assertEquals(0, heap[runs - 1], "Java heap bytes allocated by a prefill and 255 decode steps, run by run " + Arrays.toString(heap));
            }
        }
    }

    /**
     * Java heap bytes (all threads) of {@code run}, run after run until one allocates nothing or {@link #MAX_RUNS}
     * have run; each run must also leave no tensor memory behind.
     */
    private static long[] heapPerRun(Runnable run, String what) {
        long[] heap = new long[MAX_RUNS];
        int runs = 0;
        while (runs < MAX_RUNS && (runs < 2 || heap[runs - 1] != 0)) {
            try (Scope s = Scope.open()) {
                HeapMeter meter = HeapMeter.start();
                run.run();
                heap[runs++] = meter.stop();
                assertEquals(0, s.liveBytes(), "tensor memory allocated by " + what);
            }
        }
        return Arrays.copyOf(heap, runs);
    }

    /**
     * Continuous batching's step ({@link KVDecoder#stepRows}) allocates nothing either once the row layouts it meets
     * have been seen: two sequences run from position 0, two more join ten steps later (so each call has two runs
     * of rows at different positions) and the first two leave when they are done.
     */
    @Test
    void stepRowsAllocatesNothing() {
        try (Scope weights = Scope.open()) {
            GPT g = Fixture.small("g16").load();
            int tokens = 256;   // g16: position 0 (the class) and 255 image tokens, as decodeAll runs
            try (KVDecoder d = new KVDecoder(g, 4)) {
                long live = NativeMemory.liveBytes();
                long[] heap = heapPerRun(() -> joinAndLeave(d, tokens), "stepRows");
                int runs = heap.length;
                assertEquals(live, NativeMemory.liveBytes(), "native bytes live before and after the stepRows runs");
                System.out.printf("stepRows (join at step 10, leave when done): Java heap bytes per run, all threads, run by run: %s%n", Arrays.toString(heap));
                assertEquals(0, heap[runs - 1], "Java heap bytes allocated by continuous-batching steps, run by run " + Arrays.toString(heap));
            }
        }
    }

    private static final int[] SLOTS = new int[4], POSITIONS = new int[4], IDS = new int[4];

    /** Slots 0, 1 from step 0, slots 2, 3 from step 10; each sequence runs positions 0 .. tokens − 1. */
    private static void joinAndLeave(KVDecoder d, int tokens) {
        for (int t = 0; t < tokens + 10; t++) {
            int m = 0;
            for (int slot = 0; slot < 4; slot++) {
                int p = slot < 2 ? t : t - 10;
                if (p < 0 || p >= tokens) continue;
                SLOTS[m] = slot;
                POSITIONS[m] = p;
                IDS[m] = p == 0 ? slot : (p * 7 + slot) % 128;
                m++;
            }
            d.stepRows(m, SLOTS, POSITIONS, IDS);
        }
    }

    /** A prefill and 255 steps; the unconditional half is dropped half way, as CFG's interval does. */
    private static void decodeAll(KVDecoder d, int[] labels, int[] tokens) {
        d.reset();
        d.prefill(labels);
        for (int t = 1; t < 256; t++) {
            tokens[0] = t % 128;
            d.step(tokens, t < 128 ? labels.length : labels.length / 2);
        }
    }

    /**
     * A whole generation allocates per call (the sampler, the code arrays), never per token: once compiled,
     * 256 tokens cost exactly what 128 do plus the longer code rows. Top-k selects and top-p heap-sorts in place; the progress
     * listener gets the generator's own token array.
     */
    @Test
    void generationAllocatesNothingPerToken() {
        try (Scope weights = Scope.open(); Generator gen = new Generator(Fixture.small("g16").load())) {
            int[] classes = {3, 7};
            GenerationOptions options = new GenerationOptions(2.0, 100, new SamplingOptions(1.0, 40, 0.9, true), 0, KVCacheDType.F32);
            int[] stepsSeen = new int[1];
            Generator.StepListener progress = Generator.progress(s -> stepsSeen[0] = s);
            long longerRows = classes.length * 128L * Integer.BYTES;
            long growth = -1, best128 = 0, best256 = 0;
            for (int run = 0; run < MAX_RUNS && growth != longerRows; run++) {
                HeapMeter meter = HeapMeter.start();
                gen.generate(classes, options, (s, r) -> 0.5, progress, 128);
                best128 = meter.stop();
                meter = HeapMeter.start();
                gen.generate(classes, options, (s, r) -> 0.5, progress, 256);
                best256 = meter.stop();
                growth = best256 - best128;
            }
            assertEquals(256, stepsSeen[0]);
            System.out.printf("generation of 2 images with cfg, top-k 40, top-p 0.9: %d heap bytes for 128 tokens, %d for 256 (longer code rows: %d)%n",
                    best128, best256, longerRows);
            assertEquals(longerRows, growth, "heap bytes per generation from 128 to 256 tokens: more than the longer code rows");
        }
    }
}
