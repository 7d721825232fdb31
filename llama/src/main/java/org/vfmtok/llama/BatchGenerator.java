package org.vfmtok.llama;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;

/**
 * Continuous batching of class-conditional generations on one {@link KVDecoder}: {@link GenerationTask}s join
 * the running batch at any step boundary ({@link #admit}) while there are free rows, each takes one token per
 * {@link #step}, and each leaves when done, cancelled or failed, freeing its rows for the next. A guided task
 * occupies 2·B rows (cond and uncond, fed the same tokens) until its {@code cfg_interval} ends, then B.
 *
 * <p>Every row has its own cache slot and position ({@link KVDecoder#stepRows}), every task its own random
 * stream and sampler, and the decode kernels compute a row the same way whatever else is in the batch; so a
 * task's codes are bit-identical to the same request generated alone by a {@link Generator}.
 *
 * <p>Faults stay with their task: a listener that throws fails only its task. A failure of the decode step
 * itself (which cannot be pinned on one row) fails every task of the batch.
 *
 * <p>Threads: one thread steps a batch generator (the scheduler); {@link GenerationTask#cancel} may come from any
 * thread. {@link #close} fails the tasks still running and frees the decoder.
 */
public final class BatchGenerator implements AutoCloseable {
    private final GPT gpt;
    private final KVDecoder decoder;
    private final boolean[] slotUsed;
    private final List<GenerationTask> active = new ArrayList<>();
    private final int[] slots, positions, ids;
    private final float[] uncond;
    private int usedRows;

    /** A batch of up to {@code maxRows} decoder rows with a KV cache of {@code cacheDType}. */
    public BatchGenerator(GPT gpt, int maxRows, KVCacheDType cacheDType) {
        this.gpt = gpt;
        this.decoder = new KVDecoder(gpt, maxRows, cacheDType);
        this.slotUsed = new boolean[maxRows];
        this.slots = new int[maxRows];
        this.positions = new int[maxRows];
        this.ids = new int[maxRows];
        this.uncond = new float[gpt.config.vocabSize()];
    }

    public int maxRows() { return slotUsed.length; }

    /** Rows in use by the running tasks. */
    public int usedRows() { return usedRows; }

    public int freeRows() { return slotUsed.length - usedRows; }

    /** Tasks in the batch. */
    public int tasks() { return active.size(); }

    public boolean isEmpty() { return active.isEmpty(); }

    /** Whether a task needing {@code rows} rows could ever join (fits the batch when empty) and matches the cache type. */
    public void checkFits(GenerationTask task) {
        if (task.rows() > maxRows()) {
            throw new IllegalArgumentException("the request needs " + task.rows() + " decoder rows (" + task.images() + " images"
                    + (task.options.guided() ? " x 2 for guidance" : "") + "), more than the batch's " + maxRows());
        }
        if (task.options.kvCache() != decoder.cacheDType()) {
            throw new IllegalArgumentException("the request asks for a " + task.options.kvCache().label() + " KV cache, the batch has " + decoder.cacheDType().label());
        }
    }

    /**
     * Adds {@code task} to the batch from the next step on, if its rows are free; returns false (and leaves it
     * out) when they are not.
     *
     * @throws IllegalArgumentException when it can never fit ({@link #checkFits}) or already ran
     */
    public boolean admit(GenerationTask task) {
        checkFits(task);
        if (task.step != 0 || task.slots[0] >= 0) throw new IllegalArgumentException("this task already ran in a batch");
        if (task.rows() > freeRows()) return false;
        for (int r = 0, sl = 0; r < task.rows(); r++) {
            while (slotUsed[sl]) sl++;
            slotUsed[sl] = true;
            task.slots[r] = sl;
        }
        usedRows += task.rows();
        java.time.Instant deadline = task.options.deadline();
        if (deadline != null) {
            long nanos = java.time.Duration.between(java.time.Instant.now(), deadline).toNanos();
            task.deadlineNanos = System.nanoTime() + Math.max(-(Long.MAX_VALUE / 4), Math.min(Long.MAX_VALUE / 4, nanos));
        }
        active.add(task);
        return true;
    }

    /**
     * Drops the tasks that were cancelled or passed their deadline, then runs one position for every task left
     * (a prefill for those that just joined) and samples its next tokens; tasks that finish complete their
     * result and leave. Does nothing when the batch is empty.
     */
    public void step() {
        for (int t = active.size() - 1; t >= 0; t--) {
            GenerationTask task = active.get(t);
            CancellationException stop = task.stopReason();
            if (stop != null) leave(t, stop);
        }
        if (active.isEmpty()) return;
        int m = layout();
        try {
            decoder.stepRows(m, slots, positions, ids);
        } catch (RuntimeException | Error e) {
            for (int t = active.size() - 1; t >= 0; t--) leave(t, e);
            throw e;
        }
        for (int t = active.size() - 1; t >= 0; t--) {
            GenerationTask task = active.get(t);
            try {
                sample(task);
            } catch (RuntimeException e) {
                leave(t, e);
                continue;
            }
            if (task.step == task.steps) {
                leave(t, null);
            } else if (task.options.guided() && !task.options.guidedAt(task.step)) {
                releaseUncond(task);
            }
        }
    }

    /** The decoder rows of this step, task after task: cond rows, then uncond rows while guided. Returns their number. */
    private int layout() {
        int m = 0;
        for (GenerationTask task : active) {
            int s = task.step, b = task.classes.length;
            boolean cfg = task.options.guidedAt(s);
            for (int half = 0; half < (cfg ? 2 : 1); half++) {
                for (int i = 0; i < b; i++) {
                    int r = half * b + i;
                    slots[m] = task.slots[r];
                    positions[m] = s;
                    ids[m] = s == 0 ? (half == 0 ? task.classes[i] : task.nullClass) : task.drawn[i];
                    task.logitRows[r] = m++;
                }
            }
        }
        return m;
    }

    /** Guidance, the listener's copy, and one token per image, as {@link Generator} does for step s. */
    private void sample(GenerationTask task) {
        int s = task.step, b = task.classes.length;
        boolean cfg = task.options.guidedAt(s);
        for (int i = 0; i < b; i++) {
            decoder.copyLogits(task.logitRows[i], task.guided[i]);
            if (cfg) {
                decoder.copyLogits(task.logitRows[b + i], uncond);
                Generator.guide(task.guided[i], uncond, (float) task.options.cfgScale());
            }
        }
        float[][] copy = null;
        if (task.listener != null && task.listener.wantsLogits()) {
            copy = new float[b][];
            for (int i = 0; i < b; i++) copy[i] = task.guided[i].clone();
        }
        for (int i = 0; i < b; i++) task.drawn[i] = task.sampler.sample(task.guided[i], 1.0 - task.rng.nextDouble());
        for (int i = 0; i < b; i++) task.codes[i][s] = task.drawn[i];
        task.step++;
        if (task.listener != null) task.listener.onStep(s, task.steps, copy, task.drawn);
    }

    private void releaseUncond(GenerationTask task) {
        int b = task.classes.length;
        for (int r = b; r < task.slots.length; r++) release(task, r);
    }

    private void release(GenerationTask task, int r) {
        if (task.slots[r] < 0) return;
        slotUsed[task.slots[r]] = false;
        task.slots[r] = -1;
        usedRows--;
    }

    /** Takes task t out of the batch: done (failure null) or failed. */
    private void leave(int t, Throwable failure) {
        GenerationTask task = active.remove(t);
        for (int r = 0; r < task.slots.length; r++) release(task, r);
        if (failure == null) task.complete();
        else task.fail(failure);
    }

    /** Fails the tasks still in the batch (cancelled) and frees the decoder. */
    @Override
    public void close() {
        for (int t = active.size() - 1; t >= 0; t--) leave(t, new CancellationException("the batch generator was closed"));
        decoder.close();
    }
}
