package org.vfmtok.tensor.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;

/**
 * The shared workers of the CPU backend, sized to the cores ({@code -Dvfmtok.threads=N} overrides).
 * {@link #forRange} splits [0, n) into at most {@link #threads()} contiguous chunks; the caller runs one
 * chunk itself. Nested calls from a worker run serially, so kernels may call kernels.
 *
 * <p>Work goes to a {@link Gang} of threads − 1 long-lived workers, handed over through fields rather than
 * task objects, so that a call allocates nothing beyond what its body is: a decode step, which makes a few
 * hundred calls with bodies it keeps, runs without heap garbage. When another thread holds the gang (two
 * callers at once), the call goes to a fork-join pool instead, which allocates its tasks but never waits
 * for the gang.
 */
public final class Parallel {
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    private static final int MAX_THREADS = Integer.getInteger("vfmtok.threads", Runtime.getRuntime().availableProcessors());
    /** True on a thread that is running a chunk (gang workers always): its nested calls run serially. */
    static final ThreadLocal<Boolean> INSIDE = ThreadLocal.withInitial(() -> false);
    // The caller runs one chunk itself, so threads - 1 workers keep every core busy without oversubscribing.
    private static final Gang GANG = MAX_THREADS > 1 ? new Gang(MAX_THREADS - 1) : null;
    private static volatile int threads = MAX_THREADS;

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
     * thread (in units of the range). Chunk c is [n·c/chunks, n·(c+1)/chunks).
     */
    public static void forRange(int n, int minPerChunk, RangeBody body) {
        if (n <= 0) return;
        int chunks = Math.min(threads, Math.max(1, n / Math.max(1, minPerChunk)));
        if (chunks <= 1 || INSIDE.get()) {
            body.run(0, n);
            return;
        }
        if (!GANG.tryRun(n, chunks, body)) forkJoin(n, chunks, body);
    }

    public static void forRange(int n, RangeBody body) { forRange(n, 1, body); }

    /** The ids of the worker threads (none with one thread), for {@link org.vfmtok.tensor.HeapMeter}. */
    public static long[] workerThreadIds() { return GANG == null ? new long[0] : GANG.threadIds(); }

    /** Start of chunk c of [0, n) in {@code chunks} chunks. */
    static int chunkStart(int n, int c, int chunks) { return (int) ((long) n * c / chunks); }

    /** Runs chunk c of [0, n) on this thread, marked as inside a parallel region. */
    static void runChunk(RangeBody body, int n, int c, int chunks) {
        boolean was = INSIDE.get();
        INSIDE.set(true);
        try {
            body.run(chunkStart(n, c, chunks), chunkStart(n, c + 1, chunks));
        } finally {
            INSIDE.set(was);
        }
    }

    /** The fallback while the gang is busy with another caller's work. */
    private static void forkJoin(int n, int chunks, RangeBody body) {
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[chunks - 1];
        for (int c = 1; c < chunks; c++) {
            int chunk = c;
            tasks[c - 1] = Pool.POOL.submit(new RecursiveAction() {
                @Override protected void compute() { runChunk(body, n, chunk, chunks); }
            });
        }
        runChunk(body, n, 0, chunks);
        for (ForkJoinTask<?> task : tasks) task.join();
    }

    /** Made on first contention only. */
    private static final class Pool {
        static final ForkJoinPool POOL = new ForkJoinPool(Math.max(1, MAX_THREADS - 1));
    }
}
