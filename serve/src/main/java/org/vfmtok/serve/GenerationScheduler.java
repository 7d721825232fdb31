package org.vfmtok.serve;

import java.util.ArrayDeque;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.vfmtok.llama.BatchGenerator;
import org.vfmtok.llama.GPT;
import org.vfmtok.llama.GenerationTask;
import org.vfmtok.llama.KVCacheDType;

/**
 * The one thread that decodes: generate requests wait in a bounded queue ({@link #submit} refuses past
 * {@code maxQueue}, which the API answers with 429), and at every step boundary the scheduler moves waiting
 * tasks into the running {@link BatchGenerator} while their rows fit (first come, first served: a large task at
 * the head waits for rows rather than being overtaken), then runs one step for the whole batch. Tasks leave the
 * batch when done, cancelled (a client that went away, a deadline) or failed, and their rows go to the next.
 *
 * <p>{@link #drain} stops taking new tasks and waits until the queued and running ones are finished (SIGTERM);
 * {@link #close} then stops the thread and frees the batch's KV cache.
 */
public final class GenerationScheduler implements AutoCloseable {
    /** What the scheduler reports (the service's metrics). */
    public interface Listener {
        void onStep(int rows, int tasks, long nanos, int tokens);

        Listener NONE = (rows, tasks, nanos, tokens) -> {};
    }

    private final BatchGenerator batch;
    private final int maxQueue;
    private final Listener listener;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<GenerationTask> waiting = new ArrayDeque<>();
    private final Thread thread;
    private volatile boolean accepting = true;
    private volatile boolean stop;
    private volatile int runningTasks, runningRows;
    private final java.util.concurrent.atomic.AtomicLong completed = new java.util.concurrent.atomic.AtomicLong(),
            cancelled = new java.util.concurrent.atomic.AtomicLong(), failed = new java.util.concurrent.atomic.AtomicLong();

    public GenerationScheduler(GPT gpt, int maxBatch, int maxQueue, Listener listener) {
        this.batch = new BatchGenerator(gpt, maxBatch, KVCacheDType.F32);
        this.maxQueue = maxQueue;
        this.listener = listener == null ? Listener.NONE : listener;
        this.thread = Thread.ofPlatform().name("vfm-serve-scheduler").daemon(true).start(this::loop);
    }

    /** The batch's row count. */
    public int maxBatch() { return batch.maxRows(); }

    public int queued() {
        lock.lock();
        try {
            return waiting.size();
        } finally {
            lock.unlock();
        }
    }

    public int runningTasks() { return runningTasks; }

    /** Tasks that finished with codes since the start. */
    public long completed() { return completed.get(); }

    /** Tasks cancelled (client gone, deadline, shutdown) since the start. */
    public long cancelled() { return cancelled.get(); }

    /** Tasks that failed otherwise since the start. */
    public long failed() { return failed.get(); }

    public int runningRows() { return runningRows; }

    /**
     * Queues a task (checked to fit the batch first).
     *
     * @throws ApiException 400 when it can never fit the batch, 429 when the queue is full, 503 while draining
     */
    public void submit(GenerationTask task) {
        try {
            batch.checkFits(task);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage() + " (--max-batch)");
        }
        lock.lock();
        try {
            if (!accepting) throw new ApiException(503, "the server is shutting down", 5L);
            if (waiting.size() >= maxQueue) {
                throw new ApiException(429, "the queue is full (" + maxQueue + " generate requests waiting); retry later", 1L);
            }
            waiting.add(task);
            task.result().whenComplete((codes, e) -> (e == null ? completed : e instanceof CancellationException ? cancelled : failed).incrementAndGet());
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void loop() {
        while (true) {
            lock.lock();
            try {
                while (!stop && waiting.isEmpty() && batch.isEmpty()) changed.await(200, TimeUnit.MILLISECONDS);
                if (stop) break;
                // cancelled tasks still waiting leave the queue now, so they neither hold a place nor start
                waiting.removeIf(t -> {
                    if (!t.isCancelled()) return false;
                    t.result().completeExceptionally(new CancellationException("cancelled while queued"));
                    return true;
                });
                while (!waiting.isEmpty() && batch.admit(waiting.peek())) waiting.poll();
                runningTasks = batch.tasks();   // under the lock, so drain never sees a task in neither place
                runningRows = batch.usedRows();
                changed.signalAll();
            } catch (InterruptedException e) {
                break;
            } finally {
                lock.unlock();
            }
            if (batch.isEmpty()) continue;
            long t0 = System.nanoTime();
            int rows = batch.usedRows(), tasks = batch.tasks();
            try {
                batch.step();
            } catch (RuntimeException | Error e) {
                // the batch generator failed every task of the step; the scheduler goes on with the next ones
                System.err.println("vfm serve: a decode step failed, its " + tasks + " requests failed: " + e);
            }
            listener.onStep(rows, tasks, System.nanoTime() - t0, rows);
            lock.lock();
            try {
                runningTasks = batch.tasks();
                runningRows = batch.usedRows();
                if (runningTasks == 0) changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Stops accepting tasks and waits (up to {@code timeoutMillis}) until every queued and running task is finished; true when all did. */
    public boolean drain(long timeoutMillis) throws InterruptedException {
        accepting = false;
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        lock.lock();
        try {
            while (!(waiting.isEmpty() && runningTasks == 0)) {
                long left = end - System.nanoTime();
                if (left <= 0) return false;
                changed.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    public boolean isAccepting() { return accepting; }

    /** Stops the thread, fails what is left (cancelled) and frees the KV cache. */
    @Override
    public void close() {
        accepting = false;
        stop = true;
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lock.lock();
        try {
            for (GenerationTask t : waiting) t.result().completeExceptionally(new CancellationException("the server stopped"));
            waiting.clear();
        } finally {
            lock.unlock();
        }
        batch.close();
    }
}
