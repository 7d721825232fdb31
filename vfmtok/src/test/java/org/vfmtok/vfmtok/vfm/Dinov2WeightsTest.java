package org.vfmtok.vfmtok.vfm;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vfmtok.nn.io.AnyCheckpoint;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.vfmtok.model.TokenizerConfig;

/**
 * The Hugging Face layout (facebook/dinov2-with-registers-*: embeddings.*, encoder.layer.N.attention.attention.
 * {query,key,value}, layer_scale1.lambda1, layernorm.*) maps onto the original names: the small fixture's
 * weights, renamed to the HF layout here, load to the same tensors.
 */
class Dinov2WeightsTest {
    static Map<String, Tensor> toHuggingFace(Map<String, Tensor> orig, int depth, int dim) {
        Map<String, Tensor> hf = new LinkedHashMap<>();
        orig.forEach((k, v) -> {
            switch (k) {
                case "cls_token" -> hf.put("embeddings.cls_token", v);
                case "mask_token" -> hf.put("embeddings.mask_token", v.reshape(1, 1, -1));
                case "pos_embed" -> hf.put("embeddings.position_embeddings", v);
                case "register_tokens" -> hf.put("embeddings.register_tokens", v);
                case "patch_embed.proj.weight" -> hf.put("embeddings.patch_embeddings.projection.weight", v);
                case "patch_embed.proj.bias" -> hf.put("embeddings.patch_embeddings.projection.bias", v);
                case "norm.weight" -> hf.put("layernorm.weight", v);
                case "norm.bias" -> hf.put("layernorm.bias", v);
                default -> {
                    String[] p = k.split("\\.", 3); // blocks, i, rest
                    String pre = "encoder.layer." + p[1] + ".";
                    String rest = p[2];
                    if (rest.startsWith("attn.qkv.")) {
                        String kind = rest.substring("attn.qkv.".length());
                        String[] names = {"query", "key", "value"};
                        for (int j = 0; j < 3; j++) hf.put(pre + "attention.attention." + names[j] + "." + kind, v.narrow(0, j * dim, dim).contiguous());
                    } else {
                        hf.put(pre + switch (rest) {
                            case "attn.proj.weight" -> "attention.output.dense.weight";
                            case "attn.proj.bias" -> "attention.output.dense.bias";
                            case "ls1.gamma" -> "layer_scale1.lambda1";
                            case "ls2.gamma" -> "layer_scale2.lambda1";
                            default -> rest;
                        }, v);
                    }
                }
            }
        });
        return hf;
    }

    @Test
    void huggingFaceLayoutLoadsToTheSameWeights() throws Exception {
        Path dir = Path.of(getClass().getResource("/fixtures/small/config.json").toURI()).getParent();
        TokenizerConfig cfg = TokenizerConfig.load(dir.resolve("config.json"));
        try (Scope s = Scope.open(); AnyCheckpoint c = AnyCheckpoint.open(dir.resolve("dinov2.pth"))) {
            Map<String, Tensor> orig = c.tensors("");
            Map<String, Tensor> hf = toHuggingFace(orig, cfg.vfm().depth(), cfg.vfm().embedDim());
            assertTrue(hf.containsKey("encoder.layer.0.attention.attention.query.weight"));
            Dinov2 a = new Dinov2((Dinov2Config) cfg.vfm(), new Rng(1)), b = new Dinov2((Dinov2Config) cfg.vfm(), new Rng(2));
            a.load(Dinov2Weights.toOriginalNames(orig), true);
            b.load(Dinov2Weights.toOriginalNames(hf), true);
            Map<String, Tensor> sa = a.stateDict(), sb = b.stateDict();
            for (String k : sa.keySet()) assertArrayEquals(sa.get(k).toFloatArray(), sb.get(k).toFloatArray(), k);
            // the in-model prefix of the tokenizer is accepted too
            Map<String, Tensor> prefixed = new LinkedHashMap<>();
            orig.forEach((k, v) -> prefixed.put("encode_transformer.backbone.pretrained_encoder." + k, v));
            new Dinov2((Dinov2Config) cfg.vfm(), new Rng(3)).load(Dinov2Weights.toOriginalNames(prefixed), true);
        }
    }

    @Test
    void presetsHaveTheOfficialShapes() {
        Dinov2Config l = Dinov2Config.named("dinov2_vitl14_reg4");
        assertEquals(1024, l.embedDim());
        assertArrayEquals(new int[] {5, 11, 17, 23}, l.levels());
        assertEquals(37, l.pretrainGrid());
        Dinov2Config g = Dinov2Config.named("dinov2_vitg14");
        assertTrue(g.swiglu());
        assertEquals(4096, g.mlpHidden()); // SwiGLUFFNFused: (6144·2/3 + 7)/8·8
        assertEquals(0, g.numRegisters());
        var e = assertThrows(IllegalArgumentException.class, () -> Dinov2Config.named("dinov2_vitx14"));
        assertTrue(e.getMessage().contains("unknown DINOv2 architecture"));
    }

    @Test
    void officialDinov2LargeHasTheSpecParameterCount() {
        try (Scope s = Scope.open()) {
            Dinov2 d = new Dinov2(Dinov2Config.vfmtokDefault(), new Rng(0));
            assertEquals(304_372_736L, d.parameterCount());
            assertEquals(344, d.stateDict().size());
        }
    }
}
