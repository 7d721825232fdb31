package org.vfmtok.nn.layers;

import org.vfmtok.nn.UnaryModule;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.Pointwise;

/**
 * Inverted dropout: in training, zeroes each element with probability p and scales the rest by 1/(1-p);
 * identity in eval mode or when p = 0. The generator is the caller's so that a training run can save it.
 */
public final class Dropout extends UnaryModule {
    private final double p;
    private final Rng rng;

    public Dropout(double p, Rng rng) {
        if (p < 0 || p >= 1) throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        this.p = p;
        this.rng = rng;
    }

    @Override public Tensor forward(Tensor x) {
        if (!isTraining() || p == 0) return x;
        // The mask is drawn on the heap, one nextDouble per element in row-major order (the same stream and
        // values as Init.uniform + compare), then applied with one same-shape multiply: per-element tensor
        // writes and a broadcast compare made dropout the slowest part of a small model's training step.
        long n = x.numel();
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("dropout over more than 2^31 elements");
        float[] mask = new float[(int) n];
        float threshold = (float) p, scale = (float) (1.0 / (1.0 - p));
        for (int i = 0; i < mask.length; i++) mask[i] = (float) rng.nextDouble() >= threshold ? scale : 0f;
        Tensor m = Tensor.of(mask, x.shape());
        return Pointwise.mul(x, x.dtype() == DType.F32 ? m : m.to(x.dtype()));
    }

    public double p() { return p; }
}
