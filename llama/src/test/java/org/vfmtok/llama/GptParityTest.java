package org.vfmtok.llama;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;

/**
 * The GPT against the PyTorch reference (tools/reference/llamagen_ref.py) on the small fixtures: g4 (dim 64,
 * 4 heads, grid 4, explicit ffn 128) and g16 (dim 32, 2 heads, grid 16 = 256 tokens, ffn 96 from
 * multiple_of 32). Weights are the checkpoints' "ema" entries, as the official sampler loads them.
 */
class GptParityTest {
    private static Scope scope;
    private static final Map<String, Fixture> FIX = new java.util.HashMap<>();
    private static final Map<String, GPT> GPTS = new java.util.HashMap<>();

    @BeforeAll
    static void load() {
        scope = Scope.detached("gpt parity");
        for (String n : new String[] {"g4", "g16"}) {
            Fixture f = Fixture.small(n);
            FIX.put(n, f);
            GPTS.put(n, scope.run(f::load));
        }
    }

    @AfterAll
    static void free() { scope.close(); }

    @Test
    void configsFromManifests() {
        GPTConfig g4 = FIX.get("g4").config, g16 = FIX.get("g16").config;
        assertEquals(64, g4.dim());
        assertEquals(128, g4.ffnDim());
        assertEquals(4, g4.grid());
        assertEquals(96, g16.ffnDim(), "find_multiple(int(8*32/3), 32)");
        assertEquals(16, g16.grid());
        assertEquals(264, g16.cacheLength());
        assertEquals(24, g4.cacheLength());
        assertEquals(((Number) ((Map<?, ?>) FIX.get("g4").manifest.get("checkpoint")).get("params")).longValue(), GPTS.get("g4").parameterCount());
        assertEquals(g4.parameterCount(), GPTS.get("g4").parameterCount());
    }

    @ParameterizedTest
    @ValueSource(strings = {"g4", "g16"})
    void ropeTableMatchesReference(String name) {
        Fixture f = FIX.get(name);
        try (Scope s = Scope.open()) {
            float[] expected = f.npy("freqs_cis").toFloatArray();
            float[] actual = GPTS.get(name).rope().tensor().toFloatArray();
            assertEquals(expected.length, actual.length);
            for (int i = 0; i < expected.length; i++) assertEquals(expected[i], actual[i], 2e-6, "freqs_cis element " + i);
            for (int i = 0; i < GPTS.get(name).config.headDim(); i++) assertEquals(0f, actual[i], "class-token row is zero");
        }
    }

    @Test
    void ropeCheckValuesOfTheSpec() {
        Rope2D rope = new Rope2D(16, 64, 10000);
        int p = 1 + 3 * 16 + 7;
        double[][] want = {{0, 3.0}, {1, 1.68702}, {16, 0.71681}, {31, 0.00124}};
        for (double[] w : want) {
            double a = rope.angle(p, (int) w[0]);
            a = ((a % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI);
            assertEquals(w[1], a, 1e-4, "angle of pair " + (int) w[0] + " at cell (3,7)");
        }
        // first half of the pairs by the row (3), second half by the column (7): exact multiples of the frequencies
        assertEquals(3.0, rope.angle(p, 0), 1e-6);
        assertEquals(7.0 - 2 * Math.PI, rope.angle(p, 16), 1e-6);
        try (Scope s = Scope.open()) {
            float[] ref = FIX.get("g4").npy("rope_hd64_cell3_7").toFloatArray();
            for (int m = 0; m < 32; m++) {
                assertEquals(ref[2 * m], rope.cos(p, m), 2e-6, "cos pair " + m);
                assertEquals(ref[2 * m + 1], rope.sin(p, m), 2e-6, "sin pair " + m);
            }
        }
    }

    @Test
    void classTokenQueryAndKeyAreZeroed() {
        Rope2D rope = new Rope2D(4, 16, 10000);
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, 1, 1, 16);
            Tensor out = Tensor.zeros(1, 1, 16);
            rope.rotate(x, out, 0);
            for (float v : out.toFloatArray()) assertEquals(0f, v, 0f);
            rope.rotate(x, out, 1);   // cell (0, 0): identity
            assertArrayEquals(x.toFloatArray(), out.toFloatArray());
        }
        // and inside the model: the cached key of position 0 is zero after the prefill
        GPT g = GPTS.get("g4");
        try (KVDecoder d = new KVDecoder(g, 2)) {
            d.prefill(new int[] {1, 10});
            for (int l = 0; l < g.config.nLayer(); l++) {
                for (float v : d.keys(l).narrow(2, 0, 1).contiguous().toFloatArray()) assertEquals(0f, v, 0f);
                double vsum = 0;
                for (float v : d.values(l).narrow(2, 0, 1).contiguous().toFloatArray()) vsum += Math.abs(v);
                assertTrue(vsum > 0, "the class token's value still flows");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"g4", "g16"})
    void fullSequenceLogitsAndLoss(String name) {
        Fixture f = FIX.get(name);
        GPT g = GPTS.get(name);
        try (Scope s = Scope.open(); Grad.Mode ng = Grad.noGrad()) {
            Tensor classes = f.npy("train_classes"), codes = f.npy("train_codes");
            Tensor logits = g.forward(classes, codes.narrow(1, 0, codes.size(1) - 1));
            Tensor expected = f.npy("logits_full");
            assertArrayEquals(expected.shape(), logits.shape());
            double rel = Fixture.relError(expected.toFloatArray(), logits.toFloatArray());
            assertTrue(rel < 1e-4, name + " full logits relative error " + rel);
            double loss = g.loss(classes, codes).item();
            double want = ((Number) f.caseOf("full").get("loss")).doubleValue();
            assertEquals(want, loss, 1e-4 * Math.abs(want), "training loss");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"g4", "g16"})
    void kvCacheDecodeEqualsFullForward(String name) {
        Fixture f = FIX.get(name);
        GPT g = GPTS.get(name);
        try (Scope s = Scope.open(); Grad.Mode ng = Grad.noGrad()) {
            int[] classes = Fixture.ints(f.npy("train_classes"));
            Tensor codesT = f.npy("train_codes");
            int b = classes.length, n = codesT.size(1), v = g.config.vocabSize();
            int[] codes = Fixture.ints(codesT);
            float[] kv = new float[b * n * v];
            try (KVDecoder d = new KVDecoder(g, b)) {
                assertEquals(f.config.cacheLength(), d.cacheLength());
                float[] row = new float[v];
                int[] feed = new int[b];
                for (int t = 0; t < n; t++) {
                    if (t == 0) d.prefill(classes);
                    else {
                        for (int i = 0; i < b; i++) feed[i] = codes[i * n + t - 1];
                        d.step(feed, b);
                    }
                    for (int i = 0; i < b; i++) {
                        d.copyLogits(i, row);
                        System.arraycopy(row, 0, kv, (i * n + t) * v, v);
                    }
                }
            }
            double relRef = Fixture.relError(f.npy("logits_kv").toFloatArray(), kv);
            assertTrue(relRef < 1e-4, name + " KV logits vs reference, relative error " + relRef);
            float[] full = g.forward(f.npy("train_classes"), codesT.narrow(1, 0, n - 1)).toFloatArray();
            double relFull = Fixture.relError(full, kv);
            assertTrue(relFull < 2e-6, name + " KV logits vs our full forward, relative error " + relFull);
        }
    }

    static List<String> greedyCases(Fixture f) {
        List<String> out = new ArrayList<>();
        for (Object k : f.cases().keySet()) if (String.valueOf(k).startsWith("greedy")) out.add(String.valueOf(k));
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"g4", "g16"})
    void greedyCodesIdenticalToReference(String name) {
        Fixture f = FIX.get(name);
        GPT g = GPTS.get(name);
        int[] classes = Fixture.ints(f.npy("gen_classes"));
        List<String> cases = greedyCases(f);
        assertTrue(cases.contains("greedy_cfg1") && cases.contains("greedy_cfg1.5"), "fixture has cfg 1 and 1.5: " + cases);
        try (Generator gen = new Generator(g)) {
            for (String c : cases) {
                Map<?, ?> spec = f.caseOf(c);
                double cfg = ((Number) spec.get("cfg_scale")).doubleValue();
                int interval = ((Number) spec.get("cfg_interval")).intValue();
                int recorded = ((Number) spec.get("recorded_steps")).intValue();
                List<float[][]> logits = new ArrayList<>();
                int[][] codes = gen.generate(classes, new GenerationOptions(cfg, interval, SamplingOptions.greedy(), 0),
                        (s, r) -> 0.5, (step, steps, l, tokens) -> { if (step < recorded) logits.add(l); }, g.config.tokens());
                int[] expected = Fixture.ints(f.npy(c + "_codes"));
                int n = g.config.tokens();
                for (int i = 0; i < classes.length; i++) {
                    for (int t = 0; t < n; t++) {
                        assertEquals(expected[i * n + t], codes[i][t], name + " " + c + ": row " + i + " step " + t);
                    }
                }
                float[] want = f.npy(c + "_logits").toFloatArray();
                float[] got = new float[want.length];
                int v = g.config.vocabSize(), k = 0;
                for (float[][] step : logits) for (float[] row : step) { System.arraycopy(row, 0, got, k, v); k += v; }
                double rel = Fixture.relError(want, got);
                assertTrue(rel < 1e-4, name + " " + c + " guided logits of the first steps, relative error " + rel);
            }
        }
    }

    @Test
    void sampledCodesWithInjectedUniforms() {
        Fixture f = FIX.get("g4");
        GPT g = GPTS.get("g4");
        Map<?, ?> spec = f.caseOf("sampled");
        SamplingOptions so = new SamplingOptions(((Number) spec.get("temperature")).doubleValue(), ((Number) spec.get("top_k")).intValue(),
                ((Number) spec.get("top_p")).doubleValue(), true);
        int[] classes = Fixture.ints(f.npy("gen_classes"));
        double[] u;
        try (Scope s = Scope.open()) {
            u = f.npy("sample_uniforms").toDoubleArray();
        }
        int b = classes.length;
        try (Generator gen = new Generator(g)) {
            int[][] codes = gen.generate(classes, new GenerationOptions(((Number) spec.get("cfg_scale")).doubleValue(), so, 0),
                    (s, r) -> u[s * b + r], null, g.config.tokens());
            int[] expected = Fixture.ints(f.npy("sampled_codes"));
            int n = g.config.tokens();
            for (int i = 0; i < b; i++) for (int t = 0; t < n; t++) assertEquals(expected[i * n + t], codes[i][t], "row " + i + " step " + t);
        }
    }

    @Test
    void samplerProbabilitiesMatchReference() {
        Fixture f = FIX.get("g4");
        Map<?, ?> spec = f.caseOf("sampled");
        SamplingOptions so = new SamplingOptions(((Number) spec.get("temperature")).doubleValue(), ((Number) spec.get("top_k")).intValue(),
                ((Number) spec.get("top_p")).doubleValue(), true);
        try (Scope s = Scope.open()) {
            float[] logits = f.npy("sampled_logits").toFloatArray(), probs = f.npy("sampled_probs").toFloatArray();
            int v = f.config.vocabSize();
            Sampler sampler = new Sampler(so, v);
            for (int r = 0; r < logits.length / v; r++) {
                float[] row = java.util.Arrays.copyOfRange(logits, r * v, (r + 1) * v);
                sampler.sample(row, 0.5);
                int kept = 0;
                for (int i = 0; i < v; i++) {
                    assertEquals(probs[r * v + i], sampler.probs()[i], 1e-6, "row " + r + " token " + i);
                    if (sampler.probs()[i] > 0) kept++;
                }
                assertTrue(kept >= 1 && kept <= 8, "top-k 8 keeps at most 8 tokens, kept " + kept);
            }
        }
    }
}
