package org.vfmtok.vfmtok.model;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfmtok.vfmtok.train.TokenizerConfigs;

/** The official OmegaConf YAML configs load through {@link TokenizerConfig#load} as the official code reads them. */
class OfficialYamlConfigTest {
    static Path resource(String name) { return Path.of("src", "test", "resources", "official-configs", name); }

    /** The JSON form without the lines that name the VFM or its input resize (identity at 336). */
    static String numbers(TokenizerConfig c) {
        return TokenizerConfigs.toJson(c).lines().filter(l -> !l.contains("\"name\"") && !l.contains("\"input_size\""))
                .map(l -> l.endsWith(",") ? l.substring(0, l.length() - 1) : l).collect(java.util.stream.Collectors.joining("\n"));
    }

    @Test
    void theReleasedLayoutIsTheOfficialArchitecture() throws IOException {
        TokenizerConfig c = TokenizerConfig.load(resource("vfmtok_336_dinov2_l.yaml"));
        TokenizerConfig o = TokenizerConfig.official();
        assertEquals(numbers(o), numbers(c), "every number as the official preset");
        assertEquals(336, c.vfm().inputSize(), "VFMTok resizes to 336 before DINOv2");
        assertArrayEquals(new int[] {5, 11, 17, 23}, c.vfm().levels());
        assertEquals(24, c.vfmGrid());
        assertEquals(24, c.posGrid());
        assertEquals(1024, c.projDim());
        assertTrue(((org.vfmtok.vfmtok.vfm.Dinov2Config) c.vfm()).interpolateAntialias());
        assertNull(c.semanticTargetMismatch());
    }

    @Test
    void a128PixelDinov2SmallTokenizerLoads() throws IOException {
        TokenizerConfig c = TokenizerConfig.load(resource("vfmtok_128_dinov2_s.yaml"));
        assertEquals(128, c.imageSize());
        assertEquals(384, c.vfm().embedDim());
        assertEquals(12, c.vfm().depth());
        assertEquals(4, ((org.vfmtok.vfmtok.vfm.Dinov2Config) c.vfm()).numRegisters());
        assertEquals(336, c.vfm().inputSize());
        assertEquals(24, c.vfmGrid(), "the 128 px images are enlarged to 336 for DINOv2");
        assertEquals(8, c.latentGrid());
        assertEquals(24, c.posGrid());
        assertEquals(384, c.projDim(), "proj_dim through a relative interpolation ${...in_channels}");
        assertArrayEquals(new int[] {2, 5, 8, 11}, c.vfm().levels());
        assertEquals(18, c.encDepth());
        assertEquals(18, c.decDepth());
        assertEquals(64, c.tokens());
        assertEquals(4096, c.codebookSize());
        assertEquals(8, c.codeDim());
        assertEquals(256, c.zChannels());
        assertEquals(8, c.encHeads(), "the deformable encoder keeps its 8 heads whatever num_head says");
        assertNull(c.semanticTargetMismatch());
    }

    @Test
    void withoutFeatureLevelsASmallViTIsRefusedAsTheOfficialEncoderWould(@TempDir Path dir) throws IOException {
        String y = Files.readString(resource("vfmtok_128_dinov2_s.yaml")).replace("        feature_levels: [2, 5, 8, 11]\n", "");
        IOException e = assertThrows(IOException.class, () -> TokenizerConfig.load(Files.writeString(dir.resolve("s.yaml"), y)));
        assertTrue(e.getMessage().contains("12 blocks") && e.getMessage().contains("gives 3 feature maps") && e.getMessage().contains("feature_levels"), e.getMessage());
    }

    @Test
    void misspeltAndForeignKeysAreRefusedWithTheNearestKnownKey(@TempDir Path dir) throws IOException {
        String y = Files.readString(resource("vfmtok_336_dinov2_l.yaml"));
        IOException e = assertThrows(IOException.class, () -> TokenizerConfig.load(Files.writeString(dir.resolve("a.yaml"), y.replace("enc_n_points:", "enc_n_point:"))));
        assertTrue(e.getMessage().contains("'encoder_config.params.enc_n_point'") && e.getMessage().contains("did you mean 'encoder_config.params.enc_n_points'")
                && e.getMessage().contains("a.yaml"), e.getMessage());
        e = assertThrows(IOException.class, () -> TokenizerConfig.load(Files.writeString(dir.resolve("b.yaml"), y.replace("proj_dim:", "proj_dims:"))));
        assertTrue(e.getMessage().contains("did you mean 'encoder_config.params.visual_encoder_config.params.proj_dim'"), e.getMessage());
        e = assertThrows(IOException.class, () -> TokenizerConfig.load(Files.writeString(dir.resolve("c.yaml"), y.replace("in_channels: 1024", "in_channels: 768"))));
        assertTrue(e.getMessage().contains("in_channels' is 768") && e.getMessage().contains("1024"), e.getMessage());
        e = assertThrows(IOException.class, () -> TokenizerConfig.load(Files.writeString(dir.resolve("d.yaml"), y.replace("layers.Decoder", "layers.VanillaDecoder"))));
        assertTrue(e.getMessage().contains("decoder_config.target"), e.getMessage());
    }

    @Test
    void interpolationErrorsNameTheKey(@TempDir Path dir) throws IOException {
        String y = Files.readString(resource("vfmtok_336_dinov2_l.yaml"));
        IOException e = assertThrows(IOException.class, () -> TokenizerConfig.load(Files.writeString(dir.resolve("a.yaml"),
                y.replace("${encoder_config.params.depth}", "${encoder_config.params.deepth}"))));
        assertTrue(e.getMessage().contains("'decoder_config.params.depth'") && e.getMessage().contains("encoder_config.params.deepth"), e.getMessage());
        e = assertThrows(IOException.class, () -> TokenizerConfig.load(Files.writeString(dir.resolve("b.yaml"),
                y.replace("    depth: 6\n", "    depth: ${decoder_config.params.depth}\n"))));
        assertTrue(e.getMessage().contains("cycle"), e.getMessage());
        e = assertThrows(IOException.class, () -> TokenizerConfig.load(Files.writeString(dir.resolve("c.yaml"), y.replace("depth: 6", "depth: ${oc.env:DEPTH}"))));
        assertTrue(e.getMessage().contains("resolver") && e.getMessage().contains("encoder_config.params.depth"), e.getMessage());
        e = assertThrows(IOException.class, () -> TokenizerConfig.load(Files.writeString(dir.resolve("d.yaml"), y + "decoder_config: {}\n")));
        assertTrue(e.getMessage().contains("d.yaml") && e.getMessage().toLowerCase().contains("duplicate"), e.getMessage());
        e = assertThrows(IOException.class, () -> TokenizerConfig.load(Files.writeString(dir.resolve("e.yaml"), y.replace("depth: 6", "depth: 6.5"))));
        assertTrue(e.getMessage().contains("'encoder_config.params.depth'") && e.getMessage().contains("6.5"), e.getMessage());
    }

    @Test
    void embeddedInterpolationsAreSplicedAsText(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("x.yaml"), "a:\n  b: 3\n  c: n${a.b}x\n  d: ${.b}\n");
        var m = OmegaConfYaml.load(f);
        assertEquals("n3x", ((java.util.Map<?, ?>) m.get("a")).get("c"));
        assertEquals(3, ((Number) ((java.util.Map<?, ?>) m.get("a")).get("d")).intValue(), "a whole-value interpolation keeps the type");
    }

    @Test
    void theJsonFormCarriesTheNewFields(@TempDir Path dir) throws IOException {
        TokenizerConfig c = TokenizerConfig.load(resource("vfmtok_128_dinov2_s.yaml"));
        TokenizerConfig back = TokenizerConfig.load(Files.writeString(dir.resolve("c.json"), TokenizerConfigs.toJson(c)));
        assertEquals(TokenizerConfigs.toJson(c), TokenizerConfigs.toJson(back));
        assertEquals(336, back.vfm().inputSize());
        assertEquals(Arrays.toString(c.vfm().levels()), Arrays.toString(back.vfm().levels()));
    }
}
