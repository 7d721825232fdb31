package org.vfmtok.llama;

/**
 * Class-conditional generation settings ({@code generate.py}): classifier-free guidance scale (≥ 1; 1 = no
 * guidance, a single batch) and interval ({@code cfg_interval}: −1 = always; else guidance for decode steps
 * i ≤ interval, the prefill always guided), sampling, and the seed of the uniforms the sampler draws.
 */
public record GenerationOptions(double cfgScale, int cfgInterval, SamplingOptions sampling, long seed) {
    public GenerationOptions {
        if (!(cfgScale >= 1) || Double.isInfinite(cfgScale)) {
            throw new IllegalArgumentException("cfg scale must be >= 1 (1 disables guidance), got " + cfgScale);
        }
        if (cfgInterval < -1) throw new IllegalArgumentException("cfg interval must be >= -1 (-1 = guidance at every step), got " + cfgInterval);
        if (sampling == null) throw new IllegalArgumentException("sampling options are required");
    }

    public GenerationOptions(double cfgScale, SamplingOptions sampling, long seed) { this(cfgScale, -1, sampling, seed); }

    public boolean guided() { return cfgScale > 1.0; }

    /** Whether sequence step s (0 = the prefill, decode step i = s − 1) combines cond and uncond logits. */
    public boolean guidedAt(int s) { return guided() && (cfgInterval < 0 || s - 1 <= cfgInterval); }
}
