package org.vfmtok.vfmtok.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.vfmtok.tensor.io.ConfigValues;
import org.vfmtok.tensor.io.Json;
import org.vfmtok.vfmtok.vfm.Dinov2Config;
import org.vfmtok.vfmtok.vfm.VfmConfig;
import org.vfmtok.vfmtok.vfm.VisionTowerConfig;

/**
 * Every architecture number of the VFMTok tokenizer. {@link #official()} is the released model
 * (configs/vit_transformer.yaml with the README's --codebook-size 16384 --codebook-slots-embed-dim 12
 * --z-channels 512); {@link #load} reads a JSON file whose absent fields keep the official values.
 *
 * @param imageSize    input side in pixels (336)
 * @param patchSize    pixel-decoder patch (16): latent grid = imageSize / patchSize
 * @param dim          transformer width (512)
 * @param encDepth     deformable encoder layers (6); 0 is Table 1's pilot "VQGAN (VFM)": no sampler, the
 *                     projected last-level VFM features are the tokens (nCarrier = VFM grid², one level)
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
 * @param vfm          the frozen VFM (with its input resize: the VFM grid is {@code vfm.vitInputSize(imageSize) / patch})
 * @param posGrid      side of the decoder's {@code position_embedding} grid (official 24: 577 = 1 + 24² rows);
 *                     its VFM branch predicts posGrid² tokens, so training needs it equal to the VFM grid
 * @param projDim      output width of the decoder's {@code proj} (official Linear(dim, 1024)): the predicted VFM
 *                     features, so training needs it equal to the VFM width
 * @param decRegisters the decoder's {@code num_register_tokens} (4)
 */
public record TokenizerConfig(int imageSize, int patchSize, int dim, int encDepth, int encHeads, int encFfn, int nPoints,
                              int nCarrier, int decDepth, int decHeads, int decMlp, int codebookSize, int codeDim,
                              int zChannels, int ch, int[] chMult, int numResBlocks, int gnGroups, int codebookUsedLen,
                              VfmConfig vfm, int posGrid, int projDim, int decRegisters) {

    public TokenizerConfig {
        // sizes first, named by their JSON keys: a zero would otherwise surface as a bare "/ by zero" below or deep in a layer
        atLeast(1, "image_size", imageSize);
        atLeast(1, "patch_size", patchSize);
        atLeast(1, "encoder.dim", dim);
        atLeast(0, "encoder.depth", encDepth);   // 0: the pilot VQGAN (VFM), no deformable sampler
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
        int vfmSide = vfm.vitInputSize(imageSize);
        // DINOv2's PatchEmbed asserts whole patches; the CLIP / SigLIP convs drop a partial last patch
        if (vfm instanceof Dinov2Config && vfmSide % vfm.patchSize() != 0) {
            throw new IllegalArgumentException("the VFM input " + vfmSide + " px is not a multiple of the VFM patch " + vfm.patchSize()
                    + (vfm.inputSize() == 0 ? " (image_size " + imageSize + "; set the VFM input size, e.g. vfm.input_size 336 as the official code resizes to)" : ""));
        }
        if (dim % encHeads != 0 || dim % decHeads != 0) throw new IllegalArgumentException("dim " + dim + " not divisible by the heads");
        if (encDepth == 0 && (nCarrier != (vfmSide / vfm.patchSize()) * (vfmSide / vfm.patchSize()) || vfm.levels().length != 1)) {
            throw new IllegalArgumentException("encoder depth 0 (no deformable sampler: the VFM grid is the token grid) needs n_carrier = "
                    + (vfmSide / vfm.patchSize()) + "² = " + (vfmSide / vfm.patchSize()) * (vfmSide / vfm.patchSize()) + " and one VFM level, got n_carrier "
                    + nCarrier + " and " + vfm.levels().length + " levels");
        }
        if (posGrid <= 0) throw new IllegalArgumentException("decoder position grid must be positive, got " + posGrid);
        if (projDim <= 0) throw new IllegalArgumentException("decoder proj_dim must be positive, got " + projDim);
        if (decRegisters < 0) throw new IllegalArgumentException("decoder num_register_tokens must be >= 0, got " + decRegisters);
        for (int m : chMult) {
            if ((ch * m) % gnGroups != 0) throw new IllegalArgumentException("pixel decoder width " + ch * m + " not divisible by " + gnGroups + " GroupNorm groups");
        }
    }

    private static void atLeast(int min, String key, int value) {
        if (value < min) throw new IllegalArgumentException("tokenizer config: '" + key + "' must be at least " + min + ", got " + value);
    }

    /** The decoder's position grid as the VFM grid, its proj as wide as the VFM, 4 registers (what VFMTok hard-codes at 336). */
    public TokenizerConfig(int imageSize, int patchSize, int dim, int encDepth, int encHeads, int encFfn, int nPoints,
                           int nCarrier, int decDepth, int decHeads, int decMlp, int codebookSize, int codeDim,
                           int zChannels, int ch, int[] chMult, int numResBlocks, int gnGroups, int codebookUsedLen,
                           VfmConfig vfm) {
        this(imageSize, patchSize, dim, encDepth, encHeads, encFfn, nPoints, nCarrier, decDepth, decHeads, decMlp, codebookSize, codeDim,
                zChannels, ch, chMult, numResBlocks, gnGroups, codebookUsedLen, vfm,
                vfm.vitInputSize(imageSize) / vfm.patchSize(), vfm.embedDim(), 4);
    }

    /**
     * Whether the training-only VFM branch can be compared with the VFM's features: posGrid² tokens of width
     * projDim against the VFM's grid² × featureDim. Null when it can, else why not.
     */
    public String semanticTargetMismatch() {
        if (posGrid != vfmGrid()) return "the decoder position grid " + posGrid + "² does not match the VFM grid " + vfmGrid() + "²";
        if (projDim != vfm.embedDim()) return "the decoder proj_dim " + projDim + " does not match the VFM width " + vfm.embedDim();
        return null;
    }

    public static TokenizerConfig official() {
        return new TokenizerConfig(336, 16, 512, 6, 8, Math.min(4 * 512, 1024), 4, 256, 6, 8, 2048, 16384, 12, 512, 128,
                new int[] {1, 1, 2, 2, 4}, 1, 32, 65536, Dinov2Config.vfmtokDefault());
    }

    /** Whether tokens are the sampler's anchor queries (VFMTok) or the VFM's own grid cells (the pilot, encDepth 0). */
    public boolean deformableSampler() { return encDepth > 0; }

    /**
     * Table 1's pilot "VQGAN (VFM)" tokenizer over {@code vfm}: the frozen VFM's last level only, the projector,
     * no deformable sampler (one token per VFM grid cell: 576 at 336 px for a /14 model), and the official
     * quantiser, decoder ViT and pixel decoder.
     */
    public static TokenizerConfig pilotVqganVfm(VfmConfig vfm) {
        TokenizerConfig o = official();
        VfmConfig last = vfm.withLevels(new int[] {vfm.depth() - 1});
        int g = last.gridSize(o.imageSize());
        return new TokenizerConfig(o.imageSize(), o.patchSize(), o.dim(), 0, o.encHeads(), o.encFfn(), o.nPoints(), g * g, o.decDepth(), o.decHeads(),
                o.decMlp(), o.codebookSize(), o.codeDim(), o.zChannels(), o.ch(), o.chMult(), o.numResBlocks(), o.gnGroups(), o.codebookUsedLen(), last);
    }

    /** Tokens per image (the anchor grid). */
    public int tokens() { return nCarrier; }

    public int anchorGrid() { return (int) Math.round(Math.sqrt(nCarrier)); }

    /** Side of the VFM patch grid (24): the VFM input (after its resize) over its patch. */
    public int vfmGrid() { return vfm.vitInputSize(imageSize) / vfm.patchSize(); }

    /** Side of the pixel latent grid (21). */
    public int latentGrid() { return imageSize / patchSize; }

    /** Number of VFM feature levels fed to the sampler (4). */
    public int levels() { return vfm.levels().length; }

    /** SwiGLU hidden width of the decoder ViT: ((int(mlp·2/3) + 7) / 8)·8 = 1368. */
    public int decSwigluHidden() { return org.vfmtok.nn.layers.SwiGLUFused.hiddenFor(decMlp); }

    /**
     * Reads a config: the official code's OmegaConf YAML ({@code .yaml}/{@code .yml}, see
     * {@link OfficialYamlConfig}) or the JSON form (keys as in tools/reference/*_config.json, absent keys keep
     * official values).
     */
    public static TokenizerConfig load(Path file) throws IOException {
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (name.endsWith(".yaml") || name.endsWith(".yml")) return OfficialYamlConfig.load(file);
        return Json.readObject(file, TokenizerConfig::fromMap);
    }

    // Every key of the JSON form. Keys of tools/reference/*_config.json that describe fixed parts of the
    // architecture (mlp_ratio, qkv_bias, decoder.dim, ...) and "derived" blocks are accepted and not read.
    private static final List<String> TOP_KEYS = List.of("name", "comment", "image_size", "patch_size", "dim", "n_carrier", "vfm", "encoder",
            "codebook_size", "codebook_embed_dim", "codebook_l2_norm", "codebook_used_len", "decoder", "pixel_decoder");
    private static final List<String> VFM_KEYS = List.of("arch", "name", "embed_dim", "depth", "num_heads", "mlp_ratio", "mlp_hidden", "patch_size",
            "num_registers", "ffn", "qkv_bias", "layerscale", "ln_eps", "levels", "img_size_pretrain", "interpolate_antialias",
            "interpolate_offset", "input_size", "mean", "std", "derived", "family", "norm_last");
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
        String family = s(v, "family", "dinov2");
        if (!family.equals("dinov2")) return withVfm(m, d, enc, dec, pix, tower(v, family));
        Object ffn = v.get("ffn");
        if (ffn != null && !"mlp".equals(ffn) && !"swiglufused".equals(ffn)) {
            throw new IllegalArgumentException("'vfm.ffn' must be \"mlp\" or \"swiglufused\", got " + ffn);
        }
        if (Boolean.FALSE.equals(v.get("norm_last"))) throw new IllegalArgumentException("'vfm.norm_last' cannot be false for DINOv2: its last level is always the final-normed output");
        Dinov2Config dv = (Dinov2Config) d.vfm();
        if (v.containsKey("arch") && !"custom".equals(v.get("arch"))) dv = Dinov2Config.named((String) v.get("arch"));
        int embed = i(v, "embed_dim", dv.embedDim()), depth = i(v, "depth", dv.depth());
        boolean swiglu = "swiglufused".equals(s(v, "ffn", dv.swiglu() ? "swiglufused" : "mlp"));
        int mlpHidden = i(v, "mlp_hidden", swiglu ? org.vfmtok.nn.layers.SwiGLUFused.hiddenFor(embed * 4) : embed * 4);
        int[] levels = v.containsKey("levels") ? ints(v.get("levels")) : (v.containsKey("depth") ? Dinov2Config.evenLevels(depth, 4) : dv.levels());
        Object aa = v.get("interpolate_antialias");
        if (aa != null && !(aa instanceof Boolean)) throw new IllegalArgumentException("'vfm.interpolate_antialias' must be true or false, got " + aa);
        Dinov2Config vfm = new Dinov2Config(s(v, "name", s(v, "arch", dv.name())), embed, depth, i(v, "num_heads", dv.numHeads()),
                i(v, "patch_size", dv.patchSize()), i(v, "num_registers", dv.numRegisters()), swiglu, mlpHidden,
                i(v, "img_size_pretrain", dv.pretrainImageSize()), dbl(v, "ln_eps", dv.lnEps()), levels,
                aa == null ? dv.interpolateAntialias() : (Boolean) aa, dbl(v, "interpolate_offset", dv.interpolateOffset()),
                i(v, "input_size", dv.inputSize()));
        return withVfm(m, d, enc, dec, pix, vfm);
    }

    /** The tokenizer numbers of the JSON form around a VFM of any family. */
    private static TokenizerConfig withVfm(Map<?, ?> m, TokenizerConfig d, Map<?, ?> enc, Map<?, ?> dec, Map<?, ?> pix, VfmConfig vfm) {
        int dim = i(enc, "dim", i(m, "dim", d.dim()));
        int imageSize = i(m, "image_size", d.imageSize());
        int vfmGrid = vfm.vitInputSize(imageSize) / vfm.patchSize();
        return new TokenizerConfig(imageSize, i(m, "patch_size", d.patchSize()), dim,
                i(enc, "depth", d.encDepth()), i(enc, "heads", d.encHeads()), i(enc, "ffn_dim", Math.min(4 * dim, 1024)),
                i(enc, "n_points", d.nPoints()), i(enc, "n_carrier", i(m, "n_carrier", d.nCarrier())),
                i(dec, "depth", d.decDepth()), i(dec, "heads", d.decHeads()), i(dec, "mlp_dim", d.decMlp()),
                i(m, "codebook_size", d.codebookSize()), i(m, "codebook_embed_dim", d.codeDim()),
                i(pix, "z_channels", d.zChannels()), i(pix, "ch", d.ch()),
                pix.containsKey("ch_mult") ? ints(pix.get("ch_mult")) : d.chMult(), i(pix, "num_res_blocks", d.numResBlocks()),
                i(pix, "gn_groups", d.gnGroups()), i(m, "codebook_used_len", d.codebookUsedLen()), vfm,
                i(dec, "pos_grid", vfmGrid), i(dec, "proj_dim", vfm.embedDim()), i(dec, "num_registers", 4));
    }

    /**
     * A CLIP / SigLIP tower in the JSON form: "arch" names a released tower (Hugging Face name), or every size
     * is given (embed_dim, depth, num_heads, mlp_hidden, patch_size, img_size_pretrain); levels, norm_last,
     * ln_eps and input_size override the preset's.
     */
    private static VisionTowerConfig tower(Map<?, ?> v, String family) {
        VisionTowerConfig.Family f = switch (family) {
            case "clip" -> VisionTowerConfig.Family.CLIP;
            case "siglip", "siglip2" -> VisionTowerConfig.Family.SIGLIP;
            default -> throw new IllegalArgumentException("'vfm.family' must be \"dinov2\", \"clip\" or \"siglip\", got \"" + family + "\"");
        };
        VisionTowerConfig base;
        if (v.containsKey("arch") && !"custom".equals(v.get("arch"))) {
            base = VisionTowerConfig.named(String.valueOf(v.get("arch")));
            if (base.family() != f) throw new IllegalArgumentException("'vfm.arch' " + v.get("arch") + " is a " + base.family() + " tower, not " + family);
        } else {
            for (String k : List.of("embed_dim", "depth", "num_heads", "mlp_hidden", "patch_size", "img_size_pretrain")) {
                if (!v.containsKey(k)) throw new IllegalArgumentException("'vfm." + k + "' is needed for a custom " + family + " tower (or name a released one in 'vfm.arch')");
            }
            int depth = i(v, "depth", 0);
            base = new VisionTowerConfig(f, s(v, "name", "custom-" + family), i(v, "embed_dim", 0), depth, i(v, "num_heads", 0), i(v, "mlp_hidden", 0),
                    i(v, "patch_size", 0), i(v, "img_size_pretrain", 0), f == VisionTowerConfig.Family.CLIP ? 1e-5 : 1e-6,
                    Dinov2Config.evenLevels(depth, Math.min(4, depth)), f == VisionTowerConfig.Family.SIGLIP, i(v, "img_size_pretrain", 0));
        }
        Object nl = v.get("norm_last");
        if (nl != null && !(nl instanceof Boolean)) throw new IllegalArgumentException("'vfm.norm_last' must be true or false, got " + nl);
        VisionTowerConfig c = base.withLevels(v.containsKey("levels") ? ints(v.get("levels")) : base.levels(), nl == null ? base.normLast() : (Boolean) nl)
                .withInputSize(i(v, "input_size", base.inputSize()));
        return new VisionTowerConfig(c.family(), s(v, "name", c.name()), c.embedDim(), c.depth(), c.numHeads(), c.mlpHidden(), c.patchSize(),
                c.pretrainImageSize(), dbl(v, "ln_eps", c.lnEps()), c.levels(), c.normLast(), c.inputSize());
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
