package org.vfmtok.tensor.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.vfmtok.cuda.Cublas;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.Backends;
import org.vfmtok.tensor.testing.Compare;

/**
 * The row-major → column-major mapping of {@link CudaGemm}, checked without a GPU: the plan is executed
 * by a Java model of cublasGemmStridedBatchedEx (column-major, op N/T, leading dimensions, strided
 * batches) on host memory and compared with the scalar oracle, over transposed views, size-1 dims,
 * padded rows and broadcast batches.
 */
class GemmPlanTest {
    /** cublas*gemmStridedBatched semantics on float memory: C = alpha·op(A)·op(B) + beta·C, column-major. */
    private static void columnMajorGemm(int opA, int opB, int m, int n, int k, float alpha, float[] a, long pa, long lda, long sa,
                                        float[] b, long pb, long ldb, long sb, float beta, float[] c, long pc, long ldc, long sc, long count) {
        for (long batch = 0; batch < count; batch++) {
            long ba = pa + batch * sa, bb = pb + batch * sb, bc = pc + batch * sc;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double acc = 0;
                    for (int p = 0; p < k; p++) {
                        double x = opA == Cublas.CUBLAS_OP_N ? a[(int) (ba + i + p * lda)] : a[(int) (ba + p + i * lda)];
                        double y = opB == Cublas.CUBLAS_OP_N ? b[(int) (bb + p + j * ldb)] : b[(int) (bb + j + p * ldb)];
                        acc += x * y;
                    }
                    int ci = (int) (bc + i + j * ldc);
                    c[ci] = (float) (alpha * acc + (beta == 0 ? 0 : beta * c[ci]));
                }
            }
        }
    }

    /** Runs CudaGemm's plan for a·b with the Java cuBLAS model; a and b are views of float storage. */
    private static Tensor viaPlan(Tensor a, Tensor b) {
        int r = a.dim(), m = a.size(-2), k = a.size(-1), n = b.size(-1);
        int[] cs = a.shape();
        cs[r - 1] = n;
        for (int d = 0; d < r - 2; d++) cs[d] = Math.max(a.size(d), b.size(d));
        Tensor c = Tensor.zeros(cs);
        CudaGemm.Plan p = CudaGemm.plan(c.shape(), a.strides(), b.strides(), c.strides(), k);
        float[] am = storage(a), bm = storage(b), cm = new float[(int) c.numel()];
        for (long[] o : p.outer()) {
            // the call computes Cᵀ = Bᵀ·Aᵀ: cuBLAS's A is our B, its B our A
            columnMajorGemm(p.opB().op(), p.opA().op(), n, m, k, 1f, bm, b.offset() + o[1], p.opB().ld(), p.strideB(),
                    am, a.offset() + o[0], p.opA().ld(), p.strideA(), 0f, cm, o[2], n, p.strideC(), p.count());
        }
        return Tensor.of(cm, cs);
    }

    private static float[] storage(Tensor t) { return t.segment().toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT); }

    private static Tensor random(Random r, int... shape) {
        float[] d = new float[(int) org.vfmtok.tensor.Shapes.numel(shape)];
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
        return Tensor.of(d, shape);
    }

    @Test
    void everyLayoutCuBlasCanTakeGivesTheOraclesProduct() {
        Random r = new Random(3);
        int checked = 0;
        for (int trial = 0; trial < 300; trial++) {
            int m = 1 + r.nextInt(4), k = 1 + r.nextInt(4), n = 1 + r.nextInt(4), b0 = 1 + r.nextInt(3), b1 = 1 + r.nextInt(2);
            // a: plain, transposed (stored (K, M)), or rows padded (a narrow of a wider matrix)
            Tensor a = switch (r.nextInt(3)) {
                case 0 -> random(r, b0, b1, m, k);
                case 1 -> random(r, b0, b1, k, m).transpose(-2, -1);
                default -> random(r, b0, b1, m, k + 2).narrow(-1, 1, k);
            };
            Tensor b = switch (r.nextInt(4)) {
                case 0 -> random(r, b0, b1, k, n);
                case 1 -> random(r, b0, b1, n, k).transpose(-2, -1);
                case 2 -> random(r, 1, b1, k, n).expand(b0, b1, k, n); // broadcast batch: stride 0
                default -> random(r, b1, b0, k, n).transpose(0, 1);      // batch dims that do not merge
            };
            if (CudaGemm.transposed(m, k, a.stride(-2), a.stride(-1)) == null || CudaGemm.transposed(k, n, b.stride(-2), b.stride(-1)) == null) {
                continue; // CudaGemm copies such operands first
            }
            Tensor want = Backends.using(Backends.scalar(), () -> a.matmul(b));
            Compare.assertClose("plan " + trial, want, viaPlan(a, b), 1e-5, 1e-5);
            checked++;
        }
        assertTrue(checked > 250, "layouts exercised: " + checked);
    }

    @Test
    void operandForms() {
        // row-major (M, K) with row stride K: Aᵀ as is
        assertEquals(new CudaGemm.Operand(Cublas.CUBLAS_OP_N, 5), CudaGemm.transposed(3, 5, 5, 1));
        // a transposed view: column-major storage, needs op T
        assertEquals(new CudaGemm.Operand(Cublas.CUBLAS_OP_T, 3), CudaGemm.transposed(3, 5, 1, 3));
        // rows padded to 8: still usable, ld 8
        assertEquals(new CudaGemm.Operand(Cublas.CUBLAS_OP_N, 8), CudaGemm.transposed(3, 5, 8, 1));
        // neither dim unit-stride: must be copied
        assertNull(CudaGemm.transposed(3, 5, 10, 2));
        // a single row: its row stride is meaningless, ld must still be >= cols
        assertEquals(new CudaGemm.Operand(Cublas.CUBLAS_OP_N, 5), CudaGemm.transposed(1, 5, 0, 1));
    }
}
