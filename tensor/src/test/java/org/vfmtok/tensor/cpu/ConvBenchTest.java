package org.vfmtok.tensor.cpu;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.Backends;
import org.vfmtok.tensor.backend.ConvKernels.ConvSpec;
import org.vfmtok.tensor.backend.ConvKernels.Geometry;

/**
 * Timing of the VQGAN decoder's 3×3 convolutions (batch 1), split into the whole forward and its im2col
 * packing alone (the conv-specific part; the rest is the backend GEMM). Run with
 * {@code -Dvfm.groups=heavy -Dtest=ConvBenchTest}; prints to the test's output file.
 */
@Tag("heavy")
class ConvBenchTest {
    @Test
    void decoder3x3() {
        bench(512, 21, Integer.getInteger("bench.reps512", 2));
        bench(128, 168, Integer.getInteger("bench.reps128", 1));
    }

    private static void bench(int c, int hw, int reps) {
        try (Scope s = Scope.open()) {
            SplittableRandom r = new SplittableRandom(1);
            Tensor x = Init.randn(r, DType.F32, 1, c, hw, hw);
            Tensor w = Init.randn(r, DType.F32, c, c, 3, 3);
            Tensor b = Init.randn(r, DType.F32, c);
            ConvSpec spec = new ConvSpec(new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1);
            Tensor out = Tensor.empty(DType.F32, 1, c, hw, hw);
            var conv = Backends.cpu().conv();
            Geometry g = Geometry.of(x.shape(), w.shape(), spec);
            Tensor col = Tensor.empty(DType.F32, (long) g.kdim() * g.outPlane() > Integer.MAX_VALUE ? 1 : g.kdim() * g.outPlane());
            double flops = 2.0 * c * g.kdim() * g.outPlane();
            for (int i = 0; i < reps + 1; i++) { // first run warms up
                long t0 = System.nanoTime();
                conv.conv(x, w, b, spec, out);
                long t1 = System.nanoTime();
                for (int k = 0; k < 5; k++) {
                    Parallel.forRange(g.kdim(), 1, (r0, r1) -> ConvPacking.transfer(false, g, x.segment(), 0, col.segment(), 0, 0, g.outPlane(), r0, r1));
                }
                long t2 = System.nanoTime();
                System.out.printf("conv3x3 %d->%d at %dx%d (%s): forward %.1f ms (%.2f GFLOP/s), im2col alone %.2f ms%s%n",
                        c, c, hw, hw, Backends.cpu().name(), (t1 - t0) / 1e6, flops / (t1 - t0), (t2 - t1) / 5e6, i == 0 ? " [warm-up]" : "");
            }
        }
    }
}
