package org.vfmtok.bench.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.Backends;
import org.vfmtok.tensor.cpu.Parallel;
import org.vfmtok.tensor.ops.Reductions;

/**
 * Softmax along the last dim: the CPU backend (Vector API, all threads) against a naive single-threaded
 * scalar Java loop over the same off-heap data. Prints median milliseconds and the ratio.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp ... org.vfmtok.bench.kernels.SoftmaxBench [reps] [RxC ...]</pre>
 */
public final class SoftmaxBench {
    private SoftmaxBench() {}

    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        String[] shapes = args.length > 1 ? Arrays.copyOfRange(args, 1, args.length) : new String[] {"4096x1024", "256x16384"};
        System.out.println("backend " + Backends.cpu().name() + ", threads " + Parallel.threads());
        for (String s : shapes) {
            String[] rc = s.split("x");
            int rows = Integer.parseInt(rc[0]), cols = Integer.parseInt(rc[1]);
            try (Scope scope = Scope.open("bench")) {
                Tensor x = Init.randn(Init.rng(1), rows, cols);
                Tensor naiveOut = Tensor.empty(x.dtype(), rows, cols);
                double ours = median(reps, () -> {
                    try (Scope inner = Scope.open()) {
                        Reductions.softmax(x, -1);
                    }
                });
                double naive = median(reps, () -> naive(x.segment(), naiveOut.segment(), rows, cols));
                Tensor check = Reductions.softmax(x, -1);
                float[] a = check.toFloatArray(), b = naiveOut.toFloatArray();
                double maxDiff = 0;
                for (int i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
                System.out.printf("softmax %dx%d: ours %.3f ms, naive scalar %.3f ms, speed-up %.1fx (max |diff| %.2g)%n",
                        rows, cols, ours, naive, naive / ours, maxDiff);
            }
        }
    }

    /** The obvious loop: max, exp and sum, scale; one thread, no vectors beyond what C2 finds. */
    static void naive(MemorySegment x, MemorySegment out, int rows, int cols) {
        ValueLayout.OfFloat f = ValueLayout.JAVA_FLOAT_UNALIGNED;
        for (int r = 0; r < rows; r++) {
            long base = (long) r * cols;
            float m = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) m = Math.max(m, x.getAtIndex(f, base + j));
            float sum = 0;
            for (int j = 0; j < cols; j++) {
                float e = (float) Math.exp(x.getAtIndex(f, base + j) - m);
                out.setAtIndex(f, base + j, e);
                sum += e;
            }
            float inv = 1f / sum;
            for (int j = 0; j < cols; j++) out.setAtIndex(f, base + j, out.getAtIndex(f, base + j) * inv);
        }
    }

    static final long WARMUP_NS = Long.getLong("bench.warmupMs", 3000) * 1_000_000;

    static double median(int reps, Runnable r) {
        // warm-up by time, not count: C2 must have compiled the vector loops (tier-2 code of the Vector
        // API allocates per operation and runs 10-50x slower), which on a busy machine takes seconds
        long until = System.nanoTime() + WARMUP_NS;
        for (int i = 0; i < 3 || System.nanoTime() < until; i++) r.run();
        double[] t = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            r.run();
            t[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(t);
        return t[reps / 2];
    }
}
