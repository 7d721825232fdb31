package org.vfmtok.nn.layers;

import org.vfmtok.nn.UnaryModule;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.Norms;

/** LlamaGen's RMSNorm: x·rsqrt(mean(x²) + eps)·weight, weight initialised to 1. */
public final class RMSNorm extends UnaryModule {
    public final Tensor weight;
    private final double eps;

    public RMSNorm(int dim, double eps) {
        this.eps = eps;
        this.weight = parameter("weight", Tensor.ones(dim));
    }

    @Override public Tensor forward(Tensor x) { return Norms.rmsNorm(x, weight, eps); }
}
