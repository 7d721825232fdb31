package org.vfmtok.tensor;

import java.lang.management.ManagementFactory;
import org.vfmtok.tensor.cpu.Parallel;

/**
 * Java heap bytes allocated between {@link #start} and {@link #stop} by the calling thread and by the CPU
 * backend's workers, the threads that CPU kernels run on: how tests and benchmarks show that decoding allocates
 * nothing. Other threads of the JVM are not counted. Reading the workers' counters allocates the result array, so
 * those readings are taken outside the window of this thread's own (which allocates nothing).
 *
 * <pre>{@code
 * HeapMeter m = HeapMeter.start();
 * decoder.step(tokens, rows);
 * long bytes = m.stop();
 * }</pre>
 */
public final class HeapMeter {
    private static final com.sun.management.ThreadMXBean MX = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final long[] workers;
    private final long[] workers0;
    private final long self0;

    private HeapMeter() {
        this.workers = Parallel.workerThreadIds();
        this.workers0 = MX.getThreadAllocatedBytes(workers);
        this.self0 = MX.getCurrentThreadAllocatedBytes();
    }

    /** Starts counting. */
    public static HeapMeter start() { return new HeapMeter(); }

    /** Bytes allocated since {@link #start} on this thread and the workers. */
    public long stop() {
        long total = MX.getCurrentThreadAllocatedBytes() - self0;
        long[] after = MX.getThreadAllocatedBytes(workers);
        for (int i = 0; i < workers.length; i++) if (after[i] >= 0 && workers0[i] >= 0) total += after[i] - workers0[i];
        return total;
    }
}
