package org.vfmtok.llama;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;

/**
 * The BF16 KV cache against the F32 one on a small random model (dim 64, 2 layers, 4 heads of 16, vocab 256, an
 * 8×8 grid: a prefill and 63 steps). Weights are N(0, 0.1) rather than the official 0.02 so that attention is far
 * from uniform and the logits are O(1): the cache's rounding then actually reaches the logits.
 */
class KVCacheBF16Test {
    private static Scope scope;
    private static GPT g;

    @BeforeAll
    static void build() {
        Assumptions.assumeTrue(org.vfmtok.tensor.backend.Backends.cpu().attention().cachedFastPath(org.vfmtok.tensor.DType.BF16), "64-bit float vectors: no BF16 cache");
        scope = Scope.detached("kv-bf16");
        GPTConfig c = new GPTConfig("rand", 64, 2, 4, GPTConfig.ffnFor(64, 32), 256, 10, 8, 10000, 1e-5, 0.1, 0, 0, 0, 0.1);
        g = scope.run(() -> {
            GPT m = new GPT(c);
            m.initialize(3, true);
            m.eval();
            return m;
        });
    }

    @AfterAll
    static void free() { if (scope != null) scope.close(); }

    /** Logits (position, row, vocab) of a prefill with {@code labels} and the fixed token feed, every position. */
    private static float[][][] decode(KVDecoder d, int[] labels) {
        int rows = labels.length, v = g.config.vocabSize(), n = g.config.tokens();
        float[][][] out = new float[n][rows][v];
        int[] feed = new int[rows];
        for (int t = 0; t < n; t++) {
            if (t == 0) d.prefill(labels);
            else {
                for (int i = 0; i < rows; i++) feed[i] = (t * 37 + i * 101) % v;
                d.step(feed, rows);
            }
            for (int i = 0; i < rows; i++) d.copyLogits(i, out[t][i]);
        }
        return out;
    }

    @Test
    void bf16CacheLogitsStayCloseToF32ButAreNotIdentical() {
        int[] labels = {0, 3, 7, 10};   // 10 = the null class
        float[][][] f32, bf16;
        try (KVDecoder a = new KVDecoder(g, labels.length); KVDecoder b = new KVDecoder(g, labels.length, KVCacheDType.BF16)) {
            assertEquals(KVCacheDType.F32, a.cacheDType());
            assertEquals(KVCacheDType.BF16, b.cacheDType());
            f32 = decode(a, labels);
            bf16 = decode(b, labels);
            for (int l = 0; l < g.config.nLayer(); l++) {
                assertEquals(DType.F32, a.keys(l).dtype());
                assertEquals(DType.BF16, b.keys(l).dtype());
                assertEquals(DType.BF16, b.values(l).dtype());
            }
            // layer 0's k and v depend only on the embeddings, so both decoders computed the same F32 values: the
            // BF16 cache must hold exactly those rounded to nearest even (DType.floatToBf16, torch's rounding)
            int s = g.config.tokens();
            for (Tensor[] kv : new Tensor[][] {{a.keys(0), b.keys(0)}, {a.values(0), b.values(0)}}) {
                float[] wide = kv[0].narrow(2, 0, s).contiguous().toFloatArray();
                float[] narrow = kv[1].narrow(2, 0, s).to(DType.F32).toFloatArray();
                int rounded = 0;
                for (int i = 0; i < wide.length; i++) {
                    float want = DType.bf16ToFloat(DType.floatToBf16(wide[i]));
                    assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(narrow[i]), "layer-0 cache element " + i + ": " + wide[i]);
                    if (want != wide[i]) rounded++;
                }
                assertTrue(rounded > wide.length / 2, "most cached values were rounded: " + rounded + " of " + wide.length);
            }
        }
        double maxDiff = 0, maxAbs = 0;
        for (int t = 0; t < f32.length; t++) {
            for (int i = 0; i < labels.length; i++) {
                for (int j = 0; j < f32[t][i].length; j++) {
                    maxDiff = Math.max(maxDiff, Math.abs(f32[t][i][j] - bf16[t][i][j]));
                    maxAbs = Math.max(maxAbs, Math.abs(f32[t][i][j]));
                }
            }
        }
        System.out.printf("BF16 vs F32 KV cache: max |logit difference| %.3g, max |logit| %.3g (relative %.3g) over %d positions x %d rows%n",
                maxDiff, maxAbs, maxDiff / maxAbs, f32.length, labels.length);
        // The prefill has one slot: attention returns v of slot 0, so even position 0 differs (by v's rounding).
        assertTrue(maxDiff > 0, "BF16 cache logits are bit-identical to F32: the BF16 path was not used");
        // BF16 keeps 8 significant bits (7 stored): rounding to nearest even changes each cached k and v by at
        // most 2^-9 of its magnitude (0.2%). Scores, softmax and the weighted sum stay F32, so each attention output
        // is off by about that relative amount; two layers and 64 positions of it add up to a few times that in the
        // logits (0.44% of the largest logit measured here; the kernels are deterministic, so this is stable).
        // 2% of the largest logit is 10x the per-element bound; a broken widening (wrong shift, wrong element size,
        // F32 bytes read as BF16) gives errors of order 100%.
        assertTrue(maxDiff < 2e-2 * maxAbs, "max |logit difference| " + maxDiff + " vs max |logit| " + maxAbs);
    }

    @Test
    void bf16HalvesTheCacheBytes() {
        int rows = 3;
        try (KVDecoder a = new KVDecoder(g, rows); KVDecoder b = new KVDecoder(g, rows, KVCacheDType.BF16)) {
            long f32 = 2L * g.config.nLayer() * rows * g.config.nHead() * g.config.cacheLength() * g.config.headDim() * 4;
            assertEquals(f32, a.cacheBytes());
            assertEquals(f32 / 2, b.cacheBytes());
            assertEquals(g.config.kvCacheBytes(rows), a.cacheBytes());
            assertEquals(g.config.kvCacheBytes(rows, KVCacheDType.BF16), b.cacheBytes());
            // the decoder's own memory shrinks by exactly that (same step buffers)
            assertEquals(a.allocatedBytes() - f32 / 2, b.allocatedBytes());
        }
    }

    @Test
    void generatorBuildsTheDecoderWithTheChosenCache() {
        GenerationOptions f32 = new GenerationOptions(1.5, SamplingOptions.greedy(), 0);
        assertEquals(KVCacheDType.F32, f32.kvCache());
        try (Generator gen = new Generator(g)) {
            int[][] a = gen.generate(new int[] {1, 2}, f32, null);
            assertEquals(KVCacheDType.F32, gen.decoder().cacheDType());
            int[][] b = gen.generate(new int[] {1, 2}, f32.withKvCache(KVCacheDType.BF16), null);
            assertEquals(KVCacheDType.BF16, gen.decoder().cacheDType());
            assertEquals(g.config.kvCacheBytes(4, KVCacheDType.BF16), gen.decoder().cacheBytes());
            assertEquals(a.length, b.length);
            assertEquals(a[0].length, b[0].length);
            gen.generate(new int[] {1, 2}, f32, null);
            assertEquals(KVCacheDType.F32, gen.decoder().cacheDType(), "switching back rebuilds the decoder");
        }
    }

    @Test
    void parseNamesTheBadValue() {
        assertEquals(KVCacheDType.BF16, KVCacheDType.parse("bf16"));
        assertEquals(KVCacheDType.F32, KVCacheDType.parse("F32"));
        var e = assertThrows(IllegalArgumentException.class, () -> KVCacheDType.parse("f16"));
        assertTrue(e.getMessage().contains("'f16'") && e.getMessage().contains("f32 or bf16"), e.getMessage());
    }
}
