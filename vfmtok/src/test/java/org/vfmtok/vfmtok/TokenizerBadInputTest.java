package org.vfmtok.vfmtok;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.vfmtok.model.TokenizerConfig;

/** Checkpoints that do not fit the configuration and malformed inputs end with errors that say what is wrong. */
class TokenizerBadInputTest {
    private static Path fixture(String name) throws Exception {
        return Path.of(TokenizerBadInputTest.class.getResource("/fixtures/small/" + name).toURI());
    }

    @Test
    void checkpointOfAnotherSizeNamesKeyAndShapes() throws Exception {
        // the small checkpoint against a config with a bigger codebook
        TokenizerConfig small = TokenizerConfig.load(fixture("config.json"));
        TokenizerConfig other = new TokenizerConfig(small.imageSize(), small.patchSize(), small.dim(), small.encDepth(), small.encHeads(),
                small.encFfn(), small.nPoints(), small.nCarrier(), small.decDepth(), small.decHeads(), small.decMlp(), 128, small.codeDim(),
                small.zChannels(), small.ch(), small.chMult(), small.numResBlocks(), small.gnGroups(), small.codebookUsedLen(), small.vfm());
        try (Scope s = Scope.open()) {
            IOException e = assertThrows(IOException.class, () -> VFMTokenizer.load(fixture("tokenizer.pt"), null, other));
            assertTrue(e.getMessage().contains("slot_quantize.embedding.weight: checkpoint [64, 12], model [128, 12]"), e.getMessage());
            assertTrue(e.getMessage().contains("tokenizer.pt"), e.getMessage());
        }
    }

    @Test
    void dinov2WeightsOfTheWrongSize() throws Exception {
        TokenizerConfig small = TokenizerConfig.load(fixture("config.json"));
        TokenizerConfig officialVfm = new TokenizerConfig(small.imageSize(), small.patchSize(), small.dim(), small.encDepth(), small.encHeads(),
                small.encFfn(), small.nPoints(), small.nCarrier(), small.decDepth(), small.decHeads(), small.decMlp(), small.codebookSize(),
                small.codeDim(), small.zChannels(), small.ch(), small.chMult(), small.numResBlocks(), small.gnGroups(), small.codebookUsedLen(),
                new org.vfmtok.vfmtok.vfm.Dinov2Config("custom-518", 32, 4, 2, 14, 4, false, 128, 518, 1e-6, new int[] {0, 1, 2, 3}));
        try (Scope s = Scope.open()) {
            IOException e = assertThrows(IOException.class, () -> VFMTokenizer.load(fixture("tokenizer.pt"), fixture("dinov2.pth"), officialVfm));
            assertTrue(e.getMessage().contains("DINOv2 weights do not fit custom-518"), e.getMessage());
            assertTrue(e.getMessage().contains("pos_embed: checkpoint [1, 145, 32], model [1, 1370, 32]"), e.getMessage());
        }
    }

    @Test
    void wrongImageAndCodeShapes() throws Exception {
        TokenizerConfig small = TokenizerConfig.load(fixture("config.json"));
        try (Scope s = Scope.open()) {
            VFMTokenizer tok = VFMTokenizer.load(fixture("tokenizer.pt"), fixture("dinov2.pth"), small);
            var e = assertThrows(IllegalArgumentException.class, () -> tok.encode(Tensor.zeros(1, 3, 100, 100)));
            assertTrue(e.getMessage().contains("(B, 3, 112, 112)"), e.getMessage());
            var c = assertThrows(IllegalArgumentException.class, () -> tok.decode(Tensor.ofLongs(new long[] {1, 2, 3}, 1, 3)));
            assertTrue(c.getMessage().contains("(B, 16)"), c.getMessage());
            long[] bad = new long[16];
            bad[5] = 64;
            var r = assertThrows(IllegalArgumentException.class, () -> tok.decode(Tensor.ofLongs(bad, 1, 16)));
            assertTrue(r.getMessage().contains("code 64 at position 5 is outside the codebook of 64"), r.getMessage());
            VFMTokenizer decodeOnly = VFMTokenizer.load(fixture("tokenizer.pt"), null, small);
            var v = assertThrows(IllegalStateException.class, () -> decodeOnly.encode(Tensor.zeros(1, 3, 112, 112)));
            assertTrue(v.getMessage().contains("without VFM weights"), v.getMessage());
        }
    }

    @Test
    void configErrorsNameTheFile(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path bad = dir.resolve("cfg.json");
        java.nio.file.Files.writeString(bad, "{\"image_size\": 100, \"patch_size\": 16}");
        IOException e = assertThrows(IOException.class, () -> TokenizerConfig.load(bad));
        assertTrue(e.getMessage().contains("cfg.json") && e.getMessage().contains("not a multiple"), e.getMessage());
    }
}
