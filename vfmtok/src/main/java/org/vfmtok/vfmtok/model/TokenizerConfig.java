package org.vfmtok.vfmtok.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.vfmtok.tensor.io.ConfigValues;
import org.vfmtok.tensor.io.Json;
import org.vfmtok.vfmtok.vfm.Dinov2Config;

/**
 * Every architecture number of the VFMTok tokenizer. {@link #official()} is the released model
 * (configs/vit_transformer.yaml with the README's --codebook-size 16384 --codebook-slots-embed-dim 12
 * --z-channels 512); {@link #load} reads a JSON file whose absent fields keep the official values.
 *
 * @param imageSize    input side in pixels (336)
 * @param patchSize    pixel-decoder patch (16): latent grid = imageSize / patchSize
 * @param dim          transformer width (512)
 * @param encDepth     deformable encoder layers (6)
 * @param encHeads     heads of the deformable and self attention (8)
 * @param encFfn       deformable encoder FFN width (min(4·dim, 1024))
 * @param nPoints      sampling points per head and level (4)
 * @param nCarrier     anchor queries = tokens (256, a square)
 * @param decDepth     decoder ViT layers (6)
 * @param decHeads     decoder ViT heads (8)
 * @param decMlp       decoder mlp_dim before SwiGLU's 2/3 rounding (2048)
 * @param codebookSize entries (16384)
 * @param codeDim      codebook vector size (12)
 * @param zChannels    pixel decoder input channels (512)
 * @param ch           pixel decoder base channels (128)
 * @param chMult       pixel decoder channel multipliers (1,1,2,2,4)
 * @param numResBlocks res blocks per level, +1 in the decoder (1 → 2)
 * @param gnGroups     GroupNorm groups of the pixel decoder (32)
 * @param codebookUsedLen length of the quantizer's usage ring buffer (65536)
 * @param vfm          the frozen VFM
 */
public record TokenizerConfig(int imageSize, int patchSize, int dim, int encDepth, int encHeads, int encFfn, int nPoints,
                              int nCarrier, int decDepth, int decHeads, int decMlp, int codebookSize, int codeDim,
                              int zChannels, int ch, int[] chMult, int numResBlocks, int gnGroups, int codebookUsedLen,
                              Dinov2Config vfm) {

    public TokenizerConfig {
        // sizes first, named by their JSON keys: a zero would otherwise surface as a bare "/ by zero" below or deep in a layer
        atLeast(1, "image_size", imageSize);
        atLeast(1, "patch_size", patchSize);
        atLeast(1, "encoder.dim", dim);
        atLeast(1, "encoder.depth", encDepth);
        atLeast(1, "encoder.heads", encHeads);
        atLeast(1, "encoder.ffn_dim", encFfn);
        atLeast(1, "encoder.n_points", nPoints);
        atLeast(1, "n_carrier", nCarrier);
        atLeast(1, "decoder.depth", decDepth);
        atLeast(1, "decoder.heads", decHeads);
        atLeast(1, "decoder.mlp_dim", decMlp);
        atLeast(1, "codebook_size", codebookSize);
        atLeast(1, "codebook_embed_dim", codeDim);
        atLeast(1, "pixel_decoder.z_channels", zChannels);
        atLeast(1, "pixel_decoder.ch", ch);
        if (chMult.length == 0) throw new IllegalArgumentException("pixel_decoder.ch_mult must not be empty");
        for (int m : chMult) atLeast(1, "pixel_decoder.ch_mult entries", m);
        atLeast(0, "pixel_decoder.num_res_blocks", numResBlocks);
        atLeast(1, "pixel_decoder.gn_groups", gnGroups);
        atLeast(1, "codebook_used_len", codebookUsedLen);
        int side = (int) Math.round(Math.sqrt(nCarrier));
        if (side * side != nCarrier) throw new IllegalArgumentException("n_carrier must be a square, got " + nCarrier);
        if (imageSize % patchSize != 0) throw new IllegalArgumentException("image_size " + imageSize + " is not a multiple of patch_size " + patchSize);
        if (imageSize % vfm.patchSize() != 0) throw new IllegalArgumentException("image_size " + imageSize + " is not a multiple of the VFM patch " + vfm.patchSize());
        if (dim % encHeads != 0 || dim % decHeads != 0) throw new IllegalArgumentException("dim " + dim + " not divisible by the heads");
        for (int m : chMult) {
            if ((ch * m) % gnGroups != 0) throw new IllegalArgumentException("pixel decoder width " + ch * m + " not divisible by " + gnGroups + " GroupNorm groups");
        }
    }

    private static void atLeast(int min, String key, int value) {
        if (value < min) throw new IllegalArgumentException("tokenizer config: '" + key + "' must be at least " + min + ", got " + value);
    }

    public static TokenizerConfig official() {
        return new TokenizerConfig(336, 16, 512, 6, 8, Math.min(4 * 512, 1024), 4, 256, 6, 8, 2048, 16384, 12, 512, 128,
                new int[] {1, 1, 2, 2, 4}, 1, 32, 65536, Dinov2Config.vfmtokDefault());
    }

    /** Tokens per image (the anchor grid). */
    public int tokens() { return nCarrier; }

    public int anchorGrid() { return (int) Math.round(Math.sqrt(nCarrier)); }

    /** Side of the VFM patch grid (24). */
    public int vfmGrid() { return imageSize / vfm.patchSize(); }

    /** Side of the pixel latent grid (21). */
    public int latentGrid() { return imageSize / patchSize; }

    /** Number of VFM feature levels fed to the sampler (4). */
    public int levels() { return vfm.levels().length; }

    /** SwiGLU hidden width of the decoder ViT: ((int(mlp·2/3) + 7) / 8)·8 = 1368. */
    public int decSwigluHidden() { return org.vfmtok.nn.layers.SwiGLUFused.hiddenFor(decMlp); }

    /** Reads a JSON config; keys as in tools/reference/*_config.json, absent keys keep official values. */
    public static TokenizerConfig load(Path file) throws IOException {
        return Json.readObject(file, TokenizerConfig::fromMap);
    }

    // Every key of the JSON form. Keys of tools/reference/*_config.json that describe fixed parts of the
    // architecture (mlp_ratio, qkv_bias, decoder.dim, ...) and "derived" blocks are accepted and not read.
    private static final List<String> TOP_KEYS = List.of("name", "comment", "image_size", "patch_size", "dim", "n_carrier", "vfm", "encoder",
            "codebook_size", "codebook_embed_dim", "codebook_l2_norm", "codebook_used_len", "decoder", "pixel_decoder");
    private static final List<String> VFM_KEYS = List.of("arch", "name", "embed_dim", "depth", "num_heads", "mlp_ratio", "mlp_hidden", "patch_size",
            "num_registers", "ffn", "qkv_bias", "layerscale", "ln_eps", "levels", "img_size_pretrain", "interpolate_antialias",
            "interpolate_offset", "mean", "std", "derived");
    private static final List<String> ENCODER_KEYS = List.of("dim", "depth", "heads", "ffn_dim", "n_levels", "n_points", "n_carrier", "ln_eps", "derived");
    private static final List<String> DECODER_KEYS = List.of("dim", "depth", "heads", "mlp_dim", "patch_size", "num_registers", "pos_grid", "proj_dim",
            "ln_eps", "derived");
    private static final List<String> PIXEL_DECODER_KEYS = List.of("ch", "ch_mult", "num_res_blocks", "z_channels", "gn_groups", "gn_eps",
            "out_channels", "derived");

    static TokenizerConfig fromMap(Map<?, ?> m) {
        TokenizerConfig d = official();
        ConfigValues.requireKnownKeys(m, "", TOP_KEYS);
        Map<?, ?> enc = sub(m, "encoder"), dec = sub(m, "decoder"), pix = sub(m, "pixel_decoder"), v = sub(m, "vfm");
        ConfigValues.requireKnownKeys(v, "vfm.", VFM_KEYS);
        ConfigValues.requireKnownKeys(enc, "encoder.", ENCODER_KEYS);
        ConfigValues.requireKnownKeys(dec, "decoder.", DECODER_KEYS);
        ConfigValues.requireKnownKeys(pix, "pixel_decoder.", PIXEL_DECODER_KEYS);
        Object ffn = v.get("ffn");
        if (ffn != null && !"mlp".equals(ffn) && !"swiglufused".equals(ffn)) {
            throw new IllegalArgumentException("'vfm.ffn' must be \"mlp\" or \"swiglufused\", got " + ffn);
        }
        Dinov2Config dv = d.vfm();
        if (v.containsKey("arch") && !"custom".equals(v.get("arch"))) dv = Dinov2Config.named((String) v.get("arch"));
        int embed = i(v, "embed_dim", dv.embedDim()), depth = i(v, "depth", dv.depth());
        boolean swiglu = "swiglufused".equals(s(v, "ffn", dv.swiglu() ? "swiglufused" : "mlp"));
        int mlpHidden = i(v, "mlp_hidden", swiglu ? org.vfmtok.nn.layers.SwiGLUFused.hiddenFor(embed * 4) : embed * 4);
        int[] levels = v.containsKey("levels") ? ints(v.get("levels")) : (v.containsKey("depth") ? Dinov2Config.evenLevels(depth, 4) : dv.levels());
        Dinov2Config vfm = new Dinov2Config(s(v, "arch", dv.name()), embed, depth, i(v, "num_heads", dv.numHeads()),
                i(v, "patch_size", dv.patchSize()), i(v, "num_registers", dv.numRegisters()), swiglu, mlpHidden,
                i(v, "img_size_pretrain", dv.pretrainImageSize()), dbl(v, "ln_eps", dv.lnEps()), levels);
        int dim = i(enc, "dim", i(m, "dim", d.dim()));
        return new TokenizerConfig(i(m, "image_size", d.imageSize()), i(m, "patch_size", d.patchSize()), dim,
                i(enc, "depth", d.encDepth()), i(enc, "heads", d.encHeads()), i(enc, "ffn_dim", Math.min(4 * dim, 1024)),
                i(enc, "n_points", d.nPoints()), i(enc, "n_carrier", i(m, "n_carrier", d.nCarrier())),
                i(dec, "depth", d.decDepth()), i(dec, "heads", d.decHeads()), i(dec, "mlp_dim", d.decMlp()),
                i(m, "codebook_size", d.codebookSize()), i(m, "codebook_embed_dim", d.codeDim()),
                i(pix, "z_channels", d.zChannels()), i(pix, "ch", d.ch()),
                pix.containsKey("ch_mult") ? ints(pix.get("ch_mult")) : d.chMult(), i(pix, "num_res_blocks", d.numResBlocks()),
                i(pix, "gn_groups", d.gnGroups()), i(m, "codebook_used_len", d.codebookUsedLen()), vfm);
    }

    private static Map<?, ?> sub(Map<?, ?> m, String k) {
        Object o = m.get(k);
        if (o == null) return Map.of();
        if (!(o instanceof Map<?, ?> s)) throw new IllegalArgumentException("'" + k + "' must be an object");
        return s;
    }

    private static int i(Map<?, ?> m, String k, int def) {
        Object o = m.get(k);
        return o == null ? def : ConfigValues.intValue(k, o);
    }

    private static double dbl(Map<?, ?> m, String k, double def) {
        Object o = m.get(k);
        return o == null ? def : ConfigValues.doubleValue(k, o);
    }

    private static String s(Map<?, ?> m, String k, String def) {
        Object o = m.get(k);
        return o == null ? def : o.toString();
    }

    private static int[] ints(Object o) {
        if (!(o instanceof List<?> l)) throw new IllegalArgumentException("expected a list of integers, got " + o);
        int[] r = new int[l.size()];
        for (int k = 0; k < r.length; k++) r[k] = ConfigValues.intValue("list element " + k, l.get(k));
        return r;
    }
}
