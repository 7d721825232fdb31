package org.vfmtok.vfmtok.train;

import java.util.LinkedHashMap;
import java.util.Map;
import org.vfmtok.vfmtok.model.TokenizerConfig;
import org.vfmtok.vfmtok.vfm.Dinov2Config;
import org.vfmtok.vfmtok.vfm.VisionTowerConfig;

/** Tokenizer configs for training: the demo geometry, and writing a config as the JSON that {@link TokenizerConfig#load} reads. */
public final class TokenizerConfigs {
    private TokenizerConfigs() {}

    /**
     * The demo tokenizer: 24×24 images, 16 tokens (a 4×4 anchor grid), a 128-entry codebook of 8-dim codes,
     * width 32, one deformable layer, two decoder layers, an 8-channel pixel decoder upsampling 6×6 → 24×24,
     * over a 4-layer random ViT with 4×4 patches that sees the images enlarged to 28 px (a 7×7 grid: the VFM
     * input resize of the official code). Small enough to train on two CPU cores in minutes. The VFM grid
     * differs from the 6×6 latent grid on purpose: with equal grids the official decoder uses its position
     * table as it is for both branches, which this tiny from-scratch model learns less well from.
     */
    public static TokenizerConfig demo() {
        Dinov2Config vfm = RandomVfm.tinyConfig(28, 4, 32, 4, 2).withInputSize(28);
        return new TokenizerConfig(24, 4, 32, 1, 2, 64, 2, 16, 2, 2, 96, 128, 8, 32, 8, new int[] {1, 2, 2}, 1, 4, 1024, vfm);
    }

    /**
     * A CPU-sized DINO discriminator for the demo geometry: a random 2-block ViT (width 16, patch 8) at 32 px,
     * two heads, kernel 3, BatchNormLocal over virtual batches of 2 (the official 8 would need batches of 8 per rank).
     */
    public static DinoDiscriminator.Config demoDiscriminator() {
        return new DinoDiscriminator.Config(RandomVfm.tinyConfig(32, 8, 16, 2, 2), 32, new int[] {0, 1}, 3, 2);
    }

    /** The JSON form (keys of tools/reference/*_config.json). */
    public static Map<String, Object> toMap(TokenizerConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("image_size", c.imageSize());
        m.put("patch_size", c.patchSize());
        Map<String, Object> vfm = switch (c.vfm()) {
            case Dinov2Config v -> dinov2(v);
            case VisionTowerConfig t -> tower(t);
        };
        m.put("vfm", vfm);
        return finish(m, c);
    }

    private static Map<String, Object> tower(VisionTowerConfig t) {
        Map<String, Object> vfm = new LinkedHashMap<>();
        vfm.put("family", t.familyName());
        vfm.put("arch", "custom");
        vfm.put("name", t.name());
        vfm.put("embed_dim", t.embedDim());
        vfm.put("depth", t.depth());
        vfm.put("num_heads", t.numHeads());
        vfm.put("mlp_hidden", t.mlpHidden());
        vfm.put("patch_size", t.patchSize());
        vfm.put("img_size_pretrain", t.pretrainImageSize());
        vfm.put("ln_eps", t.lnEps());
        vfm.put("levels", t.levels());
        vfm.put("norm_last", t.normLast());
        vfm.put("input_size", t.inputSize());
        return vfm;
    }

    private static Map<String, Object> dinov2(Dinov2Config v) {
        Map<String, Object> vfm = new LinkedHashMap<>();
        vfm.put("arch", "custom");
        vfm.put("name", v.name());
        vfm.put("embed_dim", v.embedDim());
        vfm.put("depth", v.depth());
        vfm.put("num_heads", v.numHeads());
        vfm.put("patch_size", v.patchSize());
        vfm.put("num_registers", v.numRegisters());
        vfm.put("ffn", v.swiglu() ? "swiglufused" : "mlp");
        vfm.put("mlp_hidden", v.mlpHidden());
        vfm.put("levels", v.levels());
        vfm.put("img_size_pretrain", v.pretrainImageSize());
        vfm.put("ln_eps", v.lnEps());
        vfm.put("interpolate_antialias", v.interpolateAntialias());
        vfm.put("interpolate_offset", v.interpolateOffset());
        if (v.inputSize() > 0) vfm.put("input_size", v.inputSize());
        return vfm;
    }

    private static Map<String, Object> finish(Map<String, Object> m, TokenizerConfig c) {
        Map<String, Object> enc = new LinkedHashMap<>();
        enc.put("dim", c.dim());
        enc.put("depth", c.encDepth());
        enc.put("heads", c.encHeads());
        enc.put("ffn_dim", c.encFfn());
        enc.put("n_points", c.nPoints());
        enc.put("n_carrier", c.nCarrier());
        m.put("encoder", enc);
        m.put("codebook_size", c.codebookSize());
        m.put("codebook_embed_dim", c.codeDim());
        m.put("codebook_used_len", c.codebookUsedLen());
        Map<String, Object> dec = new LinkedHashMap<>();
        dec.put("depth", c.decDepth());
        dec.put("heads", c.decHeads());
        dec.put("mlp_dim", c.decMlp());
        dec.put("num_registers", c.decRegisters());
        dec.put("pos_grid", c.posGrid());
        dec.put("proj_dim", c.projDim());
        m.put("decoder", dec);
        Map<String, Object> pix = new LinkedHashMap<>();
        pix.put("ch", c.ch());
        pix.put("ch_mult", c.chMult());
        pix.put("num_res_blocks", c.numResBlocks());
        pix.put("z_channels", c.zChannels());
        pix.put("gn_groups", c.gnGroups());
        m.put("pixel_decoder", pix);
        return m;
    }

    public static String toJson(TokenizerConfig c) { return JsonOut.write(toMap(c)); }
}
