package org.vfmtok.vfmtok.vfm;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vfmtok.tensor.Tensor;

/**
 * Accepts CLIP and SigLIP vision-tower weights in their published layouts and returns them under
 * {@link VisionTower}'s names:
 * <ul>
 * <li>Hugging Face safetensors ({@code CLIPModel}, {@code CLIPVisionModel}, {@code SiglipModel},
 *     {@code SiglipVisionModel}): the {@code vision_model.} prefix removed; the text tower, the projections,
 *     {@code logit_scale}/{@code logit_bias}, SigLIP's attention-pooling {@code head} and the
 *     {@code position_ids} buffer dropped (the features use none of them);</li>
 * <li>open_clip / OpenAI CLIP state dicts ({@code visual.*}): renamed, the fused {@code in_proj} split into
 *     q, k, v (rows [q; k; v], as {@code nn.MultiheadAttention} stacks them), {@code visual.proj} dropped.</li>
 * </ul>
 * A file of the other family is refused naming what is missing; sizes are checked by the model's strict load,
 * which names every key whose shape differs with the expected and found shapes.
 */
public final class VisionTowerWeights {
    private static final Pattern OPEN_CLIP_BLOCK = Pattern.compile("visual\\.transformer\\.resblocks\\.(\\d+)\\.(.+)");

    private VisionTowerWeights() {}

    public static Map<String, Tensor> toTowerNames(Map<String, Tensor> weights, VisionTowerConfig.Family family) {
        boolean openClip = weights.containsKey("visual.class_embedding") || weights.containsKey("visual.conv1.weight");
        Map<String, Tensor> out = openClip ? fromOpenClip(weights) : fromHuggingFace(weights);
        boolean hasCls = out.containsKey("embeddings.class_embedding");
        if (!out.containsKey("embeddings.patch_embedding.weight")) {
            throw new IllegalArgumentException("not a " + family + " vision tower: no patch embedding (vision_model.embeddings.patch_embedding.weight"
                    + " or visual.conv1.weight) among " + weights.size() + " tensors, e.g. " + weights.keySet().stream().limit(3).toList());
        }
        if (hasCls != family.hasClassToken()) {
            throw new IllegalArgumentException("not a " + family + " vision tower: " + (hasCls ? "it has a class embedding (a CLIP tower?)"
                    : "it has no class embedding (a SigLIP tower?)"));
        }
        return out;
    }

    private static Map<String, Tensor> fromHuggingFace(Map<String, Tensor> weights) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        if (weights.keySet().stream().noneMatch(k -> k.startsWith("vision_model.") || k.startsWith("model.vision_model."))) {
            out.putAll(weights); // already the tower's own names (a saved VisionTower.stateDict())
            return out;
        }
        for (var e : weights.entrySet()) {
            String k = e.getKey();
            if (k.startsWith("model.")) k = k.substring(6);
            if (!k.startsWith("vision_model.")) continue; // text tower, projections, logit scale/bias
            k = k.substring("vision_model.".length());
            if (k.startsWith("head.") || k.endsWith("position_ids")) continue;
            out.put(k, e.getValue());
        }
        return out;
    }

    private static Map<String, Tensor> fromOpenClip(Map<String, Tensor> weights) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : weights.entrySet()) {
            String k = e.getKey();
            Tensor v = e.getValue();
            if (!k.startsWith("visual.")) continue; // the text tower (incl. its own positional_embedding), logit_scale
            switch (k) {
                case "visual.class_embedding" -> out.put("embeddings.class_embedding", v);
                case "visual.positional_embedding" -> out.put("embeddings.position_embedding.weight", v);
                case "visual.conv1.weight" -> out.put("embeddings.patch_embedding.weight", v);
                case "visual.ln_pre.weight" -> out.put("pre_layrnorm.weight", v);
                case "visual.ln_pre.bias" -> out.put("pre_layrnorm.bias", v);
                case "visual.ln_post.weight" -> out.put("post_layernorm.weight", v);
                case "visual.ln_post.bias" -> out.put("post_layernorm.bias", v);
                case "visual.proj" -> { } // the image-text projection: not part of the features
                default -> {
                    Matcher m = OPEN_CLIP_BLOCK.matcher(k);
                    if (!m.matches()) {
                        out.put(k, v); // left under its own name: the strict load reports it as unexpected
                        continue;
                    }
                    String p = "encoder.layers." + m.group(1) + ".", rest = m.group(2);
                    switch (rest) {
                        case "attn.in_proj_weight", "attn.in_proj_bias" -> {
                            String suffix = rest.endsWith("weight") ? ".weight" : ".bias";
                            int d = v.size(0) / 3;
                            if (v.size(0) != 3 * d) throw new IllegalArgumentException(k + ": " + v.size(0) + " rows are not three equal parts [q; k; v]");
                            out.put(p + "self_attn.q_proj" + suffix, v.narrow(0, 0, d).contiguous());
                            out.put(p + "self_attn.k_proj" + suffix, v.narrow(0, d, d).contiguous());
                            out.put(p + "self_attn.v_proj" + suffix, v.narrow(0, 2 * d, d).contiguous());
                        }
                        default -> out.put(p + rest.replace("ln_1.", "layer_norm1.").replace("ln_2.", "layer_norm2.")
                                .replace("attn.out_proj.", "self_attn.out_proj.").replace("mlp.c_fc.", "mlp.fc1.").replace("mlp.c_proj.", "mlp.fc2."), v);
                    }
                }
            }
        }
        return out;
    }
}
