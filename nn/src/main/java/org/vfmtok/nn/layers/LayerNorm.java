package org.vfmtok.nn.layers;

import org.vfmtok.nn.UnaryModule;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.Norms;

/** nn.LayerNorm over the last dim: weight (1) and bias (0) when affine. */
public final class LayerNorm extends UnaryModule {
    public final Tensor weight;
    public final Tensor bias;
    private final double eps;

    public LayerNorm(int dim, double eps, boolean affine) {
        this.eps = eps;
        this.weight = affine ? parameter("weight", Tensor.ones(dim)) : null;
        this.bias = affine ? parameter("bias", Tensor.zeros(dim)) : null;
    }

    public LayerNorm(int dim, double eps) { this(dim, eps, true); }

    @Override public Tensor forward(Tensor x) { return Norms.layerNorm(x, weight, bias, eps); }
}
