package org.vfmtok.nn.layers;

import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;
import org.vfmtok.tensor.ops.MatMul;
import org.vfmtok.tensor.ops.Pointwise;
import org.vfmtok.tensor.ops.Reductions;

/**
 * The computation of torch.nn.utils.spectral_norm, for modules that keep its state under PyTorch's keys:
 * {@code weight_orig} (the trained parameter), {@code weight_u} (out) and {@code weight_v} (in·k). In
 * training, power iterations update u and v in place without grad; σ = uᵀ·W·v, and W/σ is differentiable
 * through W only, as in PyTorch.
 */
public final class SpectralNorm {
    private SpectralNorm() {}

    /** A random unit vector of length n (PyTorch: normalize(normal(0, 1))). */
    public static Tensor randomUnit(int n, Rng rng) {
        return normalize(Init.normal(Tensor.empty(DType.F32, n), rng, 0, 1), 1e-12);
    }

    static Tensor normalize(Tensor t, double eps) {
        try (Grad.Mode ng = Grad.noGrad()) {
            Tensor n = Pointwise.clamp(Pointwise.sqrt(Reductions.sum(Pointwise.square(t), null, false)), eps, Double.POSITIVE_INFINITY);
            return Pointwise.div(t, n);
        }
    }

    /** W / σ(W), shaped like {@code weightOrig}; updates u and v first when {@code training}. */
    public static Tensor normalizedWeight(Tensor weightOrig, Tensor u, Tensor v, boolean training, int iterations, double eps) {
        Tensor w2d = weightOrig.reshape(weightOrig.size(0), -1);
        if (training) {
            try (Grad.Mode ng = Grad.noGrad()) {
                Tensor w = w2d.detach();
                for (int i = 0; i < iterations; i++) {
                    v.copyFrom(normalize(MatMul.matmul(w.mT(), u), eps));
                    u.copyFrom(normalize(MatMul.matmul(w, v), eps));
                }
            }
        }
        Tensor sigma = Reductions.sum(Pointwise.mul(u.detach(), MatMul.matmul(w2d, v.detach())), null, false);
        return Pointwise.div(weightOrig, sigma);
    }
}
