package org.vfmtok.nn.layers;

import org.vfmtok.nn.Module;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.PointwiseKernels.BinaryOp;
import org.vfmtok.tensor.ops.Pointwise;

/**
 * Inverted dropout: in training, zeroes each element with probability p and scales the rest by 1/(1-p);
 * identity in eval mode or when p = 0. The generator is the caller's so that a training run can save it.
 */
public final class Dropout extends Module {
    private final double p;
    private final Rng rng;

    public Dropout(double p, Rng rng) {
        if (p < 0 || p >= 1) throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        this.p = p;
        this.rng = rng;
    }

    public Tensor forward(Tensor x) {
        if (!isTraining() || p == 0) return x;
        Tensor u = Init.uniform(Tensor.empty(x.dtype(), x.shape()), rng, 0, 1);
        Tensor keep = Pointwise.compare(BinaryOp.GE, u, Tensor.full(x.dtype(), p, 1)).to(x.dtype());
        return Pointwise.mul(x, keep.mul(1.0 / (1.0 - p)));
    }

    public double p() { return p; }
}
