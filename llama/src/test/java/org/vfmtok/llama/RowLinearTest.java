package org.vfmtok.llama;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.Backends;
import org.vfmtok.tensor.ops.MatMul;

/** RowLinear against the scalar oracle (double precision) on odd sizes, strided rows, accumulation, fallback. */
class RowLinearTest {
    private static void check(Tensor x, Tensor w, Tensor out, boolean acc) {
        Tensor before = out.copy();
        RowLinear.apply(x, w, out, acc);
        Tensor ref = Backends.using(Backends.scalar(), () -> {
            Tensor p = MatMul.matmul(x.to(DType.F64), w.to(DType.F64).mT());
            return acc ? p.add(before.to(DType.F64)) : p;
        });
        double[] e = ref.toDoubleArray();
        float[] a = out.toFloatArray();
        double scale = 1;
        for (double v : e) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], 2e-6 * scale * Math.sqrt(x.size(1)), "element " + i + " of " + java.util.Arrays.toString(out.shape()));
        }
    }

    @Test
    void oddShapesAgainstTheOracle() {
        Rng rng = new Rng(7);
        int[] ms = {1, 2, 3, 5, 17, 70, 130};
        int[] ns = {1, 3, 4, 5, 9, 33};
        int[] ks = {1, 5, 16, 17, 64, 100};
        try (Scope s = Scope.open()) {
            for (int m : ms) for (int n : ns) for (int k : ks) {
                Tensor x = Init.randn(rng, m, k), w = Init.randn(rng, n, k);
                check(x, w, Tensor.zeros(m, n), false);
                check(x, w, Init.randn(rng, m, n), true);
            }
        }
    }

    @Test
    void stridedRowsAndFallback() {
        Rng rng = new Rng(8);
        try (Scope s = Scope.open()) {
            Tensor xWide = Init.randn(rng, 6, 40), wWide = Init.randn(rng, 11, 50), outWide = Init.randn(rng, 6, 20);
            Tensor x = xWide.narrow(1, 3, 33), w = wWide.narrow(1, 7, 33).narrow(0, 1, 9), out = outWide.narrow(1, 5, 9);
            float[] outside = outWide.narrow(1, 0, 5).toFloatArray();
            check(x, w, out, true);
            assertArrayEquals(outside, outWide.narrow(1, 0, 5).toFloatArray(), "columns outside the output view were written");
            // a transposed weight view has no unit stride: the backend GEMM runs instead
            Tensor wt = Init.randn(rng, 33, 9).mT();
            check(x.contiguous(), wt, Tensor.zeros(6, 9), false);
            assertThrows(IllegalArgumentException.class, () -> RowLinear.apply(x, Init.randn(rng, 9, 32), Tensor.zeros(6, 9), false));
        }
    }

    @Test
    void batchedInputAllocatesItsResult() {
        Rng rng = new Rng(9);
        try (Scope s = Scope.open()) {
            Tensor x = Init.randn(rng, 2, 3, 8), w = Init.randn(rng, 5, 8);
            Tensor y = RowLinear.apply(x, w);
            assertArrayEquals(new int[] {2, 3, 5}, y.shape());
            float[] ref = MatMul.linear(x, w, null).toFloatArray(), got = y.toFloatArray();
            assertArrayEquals(ref, got, 1e-5f);
        }
    }
}
