package org.vfmtok.llama;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vfmtok.nn.WeightStorage;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;

/**
 * BF16 weight storage ({@link GPT#withWeights}) on a small random model (dim 64, 2 layers, an 8×8 grid, weights
 * N(0, 0.1) so that the logits are O(1)): which tensors are rounded, that the decode step reads the BF16 matrices as
 * their exact F32 widening, and how far the logits move from the F32 model's.
 */
class BF16WeightsTest {
    private static Scope scope;
    private static GPT f32, bf16, widened;

    @BeforeAll
    static void build() {
        scope = Scope.detached("bf16-weights");
        GPTConfig c = new GPTConfig("rand", 64, 2, 4, GPTConfig.ffnFor(64, 32), 256, 10, 8, 10000, 1e-5, 0.1, 0, 0, 0, 0.1);
        scope.run(() -> {
            f32 = new GPT(c);
            f32.initialize(3, true);
            f32.eval();
            bf16 = f32.withWeights(WeightStorage.BF16);
            widened = bf16.withWeights(WeightStorage.F32);   // the BF16 values, widened back: what the kernels must compute with
            return null;
        });
    }

    @AfterAll
    static void free() { if (scope != null) scope.close(); }

    @Test
    void matricesAreRoundedToNearestEvenAndTheRestStaysF32() {
        assertEquals(WeightStorage.BF16, bf16.weightStorage());
        var wide = f32.namedParameters();
        for (var e : bf16.namedParameters().entrySet()) {
            String name = e.getKey();
            Tensor t = e.getValue();
            boolean matrix = name.startsWith("layers.") && !name.contains("norm") || name.equals("output.weight");
            assertEquals(matrix ? DType.BF16 : DType.F32, t.dtype(), name);
            assertFalse(t.requiresGrad(), name + ": a BF16 model is for inference");
            float[] src = wide.get(name).toFloatArray(), got = t.to(DType.F32).toFloatArray();
            for (int i = 0; i < src.length; i++) {
                float want = matrix ? DType.bf16ToFloat(DType.floatToBf16(src[i])) : src[i];
                assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(got[i]), name + " element " + i);
            }
        }
    }

    private static float[][] decode(GPT g, KVCacheDType cache) {
        int n = g.config.tokens(), v = g.config.vocabSize();
        float[][] out = new float[n][v];
        try (KVDecoder d = new KVDecoder(g, 2, cache)) {
            int[] feed = new int[2];
            for (int t = 0; t < n; t++) {
                if (t == 0) d.prefill(new int[] {4, 10});
                else {
                    feed[0] = (t * 37) % v;
                    feed[1] = (t * 11 + 5) % v;
                    d.step(feed, 2);
                }
                d.copyLogits(0, out[t]);
            }
        }
        return out;
    }

    @Test
    void decodeReadsTheBf16MatricesAsTheirExactWidening() {
        for (KVCacheDType cache : KVCacheDType.values()) {
            float[][] a = decode(bf16, cache), b = decode(widened, cache);
            for (int t = 0; t < a.length; t++) assertArrayEquals(b[t], a[t], "position " + t + ", " + cache + " cache: BF16 weights vs their F32 widening");
        }
    }

    @Test
    void fullForwardAgreesWithTheDecoder() {
        try (Scope s = Scope.open(); Grad.Mode ng = Grad.noGrad()) {
            Tensor classes = Tensor.ofLongs(new long[] {4}, 1), codes = Tensor.ofLongs(new long[] {37, 74, 111}, 1, 3);
            float[] a = bf16.forward(classes, codes).toFloatArray(), b = widened.forward(classes, codes).toFloatArray();
            assertArrayEquals(b, a, 1e-5f, "full-sequence forward with BF16 matrices");
        }
    }

    @Test
    void logitsStayCloseToF32ButMove() {
        float[][] a = decode(f32, KVCacheDType.F32), b = decode(bf16, KVCacheDType.F32);
        double maxDiff = 0, maxAbs = 0;
        int agree = 0;
        for (int t = 0; t < a.length; t++) {
            for (int j = 0; j < a[t].length; j++) {
                maxDiff = Math.max(maxDiff, Math.abs(a[t][j] - b[t][j]));
                maxAbs = Math.max(maxAbs, Math.abs(a[t][j]));
            }
            if (argmax(a[t]) == argmax(b[t])) agree++;
        }
        System.out.printf("BF16 vs F32 weights (small model): max |logit difference| %.3g of max |logit| %.3g, argmax agreement %d/%d%n",
                maxDiff, maxAbs, agree, a.length);
        assertTrue(maxDiff > 0, "BF16 weights gave F32's logits bit for bit: the BF16 matrices were not used");
        // each weight moves by at most 2^-9 of itself; through two layers the logits move by a few tenths of a percent
        // of their scale. 3% bounds that with room; reading the BF16 bytes wrongly gives errors of order 100%.
        assertTrue(maxDiff < 3e-2 * maxAbs, "max |logit difference| " + maxDiff + " vs max |logit| " + maxAbs);
        assertTrue(agree >= a.length * 9 / 10, "argmax agreement " + agree + "/" + a.length);
    }

    @Test
    void parseNamesTheBadValue() {
        assertEquals(WeightStorage.BF16, WeightStorage.parse("BF16"));
        var e = assertThrows(IllegalArgumentException.class, () -> WeightStorage.parse("int8"));
        assertTrue(e.getMessage().contains("'int8'") && e.getMessage().contains("f32 or bf16"), e.getMessage());
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
