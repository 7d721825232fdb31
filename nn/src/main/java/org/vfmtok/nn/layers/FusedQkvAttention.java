package org.vfmtok.nn.layers;

import java.util.random.RandomGenerator;
import org.vfmtok.nn.UnaryModule;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.Attention;

/**
 * Multi-head self-attention with one fused projection whose output rows are [q; k; v], each head-major
 * (DINOv2's {@code attn.qkv}/{@code attn.proj}, timm's ViT, LlamaGen's {@code wqkv}/{@code wo}: the key
 * names are parameters), scale 1/√head_dim, optionally causal.
 */
public final class FusedQkvAttention extends UnaryModule {
    public final Linear qkv;
    public final Linear proj;
    private final int heads;
    private final boolean causal;

    public FusedQkvAttention(int dim, int heads, boolean bias, boolean causal, String qkvName, String projName, RandomGenerator rng) {
        if (dim % heads != 0) throw new IllegalArgumentException("dim " + dim + " is not divisible by " + heads + " heads");
        this.heads = heads;
        this.causal = causal;
        qkv = register(qkvName, new Linear(dim, 3 * dim, bias, rng));
        proj = register(projName, new Linear(dim, dim, bias, rng));
    }

    /** x (B, L, dim) → (B, L, dim). */
    @Override public Tensor forward(Tensor x) {
        int b = x.size(0), n = x.size(1), d = x.size(2), hd = d / heads;
        Tensor t = qkv.forward(x).reshape(b, n, 3, heads, hd).permute(2, 0, 3, 1, 4); // (3, B, H, n, hd)
        Tensor o = Attention.scaledDotProductAttention(t.select(0, 0), t.select(0, 1), t.select(0, 2), null, causal);
        return proj.forward(o.permute(0, 2, 1, 3).reshape(b, n, d));
    }
}
