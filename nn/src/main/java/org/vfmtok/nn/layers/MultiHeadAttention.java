package org.vfmtok.nn.layers;

import java.util.random.RandomGenerator;
import org.vfmtok.nn.UnaryModule;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.Attention;

/**
 * Multi-head self-attention with separate q_proj, k_proj, v_proj and out_proj (the layout of VFMTok's
 * {@code Attention3} and of most Hugging Face models), scale 1/√head_dim, optionally causal.
 */
public final class MultiHeadAttention extends UnaryModule {
    public final Linear qProj;
    public final Linear kProj;
    public final Linear vProj;
    public final Linear outProj;
    private final int heads;
    private final boolean causal;

    public MultiHeadAttention(int dim, int heads, boolean bias, boolean causal, RandomGenerator rng) {
        if (dim % heads != 0) throw new IllegalArgumentException("dim " + dim + " is not divisible by " + heads + " heads");
        this.heads = heads;
        this.causal = causal;
        qProj = register("q_proj", new Linear(dim, dim, bias, rng));
        kProj = register("k_proj", new Linear(dim, dim, bias, rng));
        vProj = register("v_proj", new Linear(dim, dim, bias, rng));
        outProj = register("out_proj", new Linear(dim, dim, bias, rng));
    }

    /** x (B, L, dim) → (B, L, dim). */
    @Override public Tensor forward(Tensor x) {
        int b = x.size(0), l = x.size(1), d = x.size(2), hd = d / heads;
        Tensor q = qProj.forward(x).reshape(b, l, heads, hd).transpose(1, 2);
        Tensor k = kProj.forward(x).reshape(b, l, heads, hd).transpose(1, 2);
        Tensor v = vProj.forward(x).reshape(b, l, heads, hd).transpose(1, 2);
        Tensor o = Attention.scaledDotProductAttention(q, k, v, null, causal); // (B, H, L, hd)
        return outProj.forward(o.transpose(1, 2).reshape(b, l, d));
    }
}
