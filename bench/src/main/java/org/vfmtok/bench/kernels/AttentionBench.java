package org.vfmtok.bench.kernels;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.AttentionKernels;
import org.vfmtok.tensor.backend.Backends;
import org.vfmtok.tensor.cpu.Parallel;

/**
 * Scaled dot-product attention: our tiled CPU kernel against a naive Java loop that materialises the
 * whole Lq x Lk score matrix per head (single threaded, float). Median wall time of
 * {@code System.nanoTime} over repetitions, after warm-up. Single-threaded runs also report the
 * median CPU time of the running thread, which stays meaningful on a loaded, shared machine where
 * wall time does not. Columns: naive (ms wall, ms CPU), ours on one thread (ms wall, ms CPU), ours
 * on all threads (ms wall), our backward on all threads (ms wall, gq+gk+gv from the saved lse),
 * naive/ours wall ratio (all threads), naive/ours CPU ratio (one thread each), max |ours − naive|.
 * Our timings call the CPU kernels directly on preallocated outputs, as the naive loop writes into a
 * preallocated array.
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp ... org.vfmtok.bench.kernels.AttentionBench [reps]
 * </pre>
 */
public final class AttentionBench {
    record Shape(String name, int b, int h, int lq, int lk, int d, boolean causal) {}

    private static final Shape[] SHAPES = {
        new Shape("DINOv2-L @336 (self-attn)", 1, 16, 581, 581, 64, false),
        new Shape("VFMTok decoder (causal)", 1, 8, 702, 702, 64, true),
        new Shape("KV-cache decode step", 2, 12, 1, 257, 64, false),
    };

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private AttentionBench() {}

    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        System.out.printf("threads %d, vector species %s%n", Parallel.threads(), org.vfmtok.tensor.cpu.VectorSupport.F);
        System.out.printf("%-27s %10s %10s %10s %10s %10s %10s %8s %8s %9s%n", "shape", "naive ms", "naive cpu", "ours1T ms",
                "ours1T cpu", "ours ms", "bwd ms", "ratio", "ratioCPU", "max|diff|");
        for (Shape s : SHAPES) run(s, reps);
    }

    private static void run(Shape s, int reps) {
        SplittableRandom rng = new SplittableRandom(42);
        Tensor q = Init.randn(rng, DType.F32, s.b, s.h, s.lq, s.d);
        Tensor k = Init.randn(rng, DType.F32, s.b, s.h, s.lk, s.d);
        Tensor v = Init.randn(rng, DType.F32, s.b, s.h, s.lk, s.d);
        float[] qa = q.toFloatArray(), ka = k.toFloatArray(), va = v.toFloatArray();
        float[] naiveOut = new float[s.b * s.h * s.lq * s.d];

        double scale = 1.0 / Math.sqrt(s.d);
        AttentionKernels kernels = Backends.cpu().attention();
        Tensor out = Tensor.empty(DType.F32, s.b, s.h, s.lq, s.d), lse = Tensor.empty(DType.F32, s.b, s.h, s.lq);
        Tensor gradOut = Init.randn(rng, DType.F32, s.b, s.h, s.lq, s.d);
        Tensor gq = Tensor.emptyLike(q), gk = Tensor.emptyLike(k), gv = Tensor.emptyLike(v);
        Runnable forward = () -> kernels.attention(q, k, v, null, s.causal, scale, out, lse);
        Runnable backward = () -> kernels.attentionBackward(q, k, v, null, s.causal, scale, out, lse, gradOut, gq, gk, gv);

        double[] naive = median(reps, () -> naive(s, qa, ka, va, naiveOut));
        int all = Parallel.threads();
        Parallel.setThreads(1);
        double[] one = median(reps, forward);
        Parallel.setThreads(all);
        double[] multi = median(reps, forward);
        double[] bwd = median(reps, backward);
        float[] ours = out.toFloatArray();
        double maxDiff = 0;
        for (int i = 0; i < ours.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ours[i] - naiveOut[i]));
        System.out.printf("%-27s %10.3f %10.3f %10.3f %10.3f %10.3f %10.3f %7.1fx %7.1fx %9.2e%n", s.name, naive[0], naive[1], one[0], one[1],
                multi[0], bwd[0], naive[0] / multi[0], naive[1] / one[1], maxDiff);
    }

    /** The textbook loop: full score row per query, softmax, weighted sum; float, one thread. */
    static void naive(Shape s, float[] q, float[] k, float[] v, float[] out) {
        float scale = (float) (1.0 / Math.sqrt(s.d));
        float[] scores = new float[s.lq * s.lk];
        for (int bh = 0; bh < s.b * s.h; bh++) {
            int qo = bh * s.lq * s.d, ko = bh * s.lk * s.d;
            for (int i = 0; i < s.lq; i++) {
                for (int j = 0; j < s.lk; j++) {
                    float acc = 0;
                    for (int c = 0; c < s.d; c++) acc += q[qo + i * s.d + c] * k[ko + j * s.d + c];
                    scores[i * s.lk + j] = s.causal && j > i ? Float.NEGATIVE_INFINITY : acc * scale;
                }
            }
            for (int i = 0; i < s.lq; i++) {
                float max = Float.NEGATIVE_INFINITY, sum = 0;
                for (int j = 0; j < s.lk; j++) max = Math.max(max, scores[i * s.lk + j]);
                for (int j = 0; j < s.lk; j++) {
                    float e = (float) Math.exp(scores[i * s.lk + j] - max);
                    scores[i * s.lk + j] = e;
                    sum += e;
                }
                int o = qo + i * s.d;
                Arrays.fill(out, o, o + s.d, 0f);
                for (int j = 0; j < s.lk; j++) {
                    float p = scores[i * s.lk + j] / sum;
                    for (int c = 0; c < s.d; c++) out[o + c] += p * v[ko + j * s.d + c];
                }
            }
        }
    }

    /**
     * Median {wall ms, this thread's CPU ms} after a warm-up of at least 5 runs and 3 s, and for cheap
     * bodies 3000 runs (capped at 30 s), so that C2 has compiled the Vector API kernels: interpreted or
     * C1 vector code is orders of magnitude slower, and on a loaded machine the compiler threads lag.
     */
    private static double[] median(int reps, Runnable body) {
        long start = System.nanoTime(), warmEnd = start + 3_000_000_000L, capEnd = start + 30_000_000_000L;
        for (int i = 0; i < 5 || System.nanoTime() < warmEnd || (i < 3000 && System.nanoTime() < capEnd); i++) body.run();
        double[] wall = new double[reps], cpu = new double[reps];
        for (int i = 0; i < reps; i++) {
            long c0 = THREADS.getCurrentThreadCpuTime(), t0 = System.nanoTime();
            body.run();
            wall[i] = (System.nanoTime() - t0) / 1e6;
            cpu[i] = (THREADS.getCurrentThreadCpuTime() - c0) / 1e6;
        }
        Arrays.sort(wall);
        Arrays.sort(cpu);
        return new double[] {wall[reps / 2], cpu[reps / 2]};
    }
}
