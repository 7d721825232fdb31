package org.vfmtok.vfmtok.model;

import java.util.List;
import org.vfmtok.nn.Module;
import org.vfmtok.nn.layers.LayerNorm;
import org.vfmtok.nn.layers.Linear;
import org.vfmtok.nn.layers.MultiHeadAttention;
import org.vfmtok.nn.layers.ModuleList;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;
import org.vfmtok.tensor.ops.Indexing;
import org.vfmtok.tensor.ops.Pointwise;

/**
 * {@code encode_transformer} without its frozen backbone (spec §1.3–1.4): per-level projectors, then the
 * region-adaptive sampler — anchor queries refined by a 6-layer deformable transformer that samples the
 * multi-level VFM features — giving one slot per token.
 *
 * <p>Without a sampler ({@code encDepth} 0, Table 1's pilot "VQGAN (VFM)") only the projector of the single
 * level remains: each VFM grid cell's projected feature is a token (576 at 336 px for a /14 VFM).
 */
public final class SlotEncoder extends Module {
    final Tensor carrierTokens; // (1, T, dim)
    final Tensor slotsPos;      // (1, T, dim)
    final ModuleList<Projector> projectors;
    final ModuleList<LayerNorm> normLayers;
    final Transformer transformer;
    final LayerNorm normPre1;
    private final TokenizerConfig cfg;
    private final Tensor reference; // (T, 2)

    public SlotEncoder(TokenizerConfig cfg, Rng rng) {
        this.cfg = cfg;
        int t = cfg.tokens(), d = cfg.dim();
        double std = Math.pow(d, -0.5);
        boolean sampler = cfg.deformableSampler();
        carrierTokens = sampler ? parameter("carrier_tokens", Init.normal(Tensor.empty(DType.F32, 1, t, d), rng, 0, std)) : null;
        slotsPos = sampler ? parameter("slots_pos", Init.normal(Tensor.empty(DType.F32, 1, t, d), rng, 0, std)) : null;
        projectors = register("projectors", new ModuleList<>());
        normLayers = register("norm_layers", new ModuleList<>());
        for (int l = 0; l < cfg.levels(); l++) {
            projectors.add(new Projector(cfg.vfm().embedDim(), d, rng));
            normLayers.add(new LayerNorm(d, 1e-5));
        }
        transformer = sampler ? register("transformer", new Transformer(cfg, rng)) : null;
        normPre1 = sampler ? register("norm_pre1", new LayerNorm(d, 1e-5)) : null;
        try (Grad.Mode ng = Grad.noGrad()) {
            reference = sampler ? MSDeformAttn.gridReferencePoints(cfg.anchorGrid()) : null; // with the weights, in the model's scope
        }
    }

    /** features: the VFM levels, each (B, G², C_vfm) → slots (B, T, dim). */
    public Tensor forward(List<Tensor> features) {
        int b = features.get(0).size(0), g = cfg.vfmGrid();
        Tensor[] projected = new Tensor[features.size()];
        int[][] shapes = new int[features.size()][];
        for (int l = 0; l < features.size(); l++) {
            projected[l] = normLayers.get(l).forward(projectors.get(l).forward(features.get(l))); // (B, G², dim)
            shapes[l] = new int[] {g, g};
        }
        if (transformer == null) return projected[0]; // the pilot: one token per VFM grid cell, (B, G², dim)
        MSDeformAttn.ValueMaps value = new MSDeformAttn.ValueMaps(Indexing.concat(1, projected), shapes); // (B, L·G², dim)
        Tensor src = normPre1.forward(carrierTokens).expand(b, cfg.tokens(), cfg.dim());                 // (B, T, dim)
        for (DeformableLayer layer : transformer.layers) src = layer.forward(src, slotsPos, reference, value);
        return src;
    }

    /** MLP(C→dim→dim): mlp.0 Linear (no bias), mlp.1 LayerNorm, ReLU, mlp.3 Linear (no bias), mlp.4 LayerNorm. */
    static final class Projector extends Module {
        final Mlp mlp;

        Projector(int in, int dim, Rng rng) { mlp = register("mlp", new Mlp(in, dim, rng)); }

        Tensor forward(Tensor x) { return mlp.forward(x); }

        static final class Mlp extends Module {
            final Linear l0;
            final LayerNorm l1;
            final Linear l3;
            final LayerNorm l4;

            Mlp(int in, int dim, Rng rng) {
                l0 = register("0", new Linear(in, dim, false, rng));
                l1 = register("1", new LayerNorm(dim, 1e-5));
                register("2", new Relu());
                l3 = register("3", new Linear(dim, dim, false, rng));
                l4 = register("4", new LayerNorm(dim, 1e-5));
            }

            Tensor forward(Tensor x) { return l4.forward(l3.forward(Pointwise.relu(l1.forward(l0.forward(x))))); }
        }

        /** Index placeholder for nn.ReLU inside nn.Sequential (no parameters). */
        static final class Relu extends Module {}
    }

    static final class Transformer extends Module {
        final ModuleList<DeformableLayer> layers;

        Transformer(TokenizerConfig cfg, Rng rng) {
            layers = register("layers", new ModuleList<>());
            for (int i = 0; i < cfg.encDepth(); i++) layers.add(new DeformableLayer(cfg, rng));
        }
    }

    /**
     * Post-norm layer: deformable cross-attention to the VFM features, causal self-attention among the
     * queries (q, k and v all from src + pos), ReLU FFN.
     */
    static final class DeformableLayer extends Module {
        final MSDeformAttn crossAttn;
        final LayerNorm norm1;
        final MultiHeadAttention selfAttn;
        final LayerNorm norm3;
        final Linear linear1;
        final Linear linear2;
        final LayerNorm norm2;

        DeformableLayer(TokenizerConfig cfg, Rng rng) {
            int d = cfg.dim();
            crossAttn = register("cross_attn", new MSDeformAttn(d, cfg.levels(), cfg.encHeads(), cfg.nPoints(), rng));
            norm1 = register("norm1", new LayerNorm(d, 1e-5));
            selfAttn = register("self_attn", new MultiHeadAttention(d, cfg.encHeads(), true, true, rng));
            norm3 = register("norm3", new LayerNorm(d, 1e-5));
            linear1 = register("linear1", new Linear(d, cfg.encFfn(), true, rng));
            linear2 = register("linear2", new Linear(cfg.encFfn(), d, true, rng));
            norm2 = register("norm2", new LayerNorm(d, 1e-5));
        }

        /** src (B, T, dim), pos (1, T, dim), reference (T, 2) → (B, T, dim). */
        Tensor forward(Tensor src, Tensor pos, Tensor reference, MSDeformAttn.ValueMaps value) {
            Tensor src2 = crossAttn.forward(Pointwise.add(src, pos), reference, value);
            src = norm1.forward(Pointwise.add(src, src2));
            Tensor tgt2 = selfAttn.forward(Pointwise.add(src, pos));
            src = norm3.forward(Pointwise.add(src, tgt2));
            Tensor ffn = linear2.forward(Pointwise.relu(linear1.forward(src)));
            return norm2.forward(Pointwise.add(src, ffn));
        }
    }
}
