package org.vfmtok.vfmtok.model;

import org.vfmtok.nn.Module;
import org.vfmtok.nn.layers.LayerNorm;
import org.vfmtok.nn.layers.Linear;
import org.vfmtok.nn.layers.MultiHeadAttention;
import org.vfmtok.nn.layers.SwiGLUFused;
import org.vfmtok.nn.layers.ModuleList;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.ResampleKernels;
import org.vfmtok.tensor.ops.Indexing;
import org.vfmtok.tensor.ops.Pointwise;
import org.vfmtok.tensor.ops.Resample;

/**
 * {@code decode_transformer} (spec §1.6): a causal pre-norm ViT shared by two branches. The pixel branch
 * reads the quantised slots and emits the latent grid for the pixel decoder; the training-only VFM branch
 * predicts the frozen VFM's last-level features for the semantic loss.
 *
 * <p>Sequence: [norm_post1(slots + slot pos) (T), norm(CLS, G² mask tokens + pos, R registers)], strictly
 * causal, so each image token sees every slot, CLS and earlier image tokens, and the registers (last)
 * influence nothing. The branches differ only in that image side: the pixel branch uses mask_embedding, the
 * position table resized to G_lat² and norm_post1; the VFM branch mask_dino, the G_vfm² table as it is and
 * norm_post2. Both run the one private method {@code decode}.
 */
public final class DecoderViT extends Module {
    final Tensor positionEmbedding;     // (1, 1 + G_pos², dim), G_pos = the VFM grid officially
    final Tensor slotPositionEmbedding; // (1, T, dim)
    final Tensor maskEmbedding;         // (1, 1, dim)
    final Tensor maskDino;              // (1, 1, dim)
    final Tensor clsToken;              // (1, 1, dim)
    final Tensor registerTokens;        // (1, R, dim), R = num_register_tokens (4)
    final LayerNorm normPost1;
    final LayerNorm normPost2;
    final Linear proj;
    final Layers transformer;
    private final TokenizerConfig cfg;

    public DecoderViT(TokenizerConfig cfg, Rng rng) {
        this.cfg = cfg;
        int d = cfg.dim(), g = cfg.posGrid();
        double std = Math.pow(d, -0.5);
        positionEmbedding = parameter("position_embedding", randn(rng, std, 1, 1 + g * g, d));
        slotPositionEmbedding = parameter("slot_position_embedding", randn(rng, std, 1, cfg.tokens(), d));
        maskEmbedding = parameter("mask_embedding", randn(rng, std, 1, 1, d));
        maskDino = parameter("mask_dino", randn(rng, std, 1, 1, d));
        clsToken = parameter("cls_token", randn(rng, std, 1, 1, d));
        registerTokens = parameter("register_tokens", Tensor.zeros(1, cfg.decRegisters(), d));
        transformer = register("transformer", new Layers(cfg, rng));
        normPost1 = register("norm_post1", new LayerNorm(d, 1e-5));
        normPost2 = register("norm_post2", new LayerNorm(d, 1e-5));
        proj = register("proj", new Linear(d, cfg.projDim(), true, rng));
    }

    private static Tensor randn(Rng rng, double std, int... shape) {
        return Init.normal(Tensor.empty(DType.F32, shape), rng, 0, std);
    }

    /**
     * The position table of the latent grid: the VFM-grid table resized with bicubic interpolation and
     * scale factor (G_lat + 0.1) / G_vfm — 21.1/24 officially; PyTorch then maps coordinates with that
     * factor, not with 21/24 (spec §1.6, the main parity trap). Returns (1, G_lat², dim). When the grids
     * agree the table is used as it is (the official {@code interpolate_pos_encoding} returns early).
     */
    Tensor latentPositions() {
        int g = cfg.posGrid();
        Tensor table = positionEmbedding.narrow(1, 1, g * g);
        return g == cfg.latentGrid() ? table : resizePositions(table, g, cfg.latentGrid());
    }

    /** (1, g², D) → (1, gl², D) by bicubic with scale factor (gl + 0.1)/g (not size-based: see above). */
    public static Tensor resizePositions(Tensor grid, int g, int gl) {
        int d = grid.size(2);
        Tensor img = grid.reshape(1, g, g, d).permute(0, 3, 1, 2);
        double s = (gl + 0.1) / g;
        Tensor r = Resample.interpolate(img, new double[] {s, s}, ResampleKernels.Mode.BICUBIC, false, false);
        if (r.size(2) != gl || r.size(3) != gl) throw new IllegalStateException("latent position table is " + r.size(2) + "², expected " + gl + "²");
        return r.permute(0, 2, 3, 1).reshape(1, gl * gl, d);
    }

    /**
     * The image side of one branch: a CLS token, one mask token per cell of a position table, the registers,
     * all through the branch's own LayerNorm.
     *
     * @param mask      (1, 1, dim) the branch's mask token
     * @param positions (1, G², dim) the position table of its grid
     * @param norm      norm_post1 (pixel branch) or norm_post2 (VFM branch)
     */
    private record ImageQueries(Tensor mask, Tensor positions, LayerNorm norm) {
        int cells() { return positions.size(1); }
    }

    /** Pixel branch (spec §1.6 steps 1–6): slots after post_slots_quant (B, T, dim) → latent grid (B, dim, G_lat, G_lat). */
    public Tensor forward(Tensor slots) {
        int b = slots.size(0), d = cfg.dim(), gl = cfg.latentGrid();
        Tensor latent = decode(slots, new ImageQueries(maskEmbedding, latentPositions(), normPost1)); // (B, G_lat², dim)
        return latent.permute(0, 2, 1).reshape(b, d, gl, gl);
    }

    /** Training-only VFM branch (spec §1.6 step 7): slots (B, T, dim) → predicted VFM last-level features (B, G_pos², proj_dim). */
    public Tensor predictVfmFeatures(Tensor slots) {
        int g = cfg.posGrid();
        Tensor tokens = decode(slots, new ImageQueries(maskDino, positionEmbedding.narrow(1, 1, g * g), normPost2)); // (B, G_vfm², dim)
        return proj.forward(tokens);
    }

    /**
     * What both branches share: x = [norm_post1(slots + slot pos), norm(CLS, G² mask tokens, registers)],
     * the causal layers, then the G² mask-token outputs (B, G², dim).
     */
    private Tensor decode(Tensor slots, ImageQueries queries) {
        int b = slots.size(0), d = cfg.dim(), t = cfg.tokens(), cells = queries.cells();
        Tensor memory = normPost1.forward(Pointwise.add(slots, slotPositionEmbedding));             // (B, T, dim)
        Tensor cls = Pointwise.add(clsToken, positionEmbedding.narrow(1, 0, 1));                    // (1, 1, dim)
        Tensor masks = Pointwise.add(queries.mask(), queries.positions());                          // (1, G², dim)
        Tensor image = (cfg.decRegisters() > 0 ? Indexing.concat(1, cls, masks, registerTokens) : Indexing.concat(1, cls, masks))
                .expand(b, 1 + cells + cfg.decRegisters(), d);
        Tensor x = transformer.forward(Indexing.concat(1, memory, queries.norm().forward(image)));  // (B, T + 1 + G² + R, dim)
        return x.narrow(1, t + 1, cells);
    }

    static final class Layers extends Module {
        final ModuleList<Layer> layers;

        Layers(TokenizerConfig cfg, Rng rng) {
            layers = register("layers", new ModuleList<>());
            for (int i = 0; i < cfg.decDepth(); i++) layers.add(new Layer(cfg, rng));
        }

        Tensor forward(Tensor x) {
            for (Layer l : layers) x = l.forward(x);
            return x;
        }
    }

    /** Pre-norm: x + attn1(norm1 x) (causal), x + ffnet(norm2 x). */
    static final class Layer extends Module {
        final LayerNorm norm1;
        final MultiHeadAttention attn1;
        final LayerNorm norm2;
        final SwiGLUFused ffnet;

        Layer(TokenizerConfig cfg, Rng rng) {
            int d = cfg.dim();
            norm1 = register("norm1", new LayerNorm(d, 1e-5));
            attn1 = register("attn1", new MultiHeadAttention(d, cfg.decHeads(), true, true, rng));
            norm2 = register("norm2", new LayerNorm(d, 1e-5));
            ffnet = register("ffnet", new SwiGLUFused(d, cfg.decSwigluHidden(), rng));
        }

        Tensor forward(Tensor x) {
            x = Pointwise.add(x, attn1.forward(norm1.forward(x)));
            return Pointwise.add(x, ffnet.forward(norm2.forward(x)));
        }
    }
}
