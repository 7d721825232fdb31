package org.vfmtok.llama;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import org.vfmtok.tensor.Rng;

/**
 * One class-conditional generation request as a {@link BatchGenerator} runs it: its classes, options and listener,
 * and the state that makes its result independent of the batch it shares: its own {@link Rng} (seeded with
 * {@link GenerationOptions#seed}, drawn in the order of {@link Generator#generate}: step by step, row by row), its
 * own {@link Sampler}, and the cache slots of its rows. The codes it produces are bit-identical to
 * {@code new Generator(gpt).generate(classes, options, listener)} (see {@code BatchGeneratorTest}).
 *
 * <p>Threads: made and {@link #cancel cancelled} by any thread; advanced only by the thread that steps its batch.
 * The {@link #result} completes on that thread (with the codes (B, grid²), or exceptionally: a
 * {@link CancellationException} when cancelled or past its deadline, the listener's exception when it threw).
 */
public final class GenerationTask {
    final int[] classes;
    final GenerationOptions options;
    final Generator.StepListener listener;
    final int steps;
    final int nullClass;
    private final CompletableFuture<int[][]> result = new CompletableFuture<>();
    private volatile boolean cancelled;
    // batch state, touched only by the stepping thread
    final Rng rng;
    final Sampler sampler;
    final float[][] guided;
    final int[] drawn;
    final int[][] codes;
    /** Cache slot of each row: cond rows 0..B−1, then the uncond rows B..2B−1 while guided (−1 once released). */
    final int[] slots;
    /** Row of the current step's logits for each of this task's rows. */
    final int[] logitRows;
    int step;
    long deadlineNanos;

    /**
     * A request for {@code classes} (one image each) with these options, checked against the model's config:
     * the class ids, and the null class when guided. {@code listener} may be null.
     *
     * @throws IllegalArgumentException naming the bad value
     */
    public GenerationTask(GPTConfig config, int[] classes, GenerationOptions options, Generator.StepListener listener) {
        if (classes.length == 0) throw new IllegalArgumentException("no classes to generate");
        for (int cl : classes) {
            if (cl < 0 || cl >= config.numClasses()) {
                throw new IllegalArgumentException("class index " + cl + " is out of range [0, " + config.numClasses() + ") for " + config.name());
            }
        }
        if (options.guided() && !config.hasNullClass()) {
            throw new IllegalArgumentException("cfg scale " + options.cfgScale() + " needs the null class, but this model has no class dropout row");
        }
        this.classes = classes.clone();
        this.options = options;
        this.listener = listener;
        this.steps = config.tokens();
        this.nullClass = config.numClasses();
        int b = classes.length, v = config.vocabSize();
        this.rng = new Rng(options.seed());
        this.sampler = new Sampler(options.sampling(), v);
        this.guided = new float[b][v];
        this.drawn = new int[b];
        this.codes = new int[b][steps];
        this.slots = new int[options.guided() ? 2 * b : b];
        java.util.Arrays.fill(slots, -1);
        this.logitRows = new int[2 * b];
    }

    /** Images this task makes (its class ids). */
    public int images() { return classes.length; }

    /** Decoder rows it needs when it joins a batch: 2·B with guidance, else B. */
    public int rows() { return slots.length; }

    /** Tokens per image (grid²). */
    public int steps() { return steps; }

    /** Tokens done per image so far. */
    public int stepsDone() { return step; }

    public GenerationOptions options() { return options; }

    /** Asks the batch to drop this task at its next step boundary (its result then completes with a CancellationException). */
    public void cancel() { cancelled = true; }

    public boolean isCancelled() { return cancelled; }

    /** The codes (B, grid²) when done. */
    public CompletableFuture<int[][]> result() { return result; }

    void complete() { result.complete(codes); }

    void fail(Throwable t) { result.completeExceptionally(t); }

    /** Null when this task may run its next step, else why it must stop. */
    CancellationException stopReason() {
        if (cancelled) return new CancellationException("generation cancelled before step " + step + " of " + steps);
        if (options.deadline() != null && System.nanoTime() - deadlineNanos > 0) {
            return new CancellationException("generation passed its deadline " + options.deadline() + " before step " + step + " of " + steps);
        }
        return null;
    }
}
