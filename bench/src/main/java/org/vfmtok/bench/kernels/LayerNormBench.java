package org.vfmtok.bench.kernels;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;
import org.vfmtok.tensor.backend.Backends;
import org.vfmtok.tensor.cpu.Parallel;
import org.vfmtok.tensor.ops.Norms;

/**
 * LayerNorm forward (F32, affine, eps 1e-6): our CPU kernel (one thread and all threads) and op
 * against a naive single-threaded scalar Java loop over float[]. Prints the median of
 * {@code System.nanoTime} timings in ms and the speed-up over the naive loop, and the largest
 * difference between the two outputs so that a wrong fast path cannot look good.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp tensor/target/classes:bench/target/classes
 * org.vfmtok.bench.kernels.LayerNormBench [rows x cols ...] [-reps N]}; default shapes 4096x1024 and
 * 576x1024 (a DINOv2/VFMTok token matrix).
 */
public final class LayerNormBench {
    private LayerNormBench() {}

    public static void main(String[] args) {
        int reps = 15;
        java.util.List<int[]> shapes = new java.util.ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("-reps")) reps = Integer.parseInt(args[++i]);
            else {
                String[] p = args[i].split("x");
                shapes.add(new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])});
            }
        }
        if (shapes.isEmpty()) shapes = java.util.List.of(new int[] {4096, 1024}, new int[] {576, 1024});
        System.out.println("backend " + Backends.cpu().name() + ", median of " + reps + " runs");
        System.out.println("kernel = NormKernels.layerNorm into preallocated outputs (like the naive loop); op = Norms.layerNorm incl. allocating them");
        System.out.printf("%-10s %9s %10s %10s %9s %9s %9s %10s%n", "shape", "naive ms", "kern-1t ms", "kernel ms", "op ms",
                "ratio-1t", "ratio", "max|diff|");
        for (int[] s : shapes) run(s[0], s[1], reps);
    }

    private static void run(int rows, int cols, int reps) {
        var rng = new SplittableRandom(42);
        Tensor x = Init.randn(rng, DType.F32, rows, cols).mul(2.0).add(0.5);
        Tensor w = Init.randn(rng, DType.F32, cols), b = Init.randn(rng, DType.F32, cols);
        float[] xa = x.toFloatArray(), wa = w.toFloatArray(), ba = b.toFloatArray(), out = new float[xa.length];
        double eps = 1e-6;

        double naive = median(reps, () -> naiveLayerNorm(xa, wa, ba, out, rows, cols, eps));
        Tensor y = Tensor.emptyLike(x), mean = Tensor.empty(DType.F32, rows), rstd = Tensor.empty(DType.F32, rows);
        var kernels = Backends.cpu().norm();
        int all = Parallel.threads();
        Parallel.setThreads(1);
        double one = median(reps, () -> kernels.layerNorm(x, w, b, eps, y, mean, rstd));
        Parallel.setThreads(all);
        double many = median(reps, () -> kernels.layerNorm(x, w, b, eps, y, mean, rstd));
        double op = median(reps, () -> ours(x, w, b, eps));

        float[] mine;
        try (Scope s = Scope.open("check"); Grad.Mode ng = Grad.noGrad()) {
            mine = Norms.layerNorm(x, w, b, eps).toFloatArray();
        }
        double diff = 0;
        for (int i = 0; i < mine.length; i++) diff = Math.max(diff, Math.abs(mine[i] - out[i]));
        System.out.printf("%-10s %9.3f %10.3f %10.3f %9.3f %8.1fx %8.1fx %10.2e%n", rows + "x" + cols, naive, one, many, op,
                naive / one, naive / many, diff);
    }

    private static void ours(Tensor x, Tensor w, Tensor b, double eps) {
        try (Scope s = Scope.open("bench"); Grad.Mode ng = Grad.noGrad()) {
            Norms.layerNorm(x, w, b, eps);
        }
    }

    /** The textbook loop: per row mean, biased variance, then normalise and scale. */
    static void naiveLayerNorm(float[] x, float[] w, float[] b, float[] out, int rows, int cols, double eps) {
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            double mean = 0;
            for (int c = 0; c < cols; c++) mean += x[base + c];
            mean /= cols;
            double var = 0;
            for (int c = 0; c < cols; c++) {
                double d = x[base + c] - mean;
                var += d * d;
            }
            float rstd = (float) (1.0 / Math.sqrt(var / cols + eps));
            float mu = (float) mean;
            for (int c = 0; c < cols; c++) out[base + c] = (x[base + c] - mu) * rstd * w[c] + b[c];
        }
    }

    /** Median wall time in ms after as many untimed warm-up runs. */
    private static double median(int reps, Runnable body) {
        for (int i = 0; i < reps; i++) body.run();
        double[] t = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            body.run();
            t[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(t);
        return t[reps / 2];
    }
}
