package org.vfmtok.vfmtok.model;

import org.vfmtok.nn.Module;
import org.vfmtok.nn.layers.Linear;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.Attention;

/**
 * VFMTok's {@code Attention3}: separate q_proj, k_proj, v_proj, out_proj (with bias), multi-head scaled
 * dot-product attention with scale 1/√head_dim, causal (query i attends 0..i) in both places VFMTok uses it.
 */
public final class Attention3 extends Module {
    final Linear qProj;
    final Linear kProj;
    final Linear vProj;
    final Linear outProj;
    private final int heads;

    public Attention3(int dim, int heads, Rng rng) {
        this.heads = heads;
        qProj = register("q_proj", new Linear(dim, dim, true, rng));
        kProj = register("k_proj", new Linear(dim, dim, true, rng));
        vProj = register("v_proj", new Linear(dim, dim, true, rng));
        outProj = register("out_proj", new Linear(dim, dim, true, rng));
    }

    /** x (B, L, dim) → (B, L, dim), causal self-attention. */
    public Tensor forward(Tensor x) {
        int b = x.size(0), l = x.size(1), d = x.size(2), hd = d / heads;
        Tensor q = qProj.forward(x).reshape(b, l, heads, hd).transpose(1, 2);
        Tensor k = kProj.forward(x).reshape(b, l, heads, hd).transpose(1, 2);
        Tensor v = vProj.forward(x).reshape(b, l, heads, hd).transpose(1, 2);
        Tensor o = Attention.scaledDotProductAttention(q, k, v, null, true); // (B, H, L, hd)
        return outProj.forward(o.transpose(1, 2).reshape(b, l, d));
    }
}
