package org.vfmtok.nn.layers;

import org.vfmtok.nn.Module;
import org.vfmtok.nn.init.Initializers;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.Conv;

/**
 * {@code spectral_norm(nn.Conv1d(...))}: keys bias, weight_orig, weight_u, weight_v (the DINO
 * discriminator's heads). One power iteration per training forward.
 */
public final class SNConv1d extends Module {
    public final Tensor bias;
    public final Tensor weightOrig;
    public final Tensor u;
    public final Tensor v;
    private final int padding;
    private final Conv.PaddingMode mode;

    public SNConv1d(int in, int out, int kernel, int padding, Conv.PaddingMode mode, Rng rng) {
        this.padding = padding;
        this.mode = mode;
        Tensor w = Tensor.empty(DType.F32, out, in, kernel);
        Tensor b = Tensor.empty(DType.F32, out);
        Initializers.linearDefault(w, b, rng);
        this.bias = parameter("bias", b);
        this.weightOrig = parameter("weight_orig", w);
        this.u = buffer("weight_u", SpectralNorm.randomUnit(out, rng));
        this.v = buffer("weight_v", SpectralNorm.randomUnit(in * kernel, rng));
    }

    public Tensor forward(Tensor x) {
        Tensor w = SpectralNorm.normalizedWeight(weightOrig, u, v, isTraining(), 1, 1e-12);
        return Conv.conv1d(x, w, bias, 1, padding, 1, 1, mode);
    }
}
