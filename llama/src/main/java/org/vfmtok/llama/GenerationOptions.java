package org.vfmtok.llama;

/**
 * Class-conditional generation settings ({@code generate.py}): classifier-free guidance scale (≥ 1; 1 = no
 * guidance, a single batch) and interval ({@code cfg_interval}: −1 = always; else guidance for decode steps
 * i ≤ interval, the prefill always guided), sampling, the seed of the uniforms the sampler draws, and the
 * storage type of the KV cache ({@link KVCacheDType#F32} unless chosen with {@link #withKvCache}), and an
 * optional deadline ({@link #withDeadline}; null = none) after which a generation stops with a
 * {@link java.util.concurrent.CancellationException}.
 */
public record GenerationOptions(double cfgScale, int cfgInterval, SamplingOptions sampling, long seed, KVCacheDType kvCache,
                                java.time.Instant deadline) {
    public GenerationOptions {
        if (!(cfgScale >= 1) || Double.isInfinite(cfgScale)) {
            throw new IllegalArgumentException("cfg scale must be >= 1 (1 disables guidance), got " + cfgScale);
        }
        if (cfgInterval < -1) throw new IllegalArgumentException("cfg interval must be >= -1 (-1 = guidance at every step), got " + cfgInterval);
        if (sampling == null) throw new IllegalArgumentException("sampling options are required");
        if (kvCache == null) throw new IllegalArgumentException("KV-cache dtype is required");
    }

    /** Without a deadline. */
    public GenerationOptions(double cfgScale, int cfgInterval, SamplingOptions sampling, long seed, KVCacheDType kvCache) {
        this(cfgScale, cfgInterval, sampling, seed, kvCache, null);
    }

    /** With an F32 KV cache. */
    public GenerationOptions(double cfgScale, int cfgInterval, SamplingOptions sampling, long seed) { this(cfgScale, cfgInterval, sampling, seed, KVCacheDType.F32); }

    public GenerationOptions(double cfgScale, SamplingOptions sampling, long seed) { this(cfgScale, -1, sampling, seed); }

    /** These options with the KV cache stored as {@code kvCache}. */
    public GenerationOptions withKvCache(KVCacheDType kvCache) { return new GenerationOptions(cfgScale, cfgInterval, sampling, seed, kvCache, deadline); }

    /** These options with a deadline (checked before every decode step; null = none). */
    public GenerationOptions withDeadline(java.time.Instant deadline) { return new GenerationOptions(cfgScale, cfgInterval, sampling, seed, kvCache, deadline); }

    public boolean guided() { return cfgScale > 1.0; }

    /** Whether sequence step s (0 = the prefill, decode step i = s − 1) combines cond and uncond logits. */
    public boolean guidedAt(int s) { return guided() && (cfgInterval < 0 || s - 1 <= cfgInterval); }
}
