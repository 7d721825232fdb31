package org.vfmtok.llama;

/**
 * How the next token is drawn from the (guided) logits: temperature (≥ 0; clamped to 1e-5 inside), top-k
 * (0 = off; 1 = greedy), top-p in (0, 1] (1 = off), and whether to sample at all ({@code false}: arg-max of the
 * filtered distribution, the reference's {@code sample_logits=False}).
 */
public record SamplingOptions(double temperature, int topK, double topP, boolean sample) {
    public SamplingOptions {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        if (topK < 0) throw new IllegalArgumentException("top-k must be >= 0 (0 disables it), got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top-p must be in (0, 1] (1 disables it), got " + topP);
    }

    /** The official defaults: temperature 1, no top-k, no top-p, sampling on. */
    public static SamplingOptions defaults() { return new SamplingOptions(1.0, 0, 1.0, true); }

    /** Arg-max decoding (top-k 1, no sampling). */
    public static SamplingOptions greedy() { return new SamplingOptions(1.0, 1, 1.0, false); }
}
