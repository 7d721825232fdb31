package org.vfmtok.vfmtok.vfm;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.Indexing;

/**
 * Accepts DINOv2 weights in either published layout and returns them under the original names:
 * the {@code dinov2_vit*14*_pretrain.pth} state dicts (used as they are, an optional
 * {@code encode_transformer.backbone.pretrained_encoder.} prefix removed) or the Hugging Face
 * {@code facebook/dinov2-*} / {@code dinov2-with-registers-*} safetensors (renamed; separate
 * query/key/value are stacked into qkv).
 */
public final class Dinov2Weights {
    private static final String IN_MODEL_PREFIX = "encode_transformer.backbone.pretrained_encoder.";
    private static final Pattern HF_LAYER = Pattern.compile("(?:dinov2\\.)?encoder\\.layer\\.(\\d+)\\.(.+)");

    private Dinov2Weights() {}

    public static Map<String, Tensor> toOriginalNames(Map<String, Tensor> weights) {
        boolean hf = weights.keySet().stream().anyMatch(k -> k.contains("embeddings.patch_embeddings"));
        Map<String, Tensor> out = new LinkedHashMap<>();
        if (!hf) {
            weights.forEach((k, v) -> out.put(k.startsWith(IN_MODEL_PREFIX) ? k.substring(IN_MODEL_PREFIX.length()) : k, v));
            return out;
        }
        Map<Integer, Tensor[]> qkvW = new java.util.TreeMap<>(), qkvB = new java.util.TreeMap<>();
        for (var e : weights.entrySet()) {
            String k = e.getKey().startsWith("dinov2.") ? e.getKey().substring(7) : e.getKey();
            Tensor v = e.getValue();
            switch (k) {
                case "embeddings.cls_token" -> out.put("cls_token", v);
                case "embeddings.mask_token" -> out.put("mask_token", v.dim() == 3 ? v.reshape(1, -1) : v);
                case "embeddings.position_embeddings" -> out.put("pos_embed", v);
                case "embeddings.register_tokens" -> out.put("register_tokens", v);
                case "embeddings.patch_embeddings.projection.weight" -> out.put("patch_embed.proj.weight", v);
                case "embeddings.patch_embeddings.projection.bias" -> out.put("patch_embed.proj.bias", v);
                case "layernorm.weight" -> out.put("norm.weight", v);
                case "layernorm.bias" -> out.put("norm.bias", v);
                default -> {
                    Matcher m = HF_LAYER.matcher(k);
                    if (!m.matches()) {
                        out.put(k, v); // reported as unexpected by the strict load
                        continue;
                    }
                    int i = Integer.parseInt(m.group(1));
                    String rest = m.group(2), p = "blocks." + i + ".";
                    int qkv = rest.startsWith("attention.attention.query.") ? 0 : rest.startsWith("attention.attention.key.") ? 1
                            : rest.startsWith("attention.attention.value.") ? 2 : -1;
                    if (qkv >= 0) {
                        (rest.endsWith("weight") ? qkvW : qkvB).computeIfAbsent(i, x -> new Tensor[3])[qkv] = v;
                        continue;
                    }
                    String mapped = switch (rest) {
                        case "attention.output.dense.weight" -> "attn.proj.weight";
                        case "attention.output.dense.bias" -> "attn.proj.bias";
                        case "layer_scale1.lambda1" -> "ls1.gamma";
                        case "layer_scale2.lambda1" -> "ls2.gamma";
                        case "mlp.weights_in.weight" -> "mlp.w12.weight";
                        case "mlp.weights_in.bias" -> "mlp.w12.bias";
                        case "mlp.weights_out.weight" -> "mlp.w3.weight";
                        case "mlp.weights_out.bias" -> "mlp.w3.bias";
                        default -> rest; // norm1.*, norm2.*, mlp.fc1.*, mlp.fc2.*
                    };
                    out.put(p + mapped, v);
                }
            }
        }
        stack(qkvW, "weight", out);
        stack(qkvB, "bias", out);
        return out;
    }

    private static void stack(Map<Integer, Tensor[]> parts, String kind, Map<String, Tensor> out) {
        parts.forEach((i, qkv) -> {
            for (int j = 0; j < 3; j++) {
                if (qkv[j] == null) throw new IllegalArgumentException("DINOv2 layer " + i + " lacks its " + new String[] {"query", "key", "value"}[j] + "." + kind);
            }
            out.put("blocks." + i + ".attn.qkv." + kind, Indexing.concat(0, qkv[0], qkv[1], qkv[2]));
        });
    }
}
