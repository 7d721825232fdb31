package org.vfmtok.tensor.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;

/**
 * The shared worker pool of the CPU backend, sized to the cores ({@code -Dvfmtok.threads=N} overrides).
 * {@link #forRange} splits [0, n) into at most {@link #threads()} contiguous chunks; the caller runs one
 * chunk itself. Nested calls from a worker run serially, so kernels may call kernels.
 */
public final class Parallel {
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    private static final int MAX_THREADS = Integer.getInteger("vfmtok.threads", Runtime.getRuntime().availableProcessors());
    // The caller runs one chunk itself, so threads - 1 workers keep every core busy without oversubscribing.
    private static final ForkJoinPool POOL = new ForkJoinPool(Math.max(1, MAX_THREADS - 1));
    private static volatile int threads = MAX_THREADS;
    private static final ThreadLocal<Boolean> INSIDE = ThreadLocal.withInitial(() -> false);

    private Parallel() {}

    public static int threads() { return threads; }

    public static int maxThreads() { return MAX_THREADS; }

    /** Limits the threads used from now on (benchmarks compare 1 thread with all). */
    public static void setThreads(int n) {
        if (n < 1 || n > MAX_THREADS) throw new IllegalArgumentException("threads must be in [1, " + MAX_THREADS + "], got " + n);
        threads = n;
    }

    /**
     * Runs body over [0, n) in chunks. {@code minPerChunk} keeps chunks large enough to be worth a
     * thread (in units of the range).
     */
    public static void forRange(int n, int minPerChunk, RangeBody body) {
        int t = threads;
        if (n <= 0) return;
        int chunks = Math.min(t, Math.max(1, n / Math.max(1, minPerChunk)));
        if (chunks <= 1 || INSIDE.get()) {
            body.run(0, n);
            return;
        }
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[chunks - 1];
        for (int c = 1; c < chunks; c++) {
            int s = (int) ((long) n * c / chunks), e = (int) ((long) n * (c + 1) / chunks);
            tasks[c - 1] = POOL.submit(new RecursiveAction() {
                @Override protected void compute() {
                    INSIDE.set(true);
                    try {
                        body.run(s, e);
                    } finally {
                        INSIDE.set(false);
                    }
                }
            });
        }
        boolean was = INSIDE.get();
        INSIDE.set(true);
        try {
            body.run(0, (int) ((long) n / chunks));
        } finally {
            INSIDE.set(was);
        }
        for (ForkJoinTask<?> task : tasks) task.join();
    }

    public static void forRange(int n, RangeBody body) { forRange(n, 1, body); }
}
