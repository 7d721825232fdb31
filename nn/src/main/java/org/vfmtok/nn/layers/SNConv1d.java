package org.vfmtok.nn.layers;

import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.Conv;

/**
 * {@code spectral_norm(nn.Conv1d(...))}: keys bias, weight_orig, weight_u, weight_v (the DINO
 * discriminator's heads). One power iteration per training forward.
 */
public final class SNConv1d extends ConvNd {
    /** The unnormalised weight, key {@code weight_orig} (the same tensor as {@link #weight}). */
    public final Tensor weightOrig;
    public final Tensor u;
    public final Tensor v;

    public SNConv1d(int in, int out, int kernel, int padding, Conv.PaddingMode mode, Rng rng) {
        super(1, in, out, kernel, 1, padding, 1, 1, true, mode, rng, WeightKey.SPECTRAL_NORM);
        this.weightOrig = weight;
        this.u = buffer("weight_u", SpectralNorm.randomUnit(out, rng));
        this.v = buffer("weight_v", SpectralNorm.randomUnit(in * kernel, rng));
    }

    @Override public Tensor forward(Tensor x) {
        Tensor w = SpectralNorm.normalizedWeight(weightOrig, u, v, isTraining(), 1, 1e-12);
        return Conv.conv1d(x, w, bias, 1, padding, 1, 1, mode);
    }
}
