package org.vfmtok.llama;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.Scope;
import org.vfmtok.vfmtok.model.TokenizerConfig;

/** Bad input: each is refused with a message that names the value and the allowed range. */
class GptValidationTest {
    private static Scope scope;
    private static GPT g4;

    @BeforeAll
    static void load() {
        scope = Scope.detached("validation");
        g4 = scope.run(() -> Fixture.small("g4").load());
    }

    @AfterAll
    static void free() { scope.close(); }

    private static GenerationOptions greedy(double cfg) { return new GenerationOptions(cfg, SamplingOptions.greedy(), 0); }

    @Test
    void classIndexOutOfRange() {
        try (Generator gen = new Generator(g4)) {
            var e = assertThrows(IllegalArgumentException.class, () -> gen.generate(new int[] {3, 10}, greedy(1.0), null));
            assertTrue(e.getMessage().contains("class index 10 is out of range [0, 10)"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> gen.generate(new int[] {-1}, greedy(1.5), null));
            assertTrue(e.getMessage().contains("class index -1"), e.getMessage());
        }
    }

    @Test
    void cfgBelowOne() {
        var e = assertThrows(IllegalArgumentException.class, () -> greedy(0.5));
        assertTrue(e.getMessage().contains("cfg scale must be >= 1") && e.getMessage().contains("0.5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> greedy(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new GenerationOptions(1.5, -2, SamplingOptions.greedy(), 0));
        assertFalse(greedy(1.0).guided());
        assertTrue(greedy(1.0001).guided());
    }

    @Test
    void topPOutsideUnitInterval() {
        for (double p : new double[] {0.0, -0.1, 1.5, Double.NaN}) {
            var e = assertThrows(IllegalArgumentException.class, () -> new SamplingOptions(1.0, 0, p, true));
            assertTrue(e.getMessage().contains("top-p must be in (0, 1]"), e.getMessage());
        }
        assertEquals(1.0, new SamplingOptions(1.0, 0, 1.0, true).topP());
    }

    @Test
    void negativeTemperatureOrTopK() {
        var e = assertThrows(IllegalArgumentException.class, () -> new SamplingOptions(-0.1, 0, 1.0, true));
        assertTrue(e.getMessage().contains("temperature must be >= 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SamplingOptions(1.0, -1, 1.0, true));
        assertTrue(e.getMessage().contains("top-k must be >= 0"), e.getMessage());
    }

    @Test
    void vocabularyDiffersFromCodebook() {
        var e = assertThrows(IllegalArgumentException.class, () -> ImageGenerator.checkCompatible(g4.config, TokenizerConfig.official()));
        assertTrue(e.getMessage().contains("vocabulary (64 codes") && e.getMessage().contains("codebook size (16384)"), e.getMessage());
        // the same GPT with the official vocabulary but a 4x4 grid: the token counts differ
        e = assertThrows(IllegalArgumentException.class, () -> ImageGenerator.checkCompatible(g4.config.withVocab(16384), TokenizerConfig.official()));
        assertTrue(e.getMessage().contains("16 tokens") && e.getMessage().contains("256"), e.getMessage());
        ImageGenerator.checkCompatible(GPTConfig.preset("GPT-B"), TokenizerConfig.official());
    }

    @Test
    void checkpointOfAnotherSize() {
        Fixture f = Fixture.small("g4");
        GPTConfig other = Fixture.small("g16").config;
        try (Scope s = Scope.open()) {
            var e = assertThrows(IOException.class, () -> GPT.load(f.dir.resolve("gpt.pt"), other));
            String m = e.getMessage();
            assertTrue(m.contains("does not fit") && m.contains("tok_embeddings.weight: checkpoint [64, 64], model [128, 32]"), m);
            assertTrue(m.contains("the checkpoint has dim 64, vocab 64, 2 layers"), m);
            // a layer more: missing keys are named
            GPTConfig deeper = new GPTConfig("deeper", 64, 3, 4, 128, 64, 10, 4, 10000, 1e-5, 0.1, 0.1, 0.1, 0.1, 0.02);
            e = assertThrows(IOException.class, () -> GPT.load(f.dir.resolve("gpt.pt"), deeper));
            assertTrue(e.getMessage().contains("missing keys") && e.getMessage().contains("layers.2."), e.getMessage());
            e = assertThrows(IOException.class, () -> GPT.load(f.dir.resolve("gpt.pt"), f.config, "optimizer"));
            assertTrue(e.getMessage().contains("no 'optimizer' weights"), e.getMessage());
        }
    }

    @Test
    void loadsABareStateDictFromSafetensors(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        try (Scope s = Scope.open()) {
            java.nio.file.Path f = dir.resolve("gpt.safetensors");
            org.vfmtok.tensor.io.Safetensors.save(f, g4.stateDict());
            GPT again = GPT.load(f, g4.config);
            assertFalse(again.isTraining(), "loaded models are in eval mode");
            for (var e : g4.stateDict().entrySet()) {
                assertArrayEquals(e.getValue().toFloatArray(), again.stateDict().get(e.getKey()).toFloatArray(), e.getKey());
            }
            // the "model" entry of the .pt differs from "ema" (the default)
            GPT model = GPT.load(Fixture.small("g4").dir.resolve("gpt.pt"), g4.config, "model");
            assertFalse(java.util.Arrays.equals(model.stateDict().get("output.weight").toFloatArray(), g4.stateDict().get("output.weight").toFloatArray()));
        }
    }

    @Test
    void decoderRefusesBadSteps() {
        try (KVDecoder d = new KVDecoder(g4, 2)) {
            assertThrows(IllegalStateException.class, () -> d.step(new int[] {1, 2}, 2), "step before prefill");
            d.prefill(new int[] {1, 10});
            var e = assertThrows(IllegalArgumentException.class, () -> d.step(new int[] {64, 0}, 2));
            assertTrue(e.getMessage().contains("token 64"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> d.step(new int[] {1, 2, 3}, 3), "more rows than prefilled");
            for (int t = 1; t < 17; t++) d.step(new int[] {1, 2}, 2);
            assertThrows(IllegalStateException.class, () -> d.step(new int[] {1, 2}, 2), "past 1 + grid²");
            assertThrows(IllegalArgumentException.class, () -> d.prefill(new int[] {11}), "past the null class");
        }
    }
}
