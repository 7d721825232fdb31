package org.vfmtok.tensor.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Long-lived worker threads that run chunks of {@link Parallel#forRange} for one caller at a time, without
 * allocating: the caller writes each worker's chunk into that worker's fields, bumps its volatile ticket
 * (which publishes the fields) and unparks it; it then runs chunk 0 itself and waits until the workers have
 * counted {@code pending} down to zero. Each worker owns its mailbox and gets a new ticket only after it has
 * counted the last one down, so no chunk can be read twice or missed.
 *
 * <p>Waiting spins before parking. The caller spins up to 50 µs for chunks that are running (a decode step makes
 * its calls back to back, and parking and waking a thread costs about as much as a small call's work); an idle
 * worker spins only 5 µs for its next chunk, since on a machine with few cores its spinning takes the core
 * that the caller's serial work between calls needs (a longer worker spin slowed training steps and did not
 * help decoding); {@code -Dvfmtok.workerSpinMicros} and {@code -Dvfmtok.callerSpinMicros} tune them.
 */
final class Gang {
    /** How long the caller spins for the workers' chunks before parking: they are running, and end soon. */
    private static final long CALLER_SPIN_NANOS = 1000L * Integer.getInteger("vfmtok.callerSpinMicros", 50);
    /** How long an idle worker spins for its next chunk before parking: a guess that work follows soon. */
    private static final long WORKER_SPIN_NANOS = 1000L * Integer.getInteger("vfmtok.workerSpinMicros", 5);

    private final Worker[] workers;
    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    Gang(int size) {
        workers = new Worker[size];
        for (int i = 0; i < size; i++) {
            workers[i] = new Worker(this, "vfmtok-worker-" + (i + 1));
            workers[i].start();
        }
    }

    /**
     * Runs chunks 0..chunks−1 of [0, n), chunk 0 on this thread; false (nothing run) when the gang is busy
     * with another caller. A chunk's exception is rethrown here once every chunk has finished.
     */
    boolean tryRun(int n, int chunks, Parallel.RangeBody body) {
        if (chunks - 1 > workers.length || !busy.compareAndSet(false, true)) return false;
        pending.set(chunks - 1);
        for (int c = 1; c < chunks; c++) workers[c - 1].assign(body, n, c, chunks, Thread.currentThread());
        Throwable failed = null;
        try {
            Parallel.runChunk(body, n, 0, chunks);
        } catch (Throwable e) {
            failed = e;
        }
        awaitWorkers();             // even when chunk 0 failed: the others still use the caller's buffers
        Throwable workerFailed = failure.getAndSet(null);
        busy.set(false);
        if (failed == null) failed = workerFailed;
        else if (workerFailed != null) failed.addSuppressed(workerFailed);
        if (failed instanceof RuntimeException e) throw e;
        if (failed instanceof Error e) throw e;
        if (failed != null) throw new IllegalStateException("a parallel chunk failed", failed);
        return true;
    }

    long[] threadIds() {
        long[] ids = new long[workers.length];
        for (int i = 0; i < ids.length; i++) ids[i] = workers[i].threadId();
        return ids;
    }

    private void awaitWorkers() {
        long spinUntil = System.nanoTime() + CALLER_SPIN_NANOS;
        while (pending.get() != 0) {
            if (System.nanoTime() < spinUntil) Thread.onSpinWait();
            else LockSupport.park(this);
        }
    }

    /** Called by a worker after its chunk. */
    private void done(Thread caller) {
        if (pending.decrementAndGet() == 0) LockSupport.unpark(caller);
    }

    private static final class Worker extends Thread {
        private final Gang gang;
        // the assignment, written by the caller before the ticket and read by this thread after it
        private Parallel.RangeBody body;
        private int n, chunk, chunks;
        private Thread caller;
        private volatile int ticket;

        Worker(Gang gang, String name) {
            super(name);
            this.gang = gang;
            setDaemon(true);
        }

        void assign(Parallel.RangeBody body, int n, int chunk, int chunks, Thread caller) {
            this.body = body;
            this.n = n;
            this.chunk = chunk;
            this.chunks = chunks;
            this.caller = caller;
            ticket = ticket + 1;    // only the gang's holder writes it
            LockSupport.unpark(this);
        }

        @Override
        public void run() {
            Parallel.INSIDE.set(true);
            int seen = 0;
            while (true) {
                long spinUntil = System.nanoTime() + WORKER_SPIN_NANOS;
                int t;
                while ((t = ticket) == seen) {
                    if (System.nanoTime() < spinUntil) Thread.onSpinWait();
                    else LockSupport.park(gang);
                }
                seen = t;
                Parallel.RangeBody b = body;
                Thread c = caller;
                body = null;        // not kept alive between calls
                try {
                    b.run(Parallel.chunkStart(n, chunk, chunks), Parallel.chunkStart(n, chunk + 1, chunks));
                } catch (Throwable e) {
                    gang.failure.compareAndSet(null, e);
                } finally {
                    gang.done(c);
                }
            }
        }
    }
}
