package org.vfmtok.vfmtok.train;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.vfmtok.VFMTokenizer;
import org.vfmtok.vfmtok.model.TokenizerConfig;
import org.vfmtok.vfmtok.model.VQModel;
import org.vfmtok.vfmtok.vfm.VisionFoundationModel;
import org.vfmtok.vfmtok.vfm.VisionTowerConfig;
import org.vfmtok.vfmtok.vfm.VisionTowerConfig.Family;

/**
 * A tokenizer over a CLIP or SigLIP tower: the config names the tower and its levels, the JSON form carries
 * it, tokenize/decode run, and the semantic target (the decoder's VFM branch) is the tower's last level, with
 * its width and grid, and trains.
 */
class AnyVfmTokenizerTest {
    static TokenizerConfig with(Family f) {
        // 16 px images through a 20 px tower input (enlarged): a 5×5 grid of 24-wide features, levels 0 and 2
        VisionTowerConfig t = new VisionTowerConfig(f, "tiny-" + f, 24, 3, 2, 48, 4, 16, f == Family.CLIP ? 1e-5 : 1e-6,
                new int[] {0, 2}, f == Family.SIGLIP, 20);
        return new TokenizerConfig(16, 4, 16, 1, 2, 32, 1, 4, 1, 2, 48, 16, 4, 16, 8, new int[] {1, 1, 1}, 1, 4, 64, t);
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void theTargetFollowsTheTowerAndTrains(Family f) {
        TokenizerConfig cfg = with(f);
        assertEquals(5, cfg.vfmGrid());
        assertEquals(5, cfg.posGrid());
        assertEquals(24, cfg.projDim());
        assertEquals(2, cfg.levels());
        try (Scope s = Scope.open()) {
            VisionFoundationModel vfm = RandomVfm.create(cfg.vfm(), 3);
            VQModel model = new VQModel(cfg, new Rng(7));
            VFMTokenizer tok = new VFMTokenizer(cfg, vfm, model);
            Tensor images = Init.uniform(Tensor.empty(DType.F32, 2, 3, 16, 16), new Rng(11), -1, 1);
            List<Tensor> feats = tok.features(images);
            assertEquals(2, feats.size());
            assertArrayEquals(new int[] {2, 25, 24}, feats.get(1).shape());
            Tensor codes = tok.encode(images);
            assertArrayEquals(new int[] {2, 4}, codes.shape());
            assertArrayEquals(new int[] {2, 3, 16, 16}, tok.decode(codes).shape());

            model.train(true);
            TokenizerLoss loss = new TokenizerLoss(model, vfm, null, null, new TokenizerLoss.Weights(1, 0, 1, 1, 0.25, 0, Long.MAX_VALUE, 0));
            TokenizerLoss.Output out = loss.forward(images, 0);
            assertTrue(out.parts().get("semantic") > 0, "the tower's last level is the semantic target");
            out.loss().backward();
            assertTrue(TokenizerTrainingTest.maxAbs(model.namedParameters().get("decode_transformer.proj.weight").grad()) > 0);
            assertArrayEquals(new int[] {24, 16}, model.namedParameters().get("decode_transformer.proj.weight").shape(), "proj to the tower's width");
            assertTrue(TokenizerTrainingTest.maxAbs(model.namedParameters().get("encode_transformer.projectors.0.mlp.0.weight").grad()) > 0);
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void theJsonFormNamesTheTower(Family f, @TempDir Path dir) throws IOException {
        TokenizerConfig cfg = with(f);
        String json = TokenizerConfigs.toJson(cfg);
        assertTrue(json.contains("\"family\": \"" + (f == Family.CLIP ? "clip" : "siglip") + "\""), json);
        TokenizerConfig back = TokenizerConfig.load(Files.writeString(dir.resolve("t.json"), json));
        assertEquals(json, TokenizerConfigs.toJson(back));
        // a released tower by name, with the tokenizer's own levels, in the official geometry otherwise
        String fam = f == Family.CLIP ? "clip" : "siglip";
        String arch = f == Family.CLIP ? "openai/clip-vit-large-patch14-336" : "google/siglip2-so400m-patch14-384";
        TokenizerConfig n = TokenizerConfig.load(Files.writeString(dir.resolve("n.json"),
                "{\"vfm\": {\"family\": \"" + fam + "\", \"arch\": \"" + arch + "\", \"levels\": [5, 11, 17, 23]}}"));
        assertEquals(f == Family.CLIP ? 1024 : 1152, n.projDim(), "the decoder predicts the tower's features");
        assertEquals(f == Family.CLIP ? 24 : 27, n.vfmGrid(), "576 tokens at 336 for CLIP-L/14-336; 729 for so400m/14 at 384");
        assertEquals(n.vfmGrid(), n.posGrid());
        assertArrayEquals(new int[] {5, 11, 17, 23}, n.vfm().levels());
        IOException e = assertThrows(IOException.class, () -> TokenizerConfig.load(Files.writeString(dir.resolve("w.json"), json.replace("\"norm_last\"", "\"norm_lst\""))));
        assertTrue(e.getMessage().contains("did you mean 'vfm.norm_last'"), e.getMessage());
    }

    @org.junit.jupiter.api.Test
    void thePilotVqganVfmQuantisesTheLastLevelGridWithoutASampler() {
        TokenizerConfig p = TokenizerConfig.pilotVqganVfm(TokenizerConfig.official().vfm());
        assertEquals(576, p.tokens(), "576 tokens at 336 px for a /14 VFM");
        assertFalse(p.deformableSampler());
        assertArrayEquals(new int[] {23}, p.vfm().levels(), "the last level only");
        assertEquals(1024, p.projDim());
        TokenizerConfig clip = TokenizerConfig.pilotVqganVfm(VisionTowerConfig.named("openai/clip-vit-large-patch14-336"));
        assertEquals(576, clip.tokens());

        TokenizerConfig tiny = TokenizerConfig.pilotVqganVfm(with(Family.SIGLIP).vfm());
        TokenizerConfig small = new TokenizerConfig(16, 4, 16, 0, 2, 32, 1, 25, 1, 2, 48, 16, 4, 16, 8, new int[] {1, 1, 1}, 1, 4, 64, tiny.vfm());
        try (Scope s = Scope.open()) {
            VisionFoundationModel vfm = RandomVfm.create(small.vfm(), 3);
            VQModel model = new VQModel(small, new Rng(7));
            assertFalse(model.stateDict().containsKey("encode_transformer.carrier_tokens"), "no anchor queries");
            assertTrue(model.stateDict().keySet().stream().noneMatch(k -> k.startsWith("encode_transformer.transformer.")), "no deformable layers");
            assertTrue(model.stateDict().containsKey("encode_transformer.projectors.0.mlp.0.weight"), "the projection");
            VFMTokenizer tok = new VFMTokenizer(small, vfm, model);
            Tensor images = Init.uniform(Tensor.empty(DType.F32, 2, 3, 16, 16), new Rng(11), -1, 1);
            Tensor codes = tok.encode(images);
            assertArrayEquals(new int[] {2, 25}, codes.shape(), "one token per cell of the 5×5 VFM grid");
            assertArrayEquals(new int[] {2, 3, 16, 16}, tok.decode(codes).shape());
            model.train(true);
            TokenizerLoss loss = new TokenizerLoss(model, vfm, null, null, new TokenizerLoss.Weights(1, 0, 1, 1, 0.25, 0, Long.MAX_VALUE, 0));
            loss.forward(images, 0).loss().backward();
            assertTrue(TokenizerTrainingTest.maxAbs(model.namedParameters().get("encode_transformer.projectors.0.mlp.0.weight").grad()) > 0);
        }
        var e = assertThrows(IllegalArgumentException.class, () -> new TokenizerConfig(16, 4, 16, 0, 2, 32, 1, 16, 1, 2, 48, 16, 4, 16, 8,
                new int[] {1, 1, 1}, 1, 4, 64, tiny.vfm()));
        assertTrue(e.getMessage().contains("n_carrier = 5² = 25"), e.getMessage());
    }
}
