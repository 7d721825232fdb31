package org.vfmtok.tensor.ops;

import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.Backends;
import org.vfmtok.tensor.backend.ResampleKernels;
import org.vfmtok.tensor.backend.ResampleKernels.Mode;
import org.vfmtok.tensor.cpu.Parallel;

/**
 * Kernel timings for the model-shaped resampling calls into preallocated outputs (so that page faults of
 * fresh output memory are not measured), fast backend with 1 thread and all threads against the scalar
 * oracle; minimum of the runs since the shared build machine is noisy. Prints only; run with
 * {@code -Dtest=ResampleBenchTest -Dvfm.excludedGroups=}.
 */
@Tag("heavy")
class ResampleBenchTest {
    private static final double[] DINO = {24.0 / 37, 24.0 / 37};
    private static final double[] DEC = {21.1 / 24, 21.1 / 24};

    @Test
    void modelShapes() {
        SplittableRandom rng = new SplittableRandom(1);
        Tensor dino = Init.randn(rng, DType.F32, 1, 1024, 37, 37), dinoOut = Tensor.empty(DType.F32, 1, 1024, 24, 24);
        Tensor dec = Init.randn(rng, DType.F32, 1, 512, 24, 24), decOut = Tensor.empty(DType.F32, 1, 512, 21, 21);
        Tensor feat = Init.randn(rng, DType.F32, 1, 256, 84, 84), featOut = Tensor.empty(DType.F32, 1, 256, 168, 168);
        Tensor img = Init.randn(rng, DType.F32, 4, 3, 336, 336), imgOut = Tensor.empty(DType.F32, 4, 3, 256, 256);
        Tensor value = Init.randn(rng, DType.F32, 16, 32, 48, 48), gv = Tensor.empty(DType.F32, 16, 32, 48, 48);
        Tensor grid = Init.uniform(Tensor.empty(DType.F32, 16, 1024, 8, 2), rng, -1, 1), gg = Tensor.empty(DType.F32, 16, 1024, 8, 2);
        Tensor sampled = Tensor.empty(DType.F32, 16, 32, 1024, 8), gSampled = Init.randn(rng, DType.F32, 16, 32, 1024, 8);
        bench("dino pos 1024x37x37 -> 24x24 bicubic AA (sf)", k -> k.interpolate(dino, dinoOut, Mode.BICUBIC, false, DINO, true));
        bench("  its backward", k -> k.interpolateBackward(dinoOut, dino, Mode.BICUBIC, false, DINO, true));
        bench("decoder pos 512x24x24 sf 21.1/24 bicubic", k -> k.interpolate(dec, decOut, Mode.BICUBIC, false, DEC, false));
        bench("  its backward", k -> k.interpolateBackward(decOut, dec, Mode.BICUBIC, false, DEC, false));
        bench("nearest x2 256x84x84 -> 168x168", k -> k.interpolate(feat, featOut, Mode.NEAREST, false, new double[] {2, 2}, false));
        bench("bicubic 4x3x336x336 -> 256x256", k -> k.interpolate(img, imgOut, Mode.BICUBIC, false, null, false));
        bench("grid sample 16x32x48x48 at 16x1024x8 pts", k -> k.gridSample(value, grid, false, sampled));
        bench("  its backward (x and grid)", k -> k.gridSampleBackward(gSampled, value, grid, false, gv, gg));
    }

    private static void bench(String what, Consumer<ResampleKernels> op) {
        int all = Parallel.threads();
        Parallel.setThreads(1);
        double one = time(Backends.cpu().resample(), op, 20);
        Parallel.setThreads(all);
        double many = time(Backends.cpu().resample(), op, 20);
        double oracle = time(Backends.scalar().resample(), op, 2);
        System.out.printf("%-45s fast 1 thread %8.2f ms, %d threads %8.2f ms, oracle %9.1f ms%n", what, one, all, many, oracle);
    }

    private static double time(ResampleKernels k, Consumer<ResampleKernels> op, int reps) {
        for (int i = 0; i < Math.min(reps, 3); i++) op.accept(k);
        double best = Double.MAX_VALUE;
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            op.accept(k);
            best = Math.min(best, (System.nanoTime() - t0) / 1e6);
        }
        return best;
    }
}
