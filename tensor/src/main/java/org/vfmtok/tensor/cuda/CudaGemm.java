package org.vfmtok.tensor.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.vfmtok.cuda.CudaCheck;
import org.vfmtok.cuda.Cublas;
import org.vfmtok.cuda.CublasLt;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.GemmKernels;
import org.vfmtok.tensor.backend.Workspace;

/**
 * Matrix products through cuBLAS (cublasGemmStridedBatchedEx) or cuBLASLt (cublasLtMatmul). cuBLAS is
 * column-major; a row-major C (M×N, contiguous) is the column-major Cᵀ (N×M, ld N), and Cᵀ = Bᵀ·Aᵀ. So
 * the call computes Bᵀ·Aᵀ, and each operand is passed as its transpose in column-major terms: a
 * row-major view (unit column stride) is that transpose as is (op N, ld = row stride), a column-major
 * view (unit row stride) needs op T (ld = column stride), anything else is first copied contiguous.
 * Batch dims (broadcast ones have stride 0) become strided batches when they merge into one dim, else a
 * loop of strided-batched calls.
 *
 * <p>Precision: F32 in full FP32 by default; TF32 or BF16 tensor cores on request
 * ({@link CudaBackend.GemmPrecision}); BF16/F16 operands with F32 accumulation; F64 in FP64.
 */
final class CudaGemm implements GemmKernels {
    private final CudaBackend be;
    private volatile CudaBackend.GemmPrecision precision;
    private volatile boolean useLt;

    CudaGemm(CudaBackend be, CudaBackend.GemmPrecision precision, boolean useLt) {
        this.be = be;
        this.precision = precision;
        this.useLt = useLt;
    }

    void setPrecision(CudaBackend.GemmPrecision p) { this.precision = p; }

    void setUseLt(boolean on) { this.useLt = on; }

    /** How one operand enters cuBLAS: its transpose in column-major terms. */
    record Operand(int op, long ld) {}

    /**
     * The cuBLAS form of Xᵀ for a logical row-major matrix X (rows × cols) with strides (sr, sc), or null
     * when X must be copied first. Dims of size 1 have meaningless strides and are ignored.
     */
    static Operand transposed(long rows, long cols, long sr, long sc) {
        if (sc == 1 || cols == 1) {
            long ld = rows == 1 ? Math.max(Math.max(sr, cols), 1) : sr;
            if (ld >= Math.max(cols, 1) && (rows == 1 || sr > 0)) return new Operand(Cublas.CUBLAS_OP_N, ld);
        }
        if (sr == 1 || rows == 1) {
            long ld = cols == 1 ? Math.max(Math.max(sc, rows), 1) : sc;
            if (ld >= Math.max(rows, 1) && (cols == 1 || sc > 0)) return new Operand(Cublas.CUBLAS_OP_T, ld);
        }
        return null;
    }

    @Override
    public void gemm(Tensor a, Tensor b, Tensor c, float alpha, float beta) {
        be.check("matmul", a, b, c);
        int r = c.dim();
        if (a.dim() != r || b.dim() != r || r < 2) throw new IllegalArgumentException("gemm operands of ranks " + a.dim() + ", " + b.dim() + ", " + r);
        int m = c.size(-2), n = c.size(-1), k = a.size(-1);
        if (a.size(-2) != m || b.size(-2) != k || b.size(-1) != n) {
            throw new IllegalArgumentException("gemm shapes " + Arrays.toString(a.shape()) + " x " + Arrays.toString(b.shape()) + " -> " + Arrays.toString(c.shape()));
        }
        CudaBackend.refuseStoredBf16("matmul", a, b);
        CudaPointwise.sameDType("matmul", a, b, c);
        CudaBackend.requireContiguous("matmul output", c);
        DType t = c.dtype();
        if (t != DType.F32 && t != DType.F64 && t != DType.BF16 && t != DType.F16) {
            throw new UnsupportedOperationException("CUDA matmul supports F32, F64, BF16 and F16, got " + t);
        }
        if (c.numel() == 0) return;
        if (k == 0) { // C = beta·C
            if (beta == 0) be.fill(c, 0);
            else be.pointwise().unary(org.vfmtok.tensor.backend.PointwiseKernels.UnaryOp.AFFINE, c, c, beta, 0);
            return;
        }
        try (Scope tmp = Scope.open("cuda-gemm")) {
            Tensor aa = a, bb = b;
            if (transposed(m, k, a.stride(-2), a.stride(-1)) == null) aa = contiguous(a);
            if (transposed(k, n, b.stride(-2), b.stride(-1)) == null) bb = contiguous(b);
            Plan p = plan(c.shape(), aa.strides(), bb.strides(), c.strides(), k);
            long es = t.byteSize();
            for (long[] o : p.outer()) {
                long pa = CudaBackend.addr(aa) + o[0] * es, pb = CudaBackend.addr(bb) + o[1] * es, pc = CudaBackend.addr(c) + o[2] * es;
                if (useLt) lt(t, p.opA(), p.opB(), m, n, k, pa, pb, pc, p.strideA(), p.strideB(), p.strideC(), p.count(), alpha, beta);
                else cublas(t, p.opA(), p.opB(), m, n, k, pa, pb, pc, p.strideA(), p.strideB(), p.strideC(), p.count(), alpha, beta);
            }
        }
    }

    /**
     * How a batched product is issued: the operand forms, one strided-batched call of {@code count}
     * matrices per entry of {@code outer} (element offsets of A, B, C for the batch dims that do not merge
     * into one), and the element strides between the matrices of a call.
     */
    record Plan(Operand opA, Operand opB, long count, long strideA, long strideB, long strideC, java.util.List<long[]> outer) {}

    /** The plan for c (..., M, N) = a (..., M, K) · b (..., K, N); a and b must have cuBLAS-compatible matrix strides. */
    static Plan plan(int[] cShape, long[] as, long[] bs, long[] cs, int k) {
        int r = cShape.length, m = cShape[r - 2], n = cShape[r - 1];
        Operand opA = transposed(m, k, as[r - 2], as[r - 1]);
        Operand opB = transposed(k, n, bs[r - 2], bs[r - 1]);
        if (opA == null || opB == null) throw new IllegalArgumentException("operand strides not usable by cuBLAS; copy it first");
        int[] batch = Arrays.copyOf(cShape, r - 2);
        Layouts.Merged mb = Layouts.merge(batch, Arrays.copyOf(as, r - 2), Arrays.copyOf(bs, r - 2), Arrays.copyOf(cs, r - 2));
        int last = mb.rank() - 1;
        long count = last < 0 ? 1 : mb.sizes()[last];
        long sa = last < 0 ? 0 : mb.strides()[0][last], sb = last < 0 ? 0 : mb.strides()[1][last], sc = last < 0 ? 0 : mb.strides()[2][last];
        long outerN = last <= 0 ? 1 : mb.numel() / count;
        java.util.List<long[]> outer = new java.util.ArrayList<>();
        for (long o = 0; o < outerN; o++) {
            long oa = 0, ob = 0, oc = 0, rem = o;
            for (int d = last - 1; d >= 0; d--) {
                long i = rem % mb.sizes()[d];
                rem /= mb.sizes()[d];
                oa += i * mb.strides()[0][d];
                ob += i * mb.strides()[1][d];
                oc += i * mb.strides()[2][d];
            }
            outer.add(new long[] {oa, ob, oc});
        }
        return new Plan(opA, opB, count, sa, sb, sc, outer);
    }

    private Tensor contiguous(Tensor x) {
        Tensor out = Tensor.empty(x.dtype(), x.device(), x.shape());
        be.copy(x, out);
        return out;
    }

    private static int dataType(DType t) {
        return switch (t) {
            case F32 -> Cublas.CUDA_R_32F;
            case F64 -> Cublas.CUDA_R_64F;
            case BF16 -> Cublas.CUDA_R_16BF;
            case F16 -> Cublas.CUDA_R_16F;
            default -> throw new IllegalArgumentException(t.toString());
        };
    }

    private int computeType(DType t) {
        if (t == DType.F64) return Cublas.CUBLAS_COMPUTE_64F;
        if (t != DType.F32) return Cublas.CUBLAS_COMPUTE_32F;
        return switch (precision) {
            case FP32 -> Cublas.CUBLAS_COMPUTE_32F;
            case TF32 -> Cublas.CUBLAS_COMPUTE_32F_FAST_TF32;
            case BF16 -> Cublas.CUBLAS_COMPUTE_32F_FAST_16BF;
        };
    }

    private static MemorySegment scalar(Arena a, DType t, float v) {
        return t == DType.F64 ? a.allocateFrom(ValueLayout.JAVA_DOUBLE, v) : a.allocateFrom(ValueLayout.JAVA_FLOAT, v);
    }

    private static int i32(long v, String what) {
        if (v > Integer.MAX_VALUE) throw new UnsupportedOperationException("cuBLAS " + what + " " + v + " exceeds 2^31-1");
        return (int) v;
    }

    /** C (column-major N×M, ld N) = alpha · op(B)·op(A) + beta · C, batched. */
    private void cublas(DType t, Operand opA, Operand opB, int m, int n, int k, long pa, long pb, long pc, long sa, long sb, long sc,
                        long count, float alpha, float beta) {
        be.dev.activate();
        MemorySegment h = be.dev.blas().handle;
        int dt = dataType(t);
        try (Arena a = Arena.ofConfined()) {
            CudaCheck.cublas(Cublas.cublasGemmStridedBatchedEx(h, opB.op(), opA.op(), n, m, k, scalar(a, t, alpha),
                    MemorySegment.ofAddress(pb), dt, i32(opB.ld(), "ldb"), sb, MemorySegment.ofAddress(pa), dt, i32(opA.ld(), "lda"), sa,
                    scalar(a, t, beta), MemorySegment.ofAddress(pc), dt, n, sc, i32(count, "batch count"), computeType(t),
                    Cublas.CUBLAS_GEMM_DEFAULT), "cublasGemmStridedBatchedEx(" + t + ", m=" + n + ", n=" + m + ", k=" + k + ", batch=" + count + ")");
        }
    }

    /** The same product through cuBLASLt: descriptors, heuristic algorithm, workspace. */
    private void lt(DType t, Operand opA, Operand opB, int m, int n, int k, long pa, long pb, long pc, long sa, long sb, long sc,
                    long count, float alpha, float beta) {
        be.dev.activate();
        CublasContext ctx = be.dev.blas();
        MemorySegment lt = ctx.lt();
        int dt = dataType(t);
        int scaleType = t == DType.F64 ? Cublas.CUDA_R_64F : Cublas.CUDA_R_32F;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            CudaCheck.cublasLt(CublasLt.cublasLtMatmulDescCreate(out, computeType(t), scaleType), "cublasLtMatmulDescCreate");
            MemorySegment desc = out.get(ValueLayout.ADDRESS, 0);
            MemorySegment pref = null;
            MemorySegment[] layouts = new MemorySegment[3];
            try {
                setAttr(a, desc, CublasLt.CUBLASLT_MATMUL_DESC_TRANSA, opB.op());
                setAttr(a, desc, CublasLt.CUBLASLT_MATMUL_DESC_TRANSB, opA.op());
                // Lt's A is our Bᵀ (n×k after op), its B our Aᵀ (k×m after op), C/D our Cᵀ (n×m)
                layouts[0] = layout(a, dt, opB.op() == Cublas.CUBLAS_OP_N ? n : k, opB.op() == Cublas.CUBLAS_OP_N ? k : n, opB.ld(), count, sb);
                layouts[1] = layout(a, dt, opA.op() == Cublas.CUBLAS_OP_N ? k : m, opA.op() == Cublas.CUBLAS_OP_N ? m : k, opA.ld(), count, sa);
                layouts[2] = layout(a, dt, n, m, n, count, sc);
                CudaCheck.cublasLt(CublasLt.cublasLtMatmulPreferenceCreate(out), "cublasLtMatmulPreferenceCreate");
                pref = out.get(ValueLayout.ADDRESS, 0);
                MemorySegment ws = a.allocateFrom(ValueLayout.JAVA_LONG, CublasContext.WORKSPACE);
                CudaCheck.cublasLt(CublasLt.cublasLtMatmulPreferenceSetAttribute(pref, CublasLt.CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, ws, 8),
                        "cublasLtMatmulPreferenceSetAttribute");
                MemorySegment heur = a.allocate(CublasLt.cublasLtMatmulHeuristicResult_t$LAYOUT);
                MemorySegment found = a.allocate(ValueLayout.JAVA_INT);
                CudaCheck.cublasLt(CublasLt.cublasLtMatmulAlgoGetHeuristic(lt, desc, layouts[0], layouts[1], layouts[2], layouts[2], pref, 1,
                        heur, found), "cublasLtMatmulAlgoGetHeuristic");
                if (found.get(ValueLayout.JAVA_INT, 0) < 1) throw new UnsupportedOperationException("cuBLASLt has no algorithm for this " + t + " matmul");
                MemorySegment algo = heur.asSlice(0, CublasLt.cublasLtMatmulAlgo_t$LAYOUT.byteSize());
                MemorySegment c = MemorySegment.ofAddress(pc);
                CudaCheck.cublasLt(CublasLt.cublasLtMatmul(lt, desc, scalar(a, t, alpha), MemorySegment.ofAddress(pb), layouts[0],
                        MemorySegment.ofAddress(pa), layouts[1], scalar(a, t, beta), c, layouts[2], c, layouts[2], algo,
                        MemorySegment.ofAddress(ctx.ltWorkspace()), CublasContext.WORKSPACE, MemorySegment.ofAddress(be.dev.stream)),
                        "cublasLtMatmul(" + t + ", " + n + "x" + m + "x" + k + ", batch " + count + ")");
            } finally {
                for (MemorySegment l : layouts) if (l != null) CublasLt.cublasLtMatrixLayoutDestroy(l);
                if (pref != null) CublasLt.cublasLtMatmulPreferenceDestroy(pref);
                CublasLt.cublasLtMatmulDescDestroy(desc);
            }
        }
    }

    private static void setAttr(Arena a, MemorySegment desc, int attr, int value) {
        CudaCheck.cublasLt(CublasLt.cublasLtMatmulDescSetAttribute(desc, attr, a.allocateFrom(ValueLayout.JAVA_INT, value), 4),
                "cublasLtMatmulDescSetAttribute(" + attr + ")");
    }

    /** A column-major layout of rows × cols with leading dimension ld, and a strided batch. */
    private static MemorySegment layout(Arena a, int dt, long rows, long cols, long ld, long count, long stride) {
        MemorySegment out = a.allocate(ValueLayout.ADDRESS);
        CudaCheck.cublasLt(CublasLt.cublasLtMatrixLayoutCreate(out, dt, rows, cols, ld), "cublasLtMatrixLayoutCreate");
        MemorySegment l = out.get(ValueLayout.ADDRESS, 0);
        if (count > 1) {
            CudaCheck.cublasLt(CublasLt.cublasLtMatrixLayoutSetAttribute(l, CublasLt.CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT,
                    a.allocateFrom(ValueLayout.JAVA_INT, (int) count), 4), "batch count");
            CudaCheck.cublasLt(CublasLt.cublasLtMatrixLayoutSetAttribute(l, CublasLt.CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET,
                    a.allocateFrom(ValueLayout.JAVA_LONG, stride), 8), "strided batch offset");
        }
        return l;
    }

    // No CUDA row kernel yet: the decode step's product fails naming the call and the device.
    @Override
    public Workspace linearWorkspace() { throw Unsupported.call("GemmKernels", "linearWorkspace", be.dev.device); }

    @Override
    public void linearRows(Tensor x, Tensor w, Tensor out, boolean accumulate, Workspace workspace) {
        throw Unsupported.call("GemmKernels", "linearRows", be.dev.device);
    }
}
