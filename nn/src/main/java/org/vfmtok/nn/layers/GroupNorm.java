package org.vfmtok.nn.layers;

import org.vfmtok.nn.UnaryModule;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.Norms;

/** nn.GroupNorm over (N, C, *) with per-channel affine weight (1) and bias (0). */
public final class GroupNorm extends UnaryModule {
    public final Tensor weight;
    public final Tensor bias;
    private final int groups;
    private final double eps;

    public GroupNorm(int groups, int channels, double eps, boolean affine) {
        if (channels % groups != 0) throw new IllegalArgumentException(channels + " channels do not divide into " + groups + " groups");
        this.groups = groups;
        this.eps = eps;
        this.weight = affine ? parameter("weight", Tensor.ones(channels)) : null;
        this.bias = affine ? parameter("bias", Tensor.zeros(channels)) : null;
    }

    @Override public Tensor forward(Tensor x) { return Norms.groupNorm(x, groups, weight, bias, eps); }
}
