package org.vfmtok.vfmtok.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.vfmtok.tensor.io.ConfigValues;
import org.vfmtok.vfmtok.vfm.Dinov2Config;

/**
 * The official code's tokenizer config (VFMTok {@code configs/vit_transformer.yaml}, VFMTok2
 * {@code configs/vfmtok/vfmtok_config.yaml}): {@code encoder_config} and {@code decoder_config}, each a
 * {@code target} class and its constructor {@code params}, with {@code visual_encoder_config} inside the
 * encoder's. Every field those constructors read maps to {@link TokenizerConfig}; the few the official
 * classes take but never use are accepted and ignored (listed below, each with why). Keys no official
 * constructor accepts are refused with the nearest known key, as Python would refuse them with a TypeError.
 *
 * <p>What the official code fixes rather than reads, and how it shows here:
 * <ul>
 * <li>VFM input: VFMTok resizes every image to 336 (kornia bicubic, align_corners) before DINOv2; VFMTok2
 *     reads {@code height}/{@code width}. So a 128 px tokenizer runs DINOv2/14 on 336 px images, grid 24.</li>
 * <li>VFM levels: {@code forward_features_levels(x, levels=[5, 11, 17, 23])}: blocks 5, 11, 17 when they exist,
 *     then the final-normed last block; the Encoder has four projectors, so the ViT must give four.</li>
 * <li>The deformable encoder's heads (8) and FFN width (min(4·dim, 1024)): {@code num_head} is not passed to it.</li>
 * <li>The decoder's position table (577 = 1 + 24² rows) and {@code proj} (Linear(dim, 1024)): read here as the
 *     VFM grid and {@code proj_dim}, which equal those numbers for the released model.</li>
 * <li>The VQ wrapper's numbers come from the command line ({@code --codebook-size}, {@code
 *     --codebook-slots-embed-dim}, {@code --z-channels}); an optional top-level {@code model_args} mapping
 *     (a Java extension, named after {@code vq_model.py::ModelArgs}) carries them, else the README's values.</li>
 * </ul>
 */
public final class OfficialYamlConfig {
    private OfficialYamlConfig() {}

    private static final List<String> TOP_KEYS = List.of("encoder_config", "decoder_config", "model_args");
    // instantiate_from_config reads target and params; is_trainable is read by the training script's
    // optimiser set-up (sgm convention), not by the model: accepted, ignored
    private static final List<String> TARGET_KEYS = List.of("target", "params", "is_trainable");
    private static final List<String> ENCODER_KEYS = List.of("image_size", "layer_type", "n_carrier", "patch_size", "dim", "depth",
            "num_head", "mlp_dim", "in_channels", "d_model", "dim_head", "enc_n_points", "visual_encoder_config", "dropout");
    // In the official Encoder's signature but unused: num_head (the deformable encoder is built with its default
    // 8 heads), mlp_dim, dim_head and dropout (nothing in Encoder reads them), d_model (unused), layer_type
    // (only the Decoder's Transformer checks it).
    private static final List<String> DECODER_KEYS = List.of("layer_type", "image_size", "patch_size", "dim", "n_carrier", "depth",
            "num_head", "mlp_dim", "dim_head", "dropout", "num_register_tokens");
    // Decoder: dim_head only reaches the xformers CrossAttention that Layer builds and immediately replaces by
    // Attention3 (head width dim/num_head); dropout is training-time attention dropout, which the Java trainer
    // does not apply.
    private static final List<String> VFM_KEYS = List.of("pretrained_enc_arch", "pretrained_enc_path", "height", "width",
            "pretrained_enc_withproj", "proj_dim", "pretrained_enc_pca_path", "antialias", "feature_levels");
    // SelfSupervisedCondtionEmbedder: pretrained_enc_path (the weights come from --vfm), pretrained_enc_withproj
    // (DINOv2's head is nn.Identity, so it changes nothing), pretrained_enc_pca_path (loaded, never applied in
    // forward) are accepted and ignored; antialias (kornia's blur before shrinking) is implemented for its
    // default, true, and refused when false.
    // feature_levels is a Java extension: the official forward hard-codes levels=[5, 11, 17, 23]; a tokenizer
    // trained with a patched list (e.g. [2, 5, 8, 11] for a 12-block ViT-S) states it here, same rule (all
    // but the last are block indices, the last level is always the final-normed last block).
    private static final List<String> MODEL_ARGS_KEYS = List.of("codebook_size", "codebook_embed_dim", "codebook_l2_norm",
            "codebook_show_usage", "commit_loss_beta", "entropy_loss_ratio", "encoder_ch_mult", "decoder_ch_mult", "z_channels",
            "dropout_p", "codebook_slots_embed_dim");
    // ModelArgs: codebook_embed_dim and encoder_ch_mult belong to the CNN encoder VQModel never builds;
    // codebook_show_usage, commit_loss_beta, entropy_loss_ratio and dropout_p are training settings (the
    // trainer's own options); all accepted, not read.
    private static final int[] OFFICIAL_LEVELS = {5, 11, 17, 23};
    private static final int VFMTOK_INPUT = 336;

    public static TokenizerConfig load(Path file) throws IOException {
        Map<String, Object> root = OmegaConfYaml.load(file);
        try {
            return fromMap(root);
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    static TokenizerConfig fromMap(Map<String, Object> root) {
        ConfigValues.requireKnownKeys(root, "", TOP_KEYS);
        Map<?, ?> encNode = section(root, "encoder_config", true), decNode = section(root, "decoder_config", true);
        ConfigValues.requireKnownKeys(encNode, "encoder_config.", TARGET_KEYS);
        ConfigValues.requireKnownKeys(decNode, "decoder_config.", TARGET_KEYS);
        requireTarget(encNode, "encoder_config", ".layers.Encoder");
        requireTarget(decNode, "decoder_config", ".layers.Decoder");
        Map<?, ?> enc = section(encNode, "params", true), dec = section(decNode, "params", true);
        ConfigValues.requireKnownKeys(enc, "encoder_config.params.", ENCODER_KEYS);
        ConfigValues.requireKnownKeys(dec, "decoder_config.params.", DECODER_KEYS);
        String e = "encoder_config.params.", d = "decoder_config.params.";
        for (String k : List.of("image_size", "layer_type", "n_carrier", "patch_size", "dim", "depth", "num_head", "mlp_dim")) {
            require(enc, e, k);
            require(dec, d, k);
        }
        for (var p : List.of(Map.entry(enc, e), Map.entry(dec, d))) {
            Object lt = p.getKey().get("layer_type");
            if (!"normal".equals(lt)) throw new IllegalArgumentException("'" + p.getValue() + "layer_type' must be \"normal\" (the only official layer), got " + lt);
        }

        Map<?, ?> visNode = section(enc, "visual_encoder_config", true);
        ConfigValues.requireKnownKeys(visNode, e + "visual_encoder_config.", TARGET_KEYS);
        requireTarget(visNode, e + "visual_encoder_config", ".SelfSupervisedCondtionEmbedder");
        String vk = e + "visual_encoder_config.params.";
        Map<?, ?> vis = section(visNode, "params", true);
        ConfigValues.requireKnownKeys(vis, vk, VFM_KEYS);
        require(vis, vk, "pretrained_enc_arch");
        Dinov2Config vfm = vfm(vis, vk);

        int imageSize = i(enc, e, "image_size"), dim = i(enc, e, "dim"), nCarrier = i(enc, e, "n_carrier");
        same(imageSize, i(dec, d, "image_size"), "image_size");
        same(dim, i(dec, d, "dim"), "dim");
        same(nCarrier, i(dec, d, "n_carrier"), "n_carrier");
        int encPatch = i(enc, e, "patch_size"), patch = i(dec, d, "patch_size");
        if (imageSize % encPatch != 0) throw new IllegalArgumentException("'" + e + "image_size' " + imageSize + " is not a multiple of '" + e + "patch_size' " + encPatch);
        int inChannels = enc.containsKey("in_channels") ? i(enc, e, "in_channels") : 1024;
        if (inChannels != vfm.embedDim()) {
            throw new IllegalArgumentException("'" + e + "in_channels' is " + inChannels + " but " + vfm.name() + " gives " + vfm.embedDim() + "-wide features");
        }
        int projDim = vis.containsKey("proj_dim") ? i(vis, vk, "proj_dim") : vfm.embedDim();

        Map<?, ?> args = section(root, "model_args", false);
        ConfigValues.requireKnownKeys(args, "model_args.", MODEL_ARGS_KEYS);
        int zChannels = args.containsKey("z_channels") ? i(args, "model_args.", "z_channels") : dim;
        if (zChannels != dim) {
            // pre_slots_quant reads z_channels from the encoder and post_slots_quant feeds the decoder ViT with it
            throw new IllegalArgumentException("'model_args.z_channels' " + zChannels + " must equal the transformer dim " + dim);
        }
        Object l2 = args.get("codebook_l2_norm");
        if (l2 != null && !Boolean.TRUE.equals(l2)) throw new IllegalArgumentException("'model_args.codebook_l2_norm' must be true (the only quantiser implemented), got " + l2);
        int codebookSize = args.containsKey("codebook_size") ? i(args, "model_args.", "codebook_size") : 16384;
        int codeDim = args.containsKey("codebook_slots_embed_dim") ? i(args, "model_args.", "codebook_slots_embed_dim") : 12;
        int[] chMult = args.containsKey("decoder_ch_mult") ? ints(args.get("decoder_ch_mult"), "model_args.decoder_ch_mult") : new int[] {1, 1, 2, 2, 4};
        int registers = dec.containsKey("num_register_tokens") ? i(dec, d, "num_register_tokens") : 4;
        int vfmGrid = vfm.vitInputSize(imageSize) / vfm.patchSize();
        int nPoints = enc.containsKey("enc_n_points") ? i(enc, e, "enc_n_points") : 4;
        return new TokenizerConfig(imageSize, patch, dim, i(enc, e, "depth"), 8, Math.min(4 * dim, 1024), nPoints, nCarrier,
                i(dec, d, "depth"), i(dec, d, "num_head"), i(dec, d, "mlp_dim"), codebookSize, codeDim, zChannels, 128, chMult, 1, 32, 65536,
                vfm, vfmGrid, projDim, registers);
    }

    /** The DINOv2 the embedder builds, with VFMTok's levels and input resize. */
    private static Dinov2Config vfm(Map<?, ?> vis, String vk) {
        Object arch = vis.get("pretrained_enc_arch");
        if (!(arch instanceof String a) || !a.startsWith("dinov2_")) {
            throw new IllegalArgumentException("'" + vk + "pretrained_enc_arch' " + arch + " is not supported (DINOv2 models only: dinov2_vit{s,b,l,g}14[_reg])");
        }
        Dinov2Config base = Dinov2Config.named(a);
        if (base.numRegisters() != 4) {
            // Encoder.forward drops latent[i][:, 5:]: CLS and four registers; without registers it would eat 4 patches
            throw new IllegalArgumentException("'" + vk + "pretrained_enc_arch' " + a + " has no registers; the official Encoder drops 5 leading tokens"
                    + " (CLS + 4 registers) and cannot run it: use dinov2_vit?14_reg");
        }
        int[] asked = vis.containsKey("feature_levels") ? ints(vis.get("feature_levels"), vk + "feature_levels") : OFFICIAL_LEVELS;
        int[] levels = Dinov2Config.officialLevels(asked, base.depth());
        if (levels.length != 4) {
            throw new IllegalArgumentException(a + " has " + base.depth() + " blocks: forward_features_levels(levels=" + java.util.Arrays.toString(asked)
                    + ") gives " + levels.length + " feature maps, and the official Encoder's 4 projectors need 4 (set '" + vk
                    + "feature_levels', e.g. [2, 5, 8, 11] for 12 blocks)");
        }
        Object aa = vis.get("antialias");
        if (aa != null && !Boolean.TRUE.equals(aa)) {
            throw new IllegalArgumentException("'" + vk + "antialias' " + aa + " is not supported: only the official default (true, kornia's blur before shrinking)");
        }
        int h = vis.containsKey("height") ? i(vis, vk, "height") : VFMTOK_INPUT, w = vis.containsKey("width") ? i(vis, vk, "width") : h;
        if (h != w) throw new IllegalArgumentException("'" + vk + "height' " + h + " and 'width' " + w + " differ; the official Encoder needs a square grid");
        if (h % base.patchSize() != 0) {
            throw new IllegalArgumentException("'" + vk + "height' " + h + " is not a multiple of the DINOv2 patch " + base.patchSize() + " (DINOv2's PatchEmbed refuses it too)");
        }
        return base.withLevels(levels).withInputSize(h);
    }

    private static void requireTarget(Map<?, ?> node, String where, String suffix) {
        Object t = node.get("target");
        if (!(t instanceof String s) || !s.endsWith(suffix)) {
            throw new IllegalArgumentException("'" + where + ".target' must name the official class *" + suffix + ", got " + t);
        }
    }

    private static Map<?, ?> section(Map<?, ?> m, String k, boolean required) {
        Object o = m.get(k);
        if (o == null) {
            if (required) throw new IllegalArgumentException("missing '" + k + "'");
            return Map.of();
        }
        if (!(o instanceof Map<?, ?> s)) throw new IllegalArgumentException("'" + k + "' must be a mapping, got " + o);
        return s;
    }

    private static void require(Map<?, ?> m, String prefix, String k) {
        if (m.get(k) == null) throw new IllegalArgumentException("missing '" + prefix + k + "' (the official constructor requires it)");
    }

    private static void same(int enc, int dec, String k) {
        if (enc != dec) throw new IllegalArgumentException("'encoder_config.params." + k + "' " + enc + " and 'decoder_config.params." + k + "' " + dec + " differ");
    }

    private static int i(Map<?, ?> m, String prefix, String k) { return ConfigValues.intValue(prefix + k, m.get(k)); }

    private static int[] ints(Object o, String key) {
        if (!(o instanceof List<?> l)) throw new IllegalArgumentException("'" + key + "' must be a list of integers, got " + o);
        int[] r = new int[l.size()];
        for (int k = 0; k < r.length; k++) r[k] = ConfigValues.intValue(key + "[" + k + "]", l.get(k));
        return r;
    }
}
