package org.vfmtok.llama;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;

/** Presets (MODEL-SPEC §2.1), state-dict keys (§2.2), custom sizes from JSON. */
class GPTConfigTest {
    @Test
    void presetsMatchTheSpecTable() {
        Object[][] table = {
            {"GPT-B", 768, 12, 12, 64, 2048, 110_888_448L}, {"GPT-L", 1024, 24, 16, 64, 2816, 342_910_976L},
            {"GPT-XL", 1280, 36, 20, 64, 3584, 774_699_520L}, {"GPT-XXL", 1536, 48, 24, 64, 4096, 1_410_972_672L},
            {"GPT-2B", 1920, 48, 32, 60, 5120, 2_188_389_120L}, {"GPT-3B", 3200, 24, 32, 100, 8704, 3_096_659_200L}};
        for (Object[] r : table) {
            GPTConfig c = GPTConfig.preset((String) r[0]);
            assertEquals(r[1], c.dim(), c.name());
            assertEquals(r[2], c.nLayer(), c.name());
            assertEquals(r[3], c.nHead(), c.name());
            assertEquals(r[4], c.headDim(), c.name());
            assertEquals(r[5], c.ffnDim(), c.name());
            assertEquals(r[6], c.parameterCount(), c.name());
            assertEquals(264, c.cacheLength());
            assertEquals(1001, c.classRows());
        }
        assertEquals("GPT-L", GPTConfig.preset("l").name());
        var e = assertThrows(IllegalArgumentException.class, () -> GPTConfig.preset("GPT-Q"));
        assertTrue(e.getMessage().contains("GPT-B, GPT-L"), e.getMessage());
    }

    @Test
    void gptBStateDictKeysAndShapes() {
        try (Scope s = Scope.open()) {
            GPT g = new GPT(GPTConfig.preset("GPT-B"));   // uninitialised: no random draws
            Map<String, Tensor> sd = g.stateDict();
            assertEquals(2 + 12 * 7 + 2, sd.size());
            assertEquals(110_888_448L, g.parameterCount());
            String[] first = sd.keySet().toArray(new String[0]);
            assertEquals("cls_embedding.embedding_table.weight", first[0]);
            assertEquals("tok_embeddings.weight", first[1]);
            assertEquals("layers.0.attention.wqkv.weight", first[2]);
            assertEquals("layers.0.attention.wo.weight", first[3]);
            assertEquals("layers.0.feed_forward.w1.weight", first[4]);
            assertEquals("layers.0.feed_forward.w3.weight", first[5]);
            assertEquals("layers.0.feed_forward.w2.weight", first[6]);
            assertEquals("layers.0.attention_norm.weight", first[7]);
            assertEquals("layers.0.ffn_norm.weight", first[8]);
            assertEquals("norm.weight", first[first.length - 2]);
            assertEquals("output.weight", first[first.length - 1]);
            assertArrayEquals(new int[] {1001, 768}, sd.get("cls_embedding.embedding_table.weight").shape());
            assertArrayEquals(new int[] {2304, 768}, sd.get("layers.11.attention.wqkv.weight").shape());
            assertArrayEquals(new int[] {768, 2048}, sd.get("layers.11.feed_forward.w2.weight").shape());
            assertArrayEquals(new int[] {16384, 768}, sd.get("output.weight").shape());
            for (String k : sd.keySet()) assertFalse(k.contains("bias") || k.contains("freqs") || k.contains("dropout"), k);
        }
    }

    /** A size beyond int in a GPT config is named, not a bare "integer overflow". */
    @Test
    void hugeSizesAreNamed(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("c.json");
        Files.writeString(f, "{\"dim\": 64, \"n_head\": 99999999999}");
        Exception e = assertThrows(Exception.class, () -> GPTConfig.fromJson(f));
        assertTrue(e.getMessage().contains("n_head") && e.getMessage().contains("out of range") && !e.getMessage().contains("integer overflow"), e.getMessage());
    }

    @Test
    void customSizesFromJson(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("c.json");
        Files.writeString(f, "{\"dim\": 96, \"n_layer\": 3, \"n_head\": 4, \"vocab_size\": 1024, \"block_size\": 64, \"num_classes\": 20}");
        GPTConfig c = GPTConfig.fromJson(f);
        assertEquals(8, c.grid());
        assertEquals(24, c.headDim());
        assertEquals(256, c.ffnDim(), "find_multiple(int(8*96/3) = 256, 256)");
        assertEquals(72, c.cacheLength(), "1 + 64 rounded up to 8");
        Files.writeString(f, "{\"model\": \"GPT-L\", \"vocab_size\": 4096}");
        c = GPTConfig.fromJson(f);
        assertEquals(1024, c.dim());
        assertEquals(2816, c.ffnDim());
        assertEquals(4096, c.vocabSize());
        Files.writeString(f, "{\"dim\": 64, \"n_head\": 4, \"ffn_dim\": 100, \"grid\": 5}");
        assertEquals(100, GPTConfig.fromJson(f).ffnDim());
        Files.writeString(f, "{\"dim\": 64, \"n_head\": 5}");
        var e = assertThrows(java.io.IOException.class, () -> GPTConfig.fromJson(f));
        assertTrue(e.getMessage().contains("not divisible"), e.getMessage());
        Files.writeString(f, "{\"dim\": 64, \"n_heads\": 4}");
        e = assertThrows(java.io.IOException.class, () -> GPTConfig.fromJson(f));
        assertTrue(e.getMessage().contains("unknown GPT config key 'n_heads'"), e.getMessage());
        Files.writeString(f, "{\"block_size\": 200}");
        e = assertThrows(java.io.IOException.class, () -> GPTConfig.fromJson(f));
        assertTrue(e.getMessage().contains("not a square"), e.getMessage());
        Files.writeString(f, "{\"dim\": 72, \"n_head\": 12}");
        e = assertThrows(java.io.IOException.class, () -> GPTConfig.fromJson(f));
        assertTrue(e.getMessage().contains("multiple of 4"), e.getMessage());
    }
}
