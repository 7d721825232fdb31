package org.vfmtok.llama;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.Backends;
import org.vfmtok.tensor.ops.Attention;

/**
 * The decode-step attention against the attention op on the scalar oracle, over cache prefixes of every length; with
 * a BF16 cache, against the F32 kernel on the same (BF16-representable) values.
 */
class DecodeAttentionTest {
    @Test
    void matchesScaledDotProductAttentionOverThePrefix() {
        Rng rng = new Rng(11);
        for (int hd : new int[] {4, 12, 16, 20, 64, 100}) {
            try (Scope s = Scope.open()) {
                int rows = 3, heads = 2, slots = 40;
                Tensor k = Init.randn(rng, rows + 1, heads, slots, hd), v = Init.randn(rng, rows + 1, heads, slots, hd);
                Tensor qkv = Init.randn(rng, rows, 3, heads, hd);
                Tensor q = qkv.select(1, 0);                       // strided like the decoder's fused qkv
                Tensor out = Tensor.zeros(rows, heads, hd);
                DecodeAttention att = new DecodeAttention(rows + 1, heads, slots);
                for (int len : new int[] {1, 2, 17, 33, 40}) {
                    att.apply(q, k, v, len, out, (float) (1 / Math.sqrt(hd)));
                    Tensor kk = k.narrow(0, 0, rows).narrow(2, 0, len), vv = v.narrow(0, 0, rows).narrow(2, 0, len);
                    Tensor ref = Backends.using(Backends.scalar(), () -> Attention.scaledDotProductAttention(
                            q.unsqueeze(2).to(DType.F64), kk.to(DType.F64), vv.to(DType.F64), null, false).squeeze(2));
                    double[] e = ref.toDoubleArray();
                    float[] a = out.toFloatArray();
                    for (int i = 0; i < e.length; i++) assertEquals(e[i], a[i], 2e-5, "hd " + hd + " len " + len + " element " + i);
                }
                var ex = assertThrows(IllegalArgumentException.class, () -> att.apply(q, k, v, slots + 1, out, 1f));
                assertTrue(ex.getMessage().contains("len 41"), ex.getMessage());
            }
        }
    }

    @Test
    void bf16CacheIsWidenedExactly() {
        Assumptions.assumeTrue(DecodeAttention.supportsBf16(), "64-bit float vectors: no BF16 cache");
        Rng rng = new Rng(12);
        for (int hd : new int[] {4, 12, 16, 20, 64, 100}) {
            try (Scope s = Scope.open()) {
                int rows = 3, heads = 2, slots = 40;
                Tensor kb = Init.randn(rng, rows + 1, heads, slots, hd).to(DType.BF16), vb = Init.randn(rng, rows + 1, heads, slots, hd).to(DType.BF16);
                Tensor k = kb.to(DType.F32), v = vb.to(DType.F32);   // the same values, exactly, in F32
                Tensor q = Init.randn(rng, rows, 3, heads, hd).select(1, 0);
                Tensor out = Tensor.zeros(rows, heads, hd), outB = Tensor.zeros(rows, heads, hd);
                DecodeAttention att = new DecodeAttention(rows + 1, heads, slots);
                for (int len : new int[] {1, 2, 17, 33, 40}) {
                    float scale = (float) (1 / Math.sqrt(hd));
                    att.apply(q, k, v, len, out, scale);
                    att.apply(q, kb, vb, len, outB, scale);
                    // widening is exact and the arithmetic is the same kernel's: bit-identical results
                    assertArrayEquals(out.toFloatArray(), outB.toFloatArray(), "hd " + hd + " len " + len);
                }
                var ex = assertThrows(IllegalArgumentException.class, () -> att.apply(q, kb, v, 2, out, 1f));
                assertTrue(ex.getMessage().contains("k BF16, v F32"), ex.getMessage());
            }
        }
    }
}
