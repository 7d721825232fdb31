package org.vfmtok.nn.layers;

import java.util.random.RandomGenerator;
import org.vfmtok.nn.UnaryModule;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.Pointwise;

/**
 * LlamaGen's FeedForward, w2(SiLU(w1·x) ⊙ w3·x), no biases; keys w1, w3 (hidden, dim), w2 (dim, hidden).
 * Test-only: the plain composition of nn layers that the PyTorch parity fixture checks (the GPT runs its
 * own fused feed-forward).
 */
public final class SwiGLU extends UnaryModule {
    public final Linear w1;
    public final Linear w3;
    public final Linear w2;

    public SwiGLU(int dim, int hidden, RandomGenerator rng) {
        w1 = register("w1", new Linear(dim, hidden, false, rng));
        w3 = register("w3", new Linear(dim, hidden, false, rng));
        w2 = register("w2", new Linear(hidden, dim, false, rng));
    }

    @Override public Tensor forward(Tensor x) { return w2.forward(Pointwise.mul(Pointwise.silu(w1.forward(x)), w3.forward(x))); }
}
