package org.vfmtok.tensor.ops;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.Backends;
import org.vfmtok.tensor.backend.ResampleKernels.Mode;
import org.vfmtok.tensor.cpu.Parallel;

/**
 * Timings of the model-shaped resampling calls, fast backend (1 thread, all threads) against the scalar
 * oracle. Prints only; run with {@code -Dtest=ResampleBenchTest -Dvfm.excludedGroups=}.
 */
@Tag("heavy")
class ResampleBenchTest {
    @Test
    void modelShapes() {
        SplittableRandom rng = new SplittableRandom(1);
        Tensor dino = Init.randn(rng, DType.F32, 1, 1024, 37, 37);
        Tensor dec = Init.randn(rng, DType.F32, 1, 512, 24, 24);
        Tensor feat = Init.randn(rng, DType.F32, 1, 256, 84, 84);
        Tensor img = Init.randn(rng, DType.F32, 4, 3, 336, 336);
        Tensor value = Init.randn(rng, DType.F32, 16, 32, 48, 48);
        Tensor grid = Init.uniform(Tensor.empty(DType.F32, 16, 1024, 8, 2), rng, -1, 1);
        Tensor gDec = Init.randn(rng, DType.F32, 1, 512, 21, 21);
        Tensor gGrid = Init.randn(rng, DType.F32, 16, 32, 1024, 8);
        bench("dino pos 1024x37x37 -> 24x24 bicubic AA", () -> Resample.interpolate(dino, new double[] {24.0 / 37, 24.0 / 37}, Mode.BICUBIC, false, true));
        bench("decoder pos 512x24x24 sf 21.1/24 bicubic", () -> Resample.interpolate(dec, new double[] {21.1 / 24, 21.1 / 24}, Mode.BICUBIC, false, false));
        bench("decoder pos backward", () -> {
            Tensor x = dec.detach().requiresGrad(true);
            Resample.interpolate(x, new double[] {21.1 / 24, 21.1 / 24}, Mode.BICUBIC, false, false).backward(gDec);
            return x.grad();
        });
        bench("nearest x2 256x84x84", () -> Resample.upsampleNearest(feat, 2.0));
        bench("bicubic 4x3x336 -> 256", () -> Resample.interpolate(img, new int[] {256, 256}, Mode.BICUBIC, false, false));
        bench("bicubic AA 4x3x336 -> 224", () -> Resample.interpolate(img, new int[] {224, 224}, Mode.BICUBIC, false, true));
        bench("grid sample 16x32x48x48, 16x1024x8 pts", () -> Resample.gridSample(value, grid, false));
        bench("grid sample backward (x and grid)", () -> {
            Tensor x = value.detach().requiresGrad(true), g = grid.detach().requiresGrad(true);
            Resample.gridSample(x, g, false).backward(gGrid);
            return g.grad();
        });
    }

    private static void bench(String what, Supplier<Tensor> op) {
        int all = Parallel.threads();
        Parallel.setThreads(1);
        double one = time(op, 10);
        Parallel.setThreads(all);
        double many = time(op, 10);
        double oracle = Backends.using(Backends.scalar(), () -> time(op, 1));
        System.out.printf("%-45s fast 1 thread %8.2f ms, %d threads %8.2f ms, oracle %9.1f ms (min of runs)%n", what, one, all, many, oracle);
    }

    private static double time(Supplier<Tensor> op, int reps) {
        for (int i = 0; i < Math.min(reps, 3); i++) try (Scope s = Scope.open()) { op.get(); }
        double[] t = new double[reps];
        for (int i = 0; i < reps; i++) {
            try (Scope s = Scope.open()) {
                long t0 = System.nanoTime();
                op.get();
                t[i] = (System.nanoTime() - t0) / 1e6;
            }
        }
        Arrays.sort(t);
        return t[0]; // the minimum: the shared build machine is noisy
    }
}
