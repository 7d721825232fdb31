package org.vfmtok.llama;

import java.time.Instant;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.vfmtok.tensor.Rng;

/**
 * Class-conditional sampling of image codes ({@code generate.py::generate}, c2i): a prefill with the class
 * tokens, then grid² − 1 KV-cache decode steps. With guidance (cfg &gt; 1) the batch is [cond; uncond (null
 * class)], both halves are fed the same token, and the logits are combined as
 * {@code uncond + (cond − uncond)·cfg}; after {@code cfg_interval} only the cond half is run and used.
 *
 * <pre>{@code
 * Generator g = new Generator(gpt);
 * int[][] codes = g.generate(new int[] {207, 360}, new GenerationOptions(1.5, SamplingOptions.defaults(), 0), null);
 * }</pre>
 *
 * A generator keeps its {@link KVDecoder} between calls with the same batch size and KV-cache dtype
 * ({@link GenerationOptions#kvCache}); {@link #close} frees it.
 *
 * <p>Threads: a generator is per-call state (its KV cache): one thread at a time. A second call while one
 * runs fails fast with an {@link IllegalStateException}; use one generator per thread (they share the GPT's
 * weights) or an {@link ImageGenerator}, which pools them.
 *
 * <p>Cancellation: before every step the generator checks the calling thread's interrupt flag and
 * {@link GenerationOptions#deadline}; either stops the call with a {@link CancellationException} (the
 * interrupt flag is left set). Nothing is allocated per call beyond Java arrays, so nothing leaks; the
 * decoder is kept for the next call.
 */
public final class Generator implements AutoCloseable {
    /**
     * Called after every step with the guided logits (before temperature) of each row and the tokens drawn.
     * The logits are copies the listener may keep (made only when {@link #wantsLogits}); {@code tokens} is the
     * generator's own array, valid during the call (copy it to keep it), so that a step allocates nothing.
     */
    @FunctionalInterface
    public interface StepListener {
        void onStep(int step, int steps, float[][] guidedLogits, int[] tokens);

        /** False when the listener ignores the logits (then none are copied for it and it gets null). */
        default boolean wantsLogits() { return true; }
    }

    /** A listener of progress only. */
    public static StepListener progress(java.util.function.IntConsumer stepsDone) {
        return new StepListener() {
            @Override public void onStep(int step, int steps, float[][] guidedLogits, int[] tokens) { stepsDone.accept(step + 1); }
            @Override public boolean wantsLogits() { return false; }
        };
    }

    /** The uniform in (0, 1] for (step, row); the default draws them in that order from a seeded {@link Rng}. */
    @FunctionalInterface
    public interface Uniforms {
        double next(int step, int row);
    }

    private final GPT gpt;
    private final AtomicBoolean busy = new AtomicBoolean();
    private KVDecoder decoder;

    public Generator(GPT gpt) {
        this.gpt = gpt;
    }

    public GPT gpt() { return gpt; }

    /** The decoder of the last call (its cache size, for reports), or null. */
    public KVDecoder decoder() { return decoder; }

    /** Codes (B, grid²) for {@code classes}, uniforms from {@code options.seed()}. */
    public int[][] generate(int[] classes, GenerationOptions options, StepListener listener) {
        Rng rng = new Rng(options.seed());
        return generate(classes, options, (s, r) -> 1.0 - rng.nextDouble(), listener, gpt.config.tokens());
    }

    /**
     * The first {@code steps} codes of each row (steps ≤ grid²), with the given uniforms.
     *
     * @throws CancellationException when the thread is interrupted or the options' deadline passes
     * @throws IllegalStateException when another thread is using this generator, or it is closed
     */
    public int[][] generate(int[] classes, GenerationOptions options, Uniforms uniforms, StepListener listener, int steps) {
        if (!busy.compareAndSet(false, true)) {
            throw new IllegalStateException("this Generator is already generating on another thread: use one per thread (or an ImageGenerator)");
        }
        try {
            return run(classes, options, uniforms, listener, steps);
        } finally {
            busy.set(false);
        }
    }

    /** Nanoseconds from now to {@code deadline} (negative when past), clamped so that adding them to nanoTime cannot overflow. */
    private static long saturatedNanosUntil(Instant deadline) {
        java.time.Duration d = java.time.Duration.between(Instant.now(), deadline);
        long limit = Long.MAX_VALUE / 4;
        if (d.compareTo(java.time.Duration.ofNanos(limit)) > 0) return limit;
        if (d.compareTo(java.time.Duration.ofNanos(-limit)) < 0) return -limit;
        return d.toNanos();
    }

    /**
     * Stops the call if the thread was interrupted or the deadline passed. The deadline is compared as a
     * {@link System#nanoTime} value fixed once per call ({@code deadlineNanos}), so the per-token check
     * allocates nothing (an {@code Instant.now()} per token would).
     */
    private static void checkCancelled(int s, int steps, Instant deadline, long deadlineNanos) {
        if (Thread.currentThread().isInterrupted()) {
            throw new CancellationException("generation interrupted before step " + s + " of " + steps);
        }
        if (deadline != null && System.nanoTime() - deadlineNanos > 0) {
            throw new CancellationException("generation passed its deadline " + deadline + " before step " + s + " of " + steps);
        }
    }

    private int[][] run(int[] classes, GenerationOptions options, Uniforms uniforms, StepListener listener, int steps) {
        GPTConfig c = gpt.config;
        int b = classes.length;
        if (b == 0) throw new IllegalArgumentException("no classes to generate");
        for (int cl : classes) {
            if (cl < 0 || cl >= c.numClasses()) {
                throw new IllegalArgumentException("class index " + cl + " is out of range [0, " + c.numClasses() + ") for " + c.name());
            }
        }
        if (steps < 1 || steps > c.tokens()) throw new IllegalArgumentException("steps must be in [1, " + c.tokens() + "], got " + steps);
        if (options.guided() && !c.hasNullClass()) {
            throw new IllegalArgumentException("cfg scale " + options.cfgScale() + " needs the null class, but this model has no class dropout row");
        }
        int rows = options.guided() ? 2 * b : b;
        if (decoder == null || decoder.maxRows() != rows || decoder.cacheDType() != options.kvCache()) {
            if (decoder != null) decoder.close();
            decoder = null;
            decoder = new KVDecoder(gpt, rows, options.kvCache());
        }
        decoder.reset();
        int v = c.vocabSize();
        Sampler sampler = new Sampler(options.sampling(), v);
        float[][] guided = new float[b][v];
        float[] uncond = new float[v];
        int[] labels = new int[rows];
        for (int i = 0; i < b; i++) {
            labels[i] = classes[i];
            if (rows > b) labels[b + i] = c.numClasses();
        }
        int[][] codes = new int[b][steps];
        int[] feed = new int[rows];
        int[] drawn = new int[b];
        Instant deadline = options.deadline();
        long deadlineNanos = deadline == null ? 0 : System.nanoTime() + saturatedNanosUntil(deadline);
        for (int s = 0; s < steps; s++) {
            checkCancelled(s, steps, deadline, deadlineNanos);
            boolean cfg = options.guidedAt(s);
            int active = cfg ? rows : b;
            if (s == 0) decoder.prefill(labels);
            else decoder.step(feed, active);
            for (int i = 0; i < b; i++) {
                decoder.copyLogits(i, guided[i]);
                if (cfg) {
                    decoder.copyLogits(b + i, uncond);
                    guide(guided[i], uncond, (float) options.cfgScale());
                }
            }
            if (listener != null) {
                // the listener sees the guided logits before sampling edits them
                float[][] copy = null;
                if (listener.wantsLogits()) {
                    copy = new float[b][];
                    for (int i = 0; i < b; i++) copy[i] = guided[i].clone();
                }
                for (int i = 0; i < b; i++) drawn[i] = sampler.sample(guided[i], uniforms.next(s, i));
                listener.onStep(s, steps, copy, drawn);
            } else {
                for (int i = 0; i < b; i++) drawn[i] = sampler.sample(guided[i], uniforms.next(s, i));
            }
            for (int i = 0; i < b; i++) {
                codes[i][s] = drawn[i];
                feed[i] = drawn[i];
                if (rows > b) feed[b + i] = drawn[i];
            }
        }
        return codes;
    }

    /** Classifier-free guidance in place: {@code cond = uncond + (cond − uncond)·scale} (also {@link BatchGenerator}'s). */
    static void guide(float[] cond, float[] uncond, float scale) {
        for (int j = 0; j < cond.length; j++) cond[j] = uncond[j] + (cond[j] - uncond[j]) * scale;
    }

    /**
     * Runs two batch-1 generations on scratch (guided when the model has a null class) so that the JIT
     * compiles the decode path before the first real request; keeps the decoder for reuse, allocates
     * nothing else. {@link ImageGenerator#warmUp} also warms the image decoder.
     */
    public void warmUp() {
        GenerationOptions options = new GenerationOptions(gpt.config.hasNullClass() ? 1.5 : 1.0, SamplingOptions.defaults(), 0);
        for (int round = 0; round < 2; round++) generate(new int[] {0}, options, null);
    }

    /** Frees the KV decoder; must not run while a call is generating. Idempotent (a later call makes a new decoder). */
    @Override
    public void close() {
        if (!busy.compareAndSet(false, true)) throw new IllegalStateException("this Generator is generating on another thread: close it afterwards");
        try {
            if (decoder != null) decoder.close();
            decoder = null;
        } finally {
            busy.set(false);
        }
    }
}
