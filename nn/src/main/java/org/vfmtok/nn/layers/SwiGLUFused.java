package org.vfmtok.nn.layers;

import java.util.random.RandomGenerator;
import org.vfmtok.nn.UnaryModule;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.Pointwise;

/**
 * xformers' / DINOv2's {@code SwiGLUFFNFused}: w12 (2·hidden, dim) with bias whose output is split
 * [gate; value], SiLU(gate)·value, then w3 (dim, hidden) with bias.
 */
public final class SwiGLUFused extends UnaryModule {
    public final Linear w12;
    public final Linear w3;
    private final int hidden;

    public SwiGLUFused(int dim, int hidden, RandomGenerator rng) {
        this.hidden = hidden;
        w12 = register("w12", new Linear(dim, 2 * hidden, true, rng));
        w3 = register("w3", new Linear(hidden, dim, true, rng));
    }

    /** The hidden width the fused variant uses for a nominal MLP width: ((int(mlp·2/3) + 7) / 8)·8. */
    public static int hiddenFor(int mlpWidth) { return (mlpWidth * 2 / 3 + 7) / 8 * 8; }

    @Override public Tensor forward(Tensor x) {
        Tensor h = w12.forward(x);
        return w3.forward(Pointwise.mul(Pointwise.silu(h.narrow(-1, 0, hidden)), h.narrow(-1, hidden, hidden)));
    }
}
