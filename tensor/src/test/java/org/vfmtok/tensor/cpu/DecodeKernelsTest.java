package org.vfmtok.tensor.cpu;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.AttentionKernels;
import org.vfmtok.tensor.backend.Backend;
import org.vfmtok.tensor.backend.Backends;
import org.vfmtok.tensor.backend.GemmKernels;
import org.vfmtok.tensor.backend.Workspace;
import org.vfmtok.tensor.ops.Attention;
import org.vfmtok.tensor.ops.MatMul;

/**
 * The decode-step entries of the CPU backend against the scalar oracle (and, for attention, against the
 * attention op in F64): the row product (M from 1 past the row tile, K off the vector length, accumulate on
 * and off, strided rows, fallbacks), cached attention over F32 and BF16 caches (len 1 to full), cache-slot
 * writes, rotary rows, SiLU·mul, row gathers and RMS norm rows into caller buffers.
 */
class DecodeKernelsTest {
    private static final Backend CPU = Backends.vectorized(), SCALAR = Backends.scalar();   // vectorized: never scalar against scalar

    private static void assertClose(Tensor expected, Tensor actual, double tol, String what) {
        double[] e = expected.toDoubleArray();
        float[] a = actual.toFloatArray();
        assertEquals(e.length, a.length, what);
        for (int i = 0; i < e.length; i++) assertEquals(e[i], a[i], tol, what + " element " + i);
    }

    // ------------------------------------------------------------------ linearRows

    private static void checkLinear(Tensor x, Tensor w, Tensor out, boolean acc, Workspace ws) {
        Tensor before = out.copy();
        CPU.gemm().linearRows(x, w, out, acc, ws);
        Tensor oracle = before.to(DType.F64);
        SCALAR.gemm().linearRows(x.to(DType.F64), w.to(DType.F64), oracle, acc, SCALAR.gemm().linearWorkspace());
        double scale = 1;
        for (double v : oracle.toDoubleArray()) scale = Math.max(scale, Math.abs(v));
        assertClose(oracle, out, 2e-6 * scale * Math.sqrt(x.size(1)), "linearRows " + x.size(0) + "x" + x.size(1) + " · " + w.size(0) + " acc " + acc);
    }

    @Test
    void linearRowsMatchesTheOracle() {
        Rng rng = new Rng(7);
        int[] ms = {1, 2, 3, 5, 17, 70, 130};   // past the row tile of 64
        int[] ns = {1, 3, 4, 5, 9, 33};
        int[] ks = {1, 5, 16, 17, 64, 100};     // off every vector length
        Workspace ws = CPU.gemm().linearWorkspace();
        try (Scope s = Scope.open()) {
            for (int m : ms) for (int n : ns) for (int k : ks) {
                Tensor x = Init.randn(rng, m, k), w = Init.randn(rng, n, k);
                checkLinear(x, w, Tensor.zeros(m, n), false, ws);
                checkLinear(x, w, Init.randn(rng, m, n), true, ws);
            }
        }
    }

    @Test
    void linearRowsStridedRowsAndFallbacks() {
        Rng rng = new Rng(8);
        Workspace ws = CPU.gemm().linearWorkspace();
        try (Scope s = Scope.open()) {
            Tensor xWide = Init.randn(rng, 6, 40), wWide = Init.randn(rng, 11, 50), outWide = Init.randn(rng, 6, 20);
            Tensor x = xWide.narrow(1, 3, 33), w = wWide.narrow(1, 7, 33).narrow(0, 1, 9), out = outWide.narrow(1, 5, 9);
            float[] outside = outWide.narrow(1, 0, 5).toFloatArray();
            checkLinear(x, w, out, true, ws);
            assertArrayEquals(outside, outWide.narrow(1, 0, 5).toFloatArray(), "columns outside the output view were written");
            // a transposed weight view has no unit stride, and a foreign workspace is not this kernel's: the GEMM runs
            checkLinear(x.contiguous(), Init.randn(rng, 33, 9).mT(), Tensor.zeros(6, 9), false, ws);
            checkLinear(x.contiguous(), w, Tensor.zeros(6, 9), false, SCALAR.gemm().linearWorkspace());
            checkLinear(x.to(DType.F64), w.to(DType.F64), Tensor.zeros(DType.F64, 6, 9), false, ws);
            var ex = assertThrows(IllegalArgumentException.class, () -> CPU.gemm().linearRows(x, Init.randn(rng, 9, 32), Tensor.zeros(6, 9), false, ws));
            assertTrue(ex.getMessage().contains("[9, 32]"), ex.getMessage());
        }
    }

    /**
     * BF16 weights (the storage type is a parameter of the row kernel): against the scalar oracle reading the same
     * BF16 values, and bit for bit the F32 kernel on the widened weights (widening is exact; the sums are the same).
     */
    @Test
    void linearRowsReadsBf16Weights() {
        Rng rng = new Rng(17);
        Workspace ws = CPU.gemm().linearWorkspace();
        try (Scope s = Scope.open()) {
            for (int m : new int[] {1, 2, 3, 70}) for (int n : new int[] {1, 4, 5, 33}) for (int k : new int[] {1, 5, 16, 17, 100}) {
                Tensor x = Init.randn(rng, m, k), w = Init.randn(rng, n, k).to(DType.BF16);
                checkLinear(x, w, Tensor.zeros(m, n), false, ws);
                checkLinear(x, w, Init.randn(rng, m, n), true, ws);
                Tensor widened = Tensor.zeros(m, n), bf16 = Tensor.zeros(m, n);
                CPU.gemm().linearRows(x, w.to(DType.F32), widened, false, ws);
                CPU.gemm().linearRows(x, w, bf16, false, ws);
                assertArrayEquals(widened.toFloatArray(), bf16.toFloatArray(), "bf16 vs widened f32 weights " + m + "x" + k + " · " + n);
                Tensor oracle = Tensor.zeros(m, n);
                SCALAR.gemm().linearRows(x, w, oracle, false, SCALAR.gemm().linearWorkspace());   // the oracle reads BF16 itself
                assertClose(oracle, bf16, 2e-5 * Math.sqrt(k) * 4, "scalar oracle on bf16 weights");
            }
            // strided rows of a BF16 weight, and the general GEMM's small-side route (w as Bᵀ) reading BF16 in place
            Tensor wWide = Init.randn(rng, 11, 50).to(DType.BF16), x = Init.randn(rng, 3, 33);
            Tensor w = wWide.narrow(1, 7, 33).narrow(0, 1, 9);
            checkLinear(x, w, Tensor.zeros(3, 9), false, ws);
            Tensor viaGemm = Tensor.zeros(3, 9), viaRows = Tensor.zeros(3, 9);
            CPU.gemm().gemm(x, w.mT(), viaGemm, 1f, 0f);
            CPU.gemm().linearRows(x, w, viaRows, false, ws);
            assertArrayEquals(viaRows.toFloatArray(), viaGemm.toFloatArray(), "gemm with a BF16 Bᵀ and a small M takes the row kernel");
        }
    }

    /** Products big enough to be split over the threads, one and batched (parts that cross items): the oracle's values. */
    @Test
    void rowKernelSplitOverThreads() {
        Rng rng = new Rng(10);
        try (Scope s = Scope.open()) {
            checkLinear(Init.randn(rng, 3, 256), Init.randn(rng, 1001, 256), Tensor.zeros(3, 1001), false, CPU.gemm().linearWorkspace());
            Tensor a = Init.randn(rng, 4, 3, 256), b = Init.randn(rng, 4, 1001, 256).mT();      // W = Bᵀ with contiguous rows, batched
            Tensor c = MatMul.matmul(a, b);
            Tensor ref = Backends.using(SCALAR, () -> MatMul.matmul(a.to(DType.F64), b.to(DType.F64)));
            assertClose(ref, c, 1e-4, "batched small-M product");
            Tensor half = a.to(DType.BF16);                                                    // a half-precision small side, widened first
            Tensor widened = Tensor.zeros(4, 3, 1001);
            CPU.gemm().gemm(half, b, widened, 1f, 0f);
            assertClose(Backends.using(SCALAR, () -> MatMul.matmul(half.to(DType.F64), b.to(DType.F64))), widened, 1e-4, "widened small side");
        }
    }

    /** The general GEMM gives the same product (the row kernel only changes how w is streamed). */
    @Test
    void linearRowsAgreesWithMatMulLinear() {
        Rng rng = new Rng(9);
        try (Scope s = Scope.open()) {
            Tensor x = Init.randn(rng, 6, 24), w = Init.randn(rng, 5, 24), out = Tensor.zeros(6, 5);
            CPU.gemm().linearRows(x, w, out, false, CPU.gemm().linearWorkspace());
            assertArrayEquals(MatMul.linear(x, w, null).toFloatArray(), out.toFloatArray(), 1e-5f);
        }
    }

    // ------------------------------------------------------------------ attendCached

    @Test
    void attendCachedMatchesAttentionOverThePrefix() {
        Rng rng = new Rng(11);
        for (int hd : new int[] {4, 12, 16, 20, 64, 100}) {
            try (Scope s = Scope.open()) {
                int rows = 3, heads = 2, slots = 40;
                Tensor k = Init.randn(rng, rows + 1, heads, slots, hd), v = Init.randn(rng, rows + 1, heads, slots, hd);
                Tensor q = Init.randn(rng, rows, 3, heads, hd).select(1, 0);   // strided like a fused qkv
                Tensor out = Tensor.zeros(rows, heads, hd), oracle = Tensor.zeros(rows, heads, hd);   // F32: the entry writes F32; the oracle sums in double
                Workspace ws = CPU.attention().cachedWorkspace((rows + 1) * heads, slots);
                for (int len : new int[] {1, 2, 17, 33, 40}) {
                    double scale = 1 / Math.sqrt(hd);
                    CPU.attention().attendCached(q, k, v, len, scale, out, ws);
                    Tensor kk = k.narrow(0, 0, rows).narrow(2, 0, len), vv = v.narrow(0, 0, rows).narrow(2, 0, len);
                    Tensor ref = Backends.using(SCALAR, () -> Attention.scaledDotProductAttention(
                            q.unsqueeze(2).to(DType.F64), kk.to(DType.F64), vv.to(DType.F64), null, false).squeeze(2));
                    assertClose(ref, out, 2e-5, "hd " + hd + " len " + len);
                    SCALAR.attention().attendCached(q, k, v, len, scale, oracle, SCALAR.attention().cachedWorkspace(1, 1));
                    assertClose(oracle, out, 2e-5, "scalar oracle, hd " + hd + " len " + len);
                }
                var ex = assertThrows(IllegalArgumentException.class, () -> CPU.attention().attendCached(q, k, v, slots + 1, 1, out, ws));
                assertTrue(ex.getMessage().contains("len 41"), ex.getMessage());
                // a workspace too small for the call: the reference runs, same values
                Tensor small = Tensor.zeros(rows, heads, hd);
                CPU.attention().attendCached(q, k, v, 17, 0.5, out, ws);
                CPU.attention().attendCached(q, k, v, 17, 0.5, small, CPU.attention().cachedWorkspace(1, 4));
                assertClose(out.to(DType.F64), small, 2e-5, "small workspace");
            }
        }
    }

    @Test
    void attendCachedOverABf16CacheWidensExactly() {
        Assumptions.assumeTrue(VectorSupport.BF16 != null, "64-bit float vectors: no BF16 lanes");
        Rng rng = new Rng(12);
        for (int hd : new int[] {4, 12, 16, 20, 64, 100}) {
            try (Scope s = Scope.open()) {
                int rows = 3, heads = 2, slots = 40;
                Tensor kb = Init.randn(rng, rows + 1, heads, slots, hd).to(DType.BF16), vb = Init.randn(rng, rows + 1, heads, slots, hd).to(DType.BF16);
                Tensor k = kb.to(DType.F32), v = vb.to(DType.F32);   // the same values, exactly, in F32
                Tensor q = Init.randn(rng, rows, 3, heads, hd).select(1, 0);
                Tensor out = Tensor.zeros(rows, heads, hd), outB = Tensor.zeros(rows, heads, hd), oracle = Tensor.zeros(rows, heads, hd);   // F32: the entry writes F32; the oracle sums in double
                Workspace ws = CPU.attention().cachedWorkspace(rows * heads, slots);
                for (int len : new int[] {1, 2, 17, 33, 40}) {
                    double scale = 1 / Math.sqrt(hd);
                    CPU.attention().attendCached(q, k, v, len, scale, out, ws);
                    CPU.attention().attendCached(q, kb, vb, len, scale, outB, ws);
                    // widening is exact and the arithmetic is the same kernel's: bit-identical results
                    assertArrayEquals(out.toFloatArray(), outB.toFloatArray(), "hd " + hd + " len " + len);
                    SCALAR.attention().attendCached(q, kb, vb, len, scale, oracle, null);
                    assertClose(oracle, outB, 2e-5, "BF16 scalar oracle, hd " + hd + " len " + len);
                }
                var ex = assertThrows(IllegalArgumentException.class, () -> CPU.attention().attendCached(q, kb, v, 2, 1, out, ws));
                assertTrue(ex.getMessage().contains("k BF16, v F32"), ex.getMessage());
            }
        }
    }

    // ------------------------------------------------------------------ cache slots, rotary, pointwise, gather, norm

    @Test
    void writeCacheSlotCopiesOrRoundsLikeTheOracle() {
        Rng rng = new Rng(13);
        for (DType cacheType : new DType[] {DType.F32, DType.BF16}) {
            try (Scope s = Scope.open()) {
                Tensor src = Init.randn(rng, 2, 3, 2, 19).select(1, 1);   // (2, 2, 19), strided rows
                Tensor cache = Tensor.zeros(cacheType, 3, 2, 8, 19), oracle = Tensor.zeros(cacheType, 3, 2, 8, 19);
                for (int slot : new int[] {0, 5, 7}) {
                    CPU.attention().writeCacheSlot(src, cache, slot);
                    SCALAR.attention().writeCacheSlot(src, oracle, slot);
                }
                assertArrayEquals(oracle.toFloatArray(), cache.toFloatArray(), "cache " + cacheType);
                assertEquals(0.0, cache.narrow(0, 2, 1).to(DType.F64).toDoubleArray()[0], "a row past the source was written");
                assertThrows(IllegalArgumentException.class, () -> CPU.attention().writeCacheSlot(src, cache, 8));
            }
        }
    }

    @Test
    void rotaryMatchesTheOracleBitForBit() {
        Rng rng = new Rng(14);
        try (Scope s = Scope.open()) {
            Tensor table = Init.randn(rng, 40, 8, 2);
            for (int[] shape : new int[][] {{1, 1, 3, 16}, {2, 1, 4, 16}, {3, 10, 2, 16}}) {   // decode rows and a parallel sequence
                Tensor x = Init.randn(rng, shape);
                for (boolean inverse : new boolean[] {false, true}) {
                    for (int first : new int[] {0, 7, 40 - shape[1]}) {
                        Tensor out = Tensor.zeros(shape), oracle = Tensor.zeros(shape);
                        CPU.attention().rotary(x, table, first, inverse, out);
                        SCALAR.attention().rotary(x, table, first, inverse, oracle);
                        assertArrayEquals(oracle.toFloatArray(), out.toFloatArray(), "rotary " + java.util.Arrays.toString(shape) + " from " + first);
                    }
                }
                Tensor inPlace = x.copy();
                CPU.attention().rotary(inPlace, table, 3, false, inPlace);
                Tensor out = Tensor.zeros(shape);
                CPU.attention().rotary(x, table, 3, false, out);
                assertArrayEquals(out.toFloatArray(), inPlace.toFloatArray(), "in place");
            }
            assertThrows(IllegalArgumentException.class, () -> CPU.attention().rotary(Tensor.zeros(1, 2, 1, 16), table, 39, false, Tensor.zeros(1, 2, 1, 16)));
            // past the calling thread's share: the parallel path, same bits
            Tensor bigTable = Init.randn(rng, 90, 32, 2), big = Init.randn(rng, 2, 80, 16, 64);
            assertFalse(FastPath.onCaller(big.numel()));
            Tensor out = Tensor.zeros(2, 80, 16, 64), oracle = Tensor.zeros(2, 80, 16, 64);
            CPU.attention().rotary(big, bigTable, 10, true, out);
            SCALAR.attention().rotary(big, bigTable, 10, true, oracle);
            assertArrayEquals(oracle.toFloatArray(), out.toFloatArray(), "rotary, parallel");
        }
    }

    @Test
    void siluMulMatchesSiluThenMul() {
        Rng rng = new Rng(15);
        try (Scope s = Scope.open()) {
            for (int n : new int[] {1, 7, 16, 33, 1000}) {
                Tensor g = Init.randn(rng, 2, n).mul(4), u = Init.randn(rng, 2, n);
                Tensor out = Tensor.zeros(2, n), oracle = Tensor.zeros(DType.F64, 2, n);
                CPU.pointwise().siluMul(g, u, out);
                SCALAR.pointwise().siluMul(g.to(DType.F64), u.to(DType.F64), oracle);
                assertClose(oracle, out, 1e-5, "siluMul n " + n);
                // same bits as the two ops, and in place
                assertArrayEquals(org.vfmtok.tensor.ops.Pointwise.silu(g).mul(u).toFloatArray(), out.toFloatArray(), "silu then mul, n " + n);
                CPU.pointwise().siluMul(g, u, g);
                assertArrayEquals(out.toFloatArray(), g.toFloatArray(), "in place, n " + n);
            }
            assertThrows(IllegalArgumentException.class, () -> CPU.pointwise().siluMul(Tensor.zeros(2, 3), Tensor.zeros(3, 2), Tensor.zeros(2, 3)));
        }
    }

    @Test
    void gatherRowsCopiesTheRows() {
        Rng rng = new Rng(16);
        try (Scope s = Scope.open()) {
            Tensor table = Init.randn(rng, 10, 13);
            int[] ids = {3, 0, 9, 3};
            Tensor out = Init.randn(rng, 5, 13), oracle = out.copy();
            CPU.index().gatherRows(table, ids, 3, out);
            SCALAR.index().gatherRows(table, ids, 3, oracle);
            assertArrayEquals(oracle.toFloatArray(), out.toFloatArray());
            assertArrayEquals(table.select(0, 9).toFloatArray(), out.select(0, 2).toFloatArray());
            var ex = assertThrows(IndexOutOfBoundsException.class, () -> CPU.index().gatherRows(table, new int[] {1, 10}, 2, out));
            assertTrue(ex.getMessage().contains("id 10"), ex.getMessage());
        }
    }

    /** The norm entry serves a decode step's rows with a caller's rstd buffer; few rows and many give the oracle's values. */
    @Test
    void rmsNormRowsIntoCallerBuffers() {
        Rng rng = new Rng(17);
        try (Scope s = Scope.open()) {
            for (int rows : new int[] {1, 3, 40, 300}) {         // 300 x 1000: past the calling thread's share
                for (int cols : new int[] {5, 64, 1000}) {
                    Tensor x = Init.randn(rng, rows, cols), w = Init.randn(rng, cols);
                    Tensor out = Tensor.zeros(rows, cols), rstd = Tensor.zeros(rows);
                    Tensor oracle = Tensor.zeros(DType.F64, rows, cols), oracleRstd = Tensor.zeros(DType.F64, rows);
                    CPU.norm().rmsNorm(x, w, 1e-5, out, rstd);
                    SCALAR.norm().rmsNorm(x.to(DType.F64), w.to(DType.F64), 1e-5, oracle, oracleRstd);
                    assertClose(oracle, out, 1e-5, "rmsNorm " + rows + "x" + cols);
                    assertClose(oracleRstd, rstd, 1e-5, "rstd " + rows + "x" + cols);
                }
            }
        }
    }

    /** Two threads, two workspaces, one set of weights: each gets its own results (no shared operand state). */
    @Test
    void twoThreadsWithTwoWorkspaces() throws Exception {
        Rng rng = new Rng(18);
        try (Scope s = Scope.open()) {
            Tensor w = Init.randn(rng, 64, 48);
            Tensor[] xs = {Init.randn(rng, 2, 48), Init.randn(rng, 2, 48)};
            Tensor[] outs = {Tensor.zeros(2, 64), Tensor.zeros(2, 64)};
            Tensor[] expected = {MatMul.linear(xs[0], w, null), MatMul.linear(xs[1], w, null)};
            Thread[] threads = new Thread[2];
            Throwable[] failure = new Throwable[1];
            for (int t = 0; t < 2; t++) {
                int i = t;
                threads[t] = new Thread(() -> {
                    try {
                        Workspace ws = CPU.gemm().linearWorkspace();
                        for (int rep = 0; rep < 200; rep++) CPU.gemm().linearRows(xs[i], w, outs[i], false, ws);
                    } catch (Throwable e) {
                        failure[0] = e;
                    }
                });
                threads[t].start();
            }
            for (Thread t : threads) t.join();
            if (failure[0] != null) throw new AssertionError(failure[0]);
            for (int i = 0; i < 2; i++) assertArrayEquals(expected[i].toFloatArray(), outs[i].toFloatArray(), 1e-4f);
        }
    }

    @Test
    void theCheckersNameTheShapes() {
        var ex = assertThrows(IllegalArgumentException.class, () -> GemmKernels.checkLinearRows(Tensor.zeros(2, 3), Tensor.zeros(4, 5), Tensor.zeros(2, 4)));
        assertTrue(ex.getMessage().contains("[4, 5]"), ex.getMessage());
        ex = assertThrows(IllegalArgumentException.class, () -> AttentionKernels.checkCached(Tensor.zeros(1, 2, 4), Tensor.zeros(1, 3, 8, 4),
                Tensor.zeros(1, 3, 8, 4), 2, Tensor.zeros(1, 2, 4)));
        assertTrue(ex.getMessage().contains("[1, 3, 8, 4]"), ex.getMessage());
    }
}
