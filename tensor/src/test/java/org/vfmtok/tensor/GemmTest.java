package org.vfmtok.tensor;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.backend.Backends;
import org.vfmtok.tensor.backend.GemmKernels;
import org.vfmtok.tensor.cpu.CpuGemm;
import org.vfmtok.tensor.cpu.Parallel;
import org.vfmtok.tensor.ops.MatMul;
import org.vfmtok.tensor.ops.Pointwise;
import org.vfmtok.tensor.scalar.ScalarGemm;
import org.vfmtok.tensor.testing.Compare;
import org.vfmtok.tensor.testing.GradCheck;

/** CpuGemm against the scalar oracle on odd sizes, every operand layout, batches, dtypes; MatMul grads. */
class GemmTest {
    private final GemmKernels fast = new CpuGemm(new ScalarGemm());
    private final GemmKernels oracle = new ScalarGemm();
    private final SplittableRandom rng = new SplittableRandom(42);
    private Scope scope;

    @BeforeEach void open() { scope = Scope.open("gemm-test"); }

    @AfterEach void close() {
        scope.close();
        Parallel.setThreads(Parallel.maxThreads());
    }

    private Tensor randn(DType t, int... shape) { return Init.randn(rng, t, shape); }

    /** A (rows×cols) matrix stored either row-major or as the transposed view of a (cols×rows) one. */
    private Tensor matrix(int rows, int cols, boolean transposed) {
        return transposed ? randn(DType.F32, cols, rows).mT() : randn(DType.F32, rows, cols);
    }

    /** Runs both kernels on copies of {@code c} and compares; tolerance grows with the depth k. */
    private void check(String what, Tensor a, Tensor b, Tensor c, float alpha, float beta) {
        Tensor expected = Tensor.empty(c.dtype(), c.shape()).copyFrom(c);
        oracle.gemm(a, b, expected, alpha, beta);
        fast.gemm(a, b, c, alpha, beta);
        int k = a.size(-1);
        double tol = c.dtype() == DType.F32 ? 2e-5 * Math.sqrt(k + 1) : 1e-2 * Math.sqrt(k + 1);
        Compare.assertClose(what, expected, c, tol, c.dtype() == DType.F32 ? 1e-4 : 1e-2);
    }

    /** c starts as NaN so that beta = 0 must not read it. */
    private Tensor output(int... shape) { return Tensor.full(DType.F32, Double.NaN, shape); }

    @Test
    void oddShapesEveryLayoutMatchTheOracle() {
        int[][] shapes = {{1, 1, 1}, {7, 5, 3}, {1, 33, 65}, {65, 33, 1}, {12, 7, 32}, {13, 9, 33}, {33, 65, 7},
                          {65, 300, 33}, {257, 17, 65}, {24, 260, 64}, {1, 257, 70}, {70, 257, 1}, {5, 3, 2100}, {200, 20, 40},
                          {2, 100, 300}, {8, 40, 50}, {32, 40, 50}, {33, 40, 50}, {50, 40, 8}, {1, 10, 5000},
                          {37, 1000, 70}, // k = 1000: more than one packed k-slice (PackedGemm.KC = 768)
                          {300, 32, 24}, {24, 32, 300}, {5, 32, 300}, {20, 576, 72}}; // training shapes: shallow skinny products go packed, deep ones and <= 4 vectors stay dot
        for (int[] s : shapes) {
            for (int layout = 0; layout < 4; layout++) {
                boolean ta = (layout & 1) != 0, tb = (layout & 2) != 0;
                Tensor a = matrix(s[0], s[1], ta), b = matrix(s[1], s[2], tb);
                String what = s[0] + "x" + s[1] + "x" + s[2] + (ta ? " aT" : "") + (tb ? " bT" : "");
                check(what, a, b, output(s[0], s[2]), 1f, 0f);
            }
        }
    }

    @Test
    void alphaBetaAccumulateIntoC() {
        for (int[] s : new int[][] {{33, 300, 65}, {29, 1700, 40}, {1, 40, 50}, {50, 40, 1}, {13, 7, 17}}) {
            Tensor a = matrix(s[0], s[1], false), b = matrix(s[1], s[2], true);
            check("beta " + s[0] + "x" + s[1] + "x" + s[2], a, b, randn(DType.F32, s[0], s[2]), 0.5f, -1.25f);
            check("beta=1 " + s[0] + "x" + s[1] + "x" + s[2], a, b, randn(DType.F32, s[0], s[2]), 2f, 1f);
        }
    }

    @Test
    void emptyDepthScalesC() {
        Tensor c = randn(DType.F32, 3, 4);
        check("k=0", Tensor.empty(DType.F32, 3, 0), Tensor.empty(DType.F32, 0, 4), c, 1f, 0.5f);
        check("k=0 beta=0", Tensor.empty(DType.F32, 3, 0), Tensor.empty(DType.F32, 0, 4), output(3, 4), 1f, 0f);
    }

    @Test
    void stridedSlicesAndZeroStrides() {
        // Every other column of a wider matrix (row stride 2·cols, column stride 2).
        Tensor a = randn(DType.F32, 31, 80).slice(1, 0, 80, 2);
        Tensor b = randn(DType.F32, 40, 90).narrow(1, 5, 37);
        check("sliced", a, b, output(31, 37), 1f, 0f);
        // A row broadcast down B (row stride 0).
        Tensor row = randn(DType.F32, 1, 45).expand(40, 45);
        check("stride-0 rows", a, row, output(31, 45), 1f, 0f);
    }

    @Test
    void batchesNonContiguousAndBroadcast() {
        // Batch dim in the middle of the storage: a (3, m, k) as a permuted view of (m, 3, k).
        Tensor a = randn(DType.F32, 29, 3, 40).permute(1, 0, 2);
        Tensor b = randn(DType.F32, 3, 45, 40).mT();
        check("non-contiguous batch", a, b, output(3, 29, 45), 1f, 0f);
        // Broadcast B (stride 0 batch) with a contiguous A: folded into one tall GEMM.
        Tensor a2 = randn(DType.F32, 2, 3, 17, 40);
        Tensor w = randn(DType.F32, 40, 33).expand(2, 3, 40, 33);
        check("broadcast b, folded", a2, w, output(2, 3, 17, 33), 1f, 0f);
        // Broadcast B with A that cannot fold (permuted batch).
        check("broadcast b, not folded", a, randn(DType.F32, 40, 45).expand(3, 40, 45), output(3, 29, 45), 1f, 0f);
        // Rows repeated within a batch item (row stride 0) but not across items: must not fold.
        Tensor rows = randn(DType.F32, 3, 1, 40).expand(3, 29, 40);
        check("stride-0 rows, distinct items", rows, randn(DType.F32, 40, 45).expand(3, 40, 45), output(3, 29, 45), 1f, 0f);
        check("one row everywhere", randn(DType.F32, 1, 1, 40).expand(3, 29, 40), randn(DType.F32, 40, 45).expand(3, 40, 45), output(3, 29, 45), 1f, 0f);
        // Broadcast A (stride 0) against a batch of B.
        Tensor a3 = randn(DType.F32, 29, 40).expand(4, 29, 40);
        check("broadcast a", a3, randn(DType.F32, 4, 40, 45), output(4, 29, 45), 1f, 0f);
        // Batched matrix-vector products (attention decode: one query per head), both layouts.
        Tensor q = randn(DType.F32, 5, 1, 40);
        check("batched gemv dot", q, randn(DType.F32, 5, 70, 40).mT(), output(5, 1, 70), 1f, 0f);
        check("batched gemv axpy", q, randn(DType.F32, 5, 40, 70), output(5, 1, 70), 1f, 0f);
        check("batched gemv n=1", randn(DType.F32, 5, 70, 40), randn(DType.F32, 5, 40, 1), output(5, 70, 1), 1f, 0f);
        check("folded m=1 batch", randn(DType.F32, 4, 1, 40), randn(DType.F32, 40, 70).expand(4, 40, 70), output(4, 1, 70), 1f, 0f);
    }

    @Test
    void halfPrecisionOperandsAreWidened() {
        for (DType t : new DType[] {DType.BF16, DType.F16}) {
            Tensor a = randn(t, 37, 70), b = randn(t, 33, 70).mT();
            check(t + " operands", a, b, output(37, 33), 1f, 0f);
            check(t + " x F32", a, randn(DType.F32, 70, 33), randn(DType.F32, 37, 33), 1f, 0.5f);
            check(t + " gemv", randn(t, 1, 70), b, output(1, 33), 1f, 0f);
            check(t + " skinny x", randn(t, 3, 70), randn(DType.F32, 70, 33), output(3, 33), 1f, 0f);
            check(t + " skinny x, n small", randn(DType.F32, 33, 70), randn(t, 70, 2), output(33, 2), 1f, 0f);
            Tensor c = Tensor.full(t, 0.0, 37, 33);
            check(t + " output", a, b, c, 1f, 0f);
        }
    }

    @Test
    void resultDoesNotDependOnThreadCount() {
        Tensor a = randn(DType.F32, 2, 257, 300), b = randn(DType.F32, 300, 100).expand(2, 300, 100);
        Tensor bt = randn(DType.F32, 100, 300).mT();
        Tensor[] ref = new Tensor[3];
        for (int threads = 1; threads <= Parallel.maxThreads(); threads++) {
            Parallel.setThreads(threads);
            Tensor[] got = {output(2, 257, 100), output(257, 100), output(1, 100)};
            fast.gemm(a, b, got[0], 1f, 0f);
            fast.gemm(a.select(0, 1), bt, got[1], 1f, 0f);
            fast.gemm(a.select(0, 0).narrow(0, 3, 1), bt, got[2], 1f, 0f);
            for (int i = 0; i < 3; i++) {
                if (ref[i] == null) ref[i] = got[i];
                else Compare.assertClose("threads=" + threads + " case " + i, ref[i], got[i], 1e-5, 1e-5);
            }
        }
        assertTrue(ref[0] != null);
    }

    @Test
    void badShapesAreRejected() {
        Tensor a = randn(DType.F32, 3, 4), b = randn(DType.F32, 5, 6);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fast.gemm(a, b, output(3, 6), 1f, 0f));
        assertTrue(e.getMessage().contains("[3, 4] x [5, 6]"), e.getMessage());
    }

    @Test
    void matmulOnCpuMatchesOracleWithGradients() {
        // Forward and both gradients through the fast backend (transposed views of g, a and b).
        int[][][] cases = {{{4, 33, 20}, {20, 17}}, {{20}, {20, 17}}, {{33, 20}, {20}}, {{2, 1, 5, 20}, {3, 20, 7}}};
        for (int[][] cs : cases) {
            Tensor a0 = randn(DType.F32, cs[0]), b0 = randn(DType.F32, cs[1]);
            for (int which = 0; which < 3; which++) {
                int w = which;
                Tensor expect = Compare.onScalar(() -> run(a0, b0, w));
                Tensor got = Compare.onCpu(() -> run(a0, b0, w));
                Compare.assertClose("matmul " + java.util.Arrays.deepToString(cs) + " part " + w, expect, got, 1e-4, 1e-4);
            }
        }
    }

    /** part 0: the product; 1: grad of a; 2: grad of b (for loss = Σ out·out). */
    private static Tensor run(Tensor a0, Tensor b0, int part) {
        Tensor a = a0.detach().requiresGrad(true), b = b0.detach().requiresGrad(true);
        Tensor out = MatMul.matmul(a, b);
        if (part == 0) return out;
        out.mul(out).sum().backward();
        return part == 1 ? a.grad() : b.grad();
    }

    @Test
    void matmulGradCheck() {
        var r = new SplittableRandom(3);
        GradCheck.check("vec.vec", in -> MatMul.matmul(in[0], in[1]), GradCheck.leaf(r, 5), GradCheck.leaf(r, 5));
        GradCheck.check("vec.mat", in -> MatMul.matmul(in[0], in[1]), GradCheck.leaf(r, 4), GradCheck.leaf(r, 4, 3));
        GradCheck.check("mat.vec", in -> MatMul.matmul(in[0], in[1]), GradCheck.leaf(r, 3, 4), GradCheck.leaf(r, 4));
        GradCheck.check("batched broadcast", in -> MatMul.matmul(in[0], in[1]), GradCheck.leaf(r, 2, 1, 3, 4), GradCheck.leaf(r, 3, 4, 2));
        GradCheck.check("batch x matrix", in -> MatMul.matmul(in[0], in[1]), GradCheck.leaf(r, 2, 3, 4), GradCheck.leaf(r, 4, 2));
        GradCheck.check("transposed operand", in -> MatMul.matmul(in[0].mT(), in[1]), GradCheck.leaf(r, 4, 3), GradCheck.leaf(r, 4, 2));
        GradCheck.check("linear", in -> MatMul.linear(in[0], in[1], in[2]), GradCheck.leaf(r, 2, 3, 4), GradCheck.leaf(r, 5, 4), GradCheck.leaf(r, 5));
    }

    /**
     * gemmBias (c = a·b + bias per column) against the oracle's GEMM + add: packed shapes with partial
     * tiles and several k-slices (the bias lands after the last), skinny shapes (the default path),
     * transposed operands, a folded batch; and MatMul.linear without autograd (the fused route)
     * against the composition on the oracle.
     */
    @Test
    void gemmBiasMatchesGemmPlusBias() {
        int[][] shapes = {{50, 300, 70}, {65, 33, 64}, {13, 520, 33}, {3, 40, 50}, {50, 40, 2}, {1, 1, 1}};
        for (int[] s : shapes) {
            for (int layout = 0; layout < 4; layout++) {
                Tensor a = matrix(s[0], s[1], (layout & 1) != 0), b = matrix(s[1], s[2], (layout & 2) != 0);
                Tensor bias = randn(DType.F32, s[2]);
                Tensor want = Tensor.empty(DType.F32, s[0], s[2]), got = output(s[0], s[2]);
                Backends.using(Backends.scalar(), () -> {
                    oracle.gemmBias(a, b, want, bias);
                    return null;
                });
                fast.gemmBias(a, b, got, bias);
                Compare.assertClose("gemmBias " + java.util.Arrays.toString(s) + " layout " + layout, want, got,
                        2e-5 * Math.sqrt(s[1] + 1), 1e-4);
            }
        }
        Tensor a3 = randn(DType.F32, 2, 40, 33), b3 = randn(DType.F32, 33, 45).expand(2, 33, 45), bias = randn(DType.F32, 45);
        Tensor want = Tensor.empty(DType.F32, 2, 40, 45), got = output(2, 40, 45);
        Backends.using(Backends.scalar(), () -> {
            oracle.gemmBias(a3, b3, want, bias);
            return null;
        });
        fast.gemmBias(a3, b3, got, bias);
        Compare.assertClose("gemmBias folded batch", want, got, 2e-4, 1e-4);
        Tensor x = randn(DType.F32, 3, 7, 300), w = randn(DType.F32, 70, 300), lb = randn(DType.F32, 70);
        try (var ng = org.vfmtok.tensor.autograd.Grad.noGrad()) {
            Tensor composed = Backends.using(Backends.scalar(), () -> Pointwise.add(MatMul.matmul(x, w.mT()), lb));
            Compare.assertClose("linear without autograd", composed, Compare.onCpu(() -> MatMul.linear(x, w, lb)), 1e-3, 1e-4);
        }
    }
}
