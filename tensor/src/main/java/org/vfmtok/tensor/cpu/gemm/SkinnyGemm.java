package org.vfmtok.tensor.cpu.gemm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import org.vfmtok.tensor.cpu.Lanes;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.cpu.Parallel;
import org.vfmtok.tensor.cpu.VectorSupport;

/**
 * GEMMs with one small side (M or N up to {@link #MAX_VECTORS}: a decode step, a CFG pair, a
 * matrix-vector product). They are memory-bound on the big operand W, which packing would read twice,
 * so W is streamed in place. Two forms, by W's layout: dot products along contiguous rows of W, which is
 * the row kernel ({@link RowGemm}, the one dot kernel, also {@code linearRows}; the few vectors of X are
 * widened to F32 rows first when they are not already), or (one vector) AXPYs down contiguous columns of W.
 */
public final class SkinnyGemm {
    /**
     * Largest small side handled here. Measured (1 thread, K=1024, N=4096, B as nn.Linear stores it):
     * the dot form beats the packed kernel up to M=32, where packing B still dominates.
     */
    public static final int MAX_VECTORS = Integer.getInteger("vfmtok.gemm.skinny", 32);
    private static final VectorSpecies<Float> F = VectorSupport.F;
    private static final int VL = F.length();
    /**
     * Up to this many vectors the dot form is kept at any depth: the packed kernel's micro-tile would be mostly
     * empty, and a decode step or a CFG pair must not pay for packing.
     */
    public static final int FEW_VECTORS = 4;
    /**
     * Shallowest reduction for which more than {@link #FEW_VECTORS} vectors stay in the dot form. Each output
     * of the dot form ends in a horizontal sum of its accumulator; over a short reduction (a training step's
     * width-32 layers: k = 32 is 4 vector FMAs per output) that sum costs as much as the products, and the
     * packed kernel, which keeps outputs in lanes, is several times faster. Deep reductions (decode's
     * weights, a convolution's weight gradient over an image plane) amortise it.
     */
    public static final int MIN_DOT_DEPTH = Integer.getInteger("vfmtok.gemm.skinnyMinDepth", 16 * VL);
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ThreadLocal<float[][]> BUFFERS = ThreadLocal.withInitial(() -> new float[1][0]);

    private SkinnyGemm() {}

    /**
     * Whether W (rows = outputs, cols = reduction) can be streamed for nx vectors: F32 or BF16 with contiguous
     * rows (the row kernel reads both), or F32 with contiguous columns for a single vector.
     */
    public static boolean supports(Operand w, int nx) {
        if (nx > MAX_VECTORS) return false;
        return streamable(w, nx);
    }

    /**
     * {@link #supports} for a product of depth k: also false when the dot form's per-output horizontal sums
     * would outweigh its products (see {@link #MIN_DOT_DEPTH}); the packed kernel then runs instead.
     */
    public static boolean supports(Operand w, int nx, int k) {
        return supports(w, nx) && (nx <= FEW_VECTORS || k >= MIN_DOT_DEPTH);
    }

    private static boolean streamable(Operand w, int nx) {
        return (RowGemm.weightType(w.dtype()) && w.colStride() == 1) || (w.dtype() == DType.F32 && nx == 1 && w.rowStride() == 1);
    }

    /**
     * For every batch item t and r < rows, i < nx: Y[r][i] = alpha·Σ_p W[r][p]·X[i][p] + beta·Y[r][i],
     * with W_t = {@code w} at {@code wOffs[t]} (rows×k), X_t = {@code x} at {@code xOffs[t]} (nx×k, any
     * layout and dtype) and Y[r][i] the F32 element {@code yOffs[t] + r·yRowStride + i·yVecStride}.
     */
    public static void run(Operand w, long[] wOffs, Operand x, long[] xOffs, int nx, MemorySegment y, long[] yOffs,
                           long yRowStride, long yVecStride, int rows, int k, float alpha, float beta) {
        if (w.colStride() == 1) {
            dotRows(w, wOffs, x, xOffs, nx, y, yOffs, yRowStride, yVecStride, rows, k, alpha, beta);
            return;
        }
        int nb = wOffs.length;
        int grain = 4 * VL;
        int groups = (rows + grain - 1) / grain;
        // Parts of at least ~64K multiply-adds, so small products stay on one thread.
        int minGroups = Math.max(1, (1 << 16) / Math.max(1, grain * k * nx));
        int perItem = Math.max(1, Math.min(groups, Parallel.threads() * 4));
        Parallel.forRange(nb * perItem, Math.max(1, minGroups * perItem / groups), (s, e) -> {
            float[][] buf = BUFFERS.get();
            if (buf[0].length < nx * k) buf[0] = new float[nx * k];
            float[] xs = buf[0];
            int packedItem = -1;
            for (int u = s; u < e; u++) {
                int t = u / perItem, part = u % perItem;
                if (t != packedItem) {
                    Operand xt = x.at(xOffs[t]);
                    for (int i = 0; i < nx; i++) {
                        Packing.copyRun(xt.seg(), xt.dtype(), xt.offset() + i * xt.rowStride(), xt.colStride(), k, xs, i * k, 1);
                    }
                    packedItem = t;
                }
                int r0 = (int) ((long) groups * part / perItem) * grain;
                int r1 = Math.min(rows, (int) ((long) groups * (part + 1) / perItem) * grain);
                axpyColumns(w.at(wOffs[t]), xs, y, yOffs[t], yRowStride, r0, r1, k, alpha, beta);
            }
        });
    }

    /**
     * Rows of W contiguous: the row kernel, x rows against W rows, item by item in one parallel call. X is read in
     * place when it is F32 with contiguous rows, else widened into F32 rows first (a few vectors: cheap).
     */
    private static void dotRows(Operand w, long[] wOffs, Operand x, long[] xOffs, int nx, MemorySegment y, long[] yOffs,
                                long yRowStride, long yVecStride, int rows, int k, float alpha, float beta) {
        int nb = wOffs.length;
        long wBytes = w.dtype().byteSize();
        long[] wb = new long[nb], xb = new long[nb], yb = new long[nb];
        for (int t = 0; t < nb; t++) {
            wb[t] = wBytes * wOffs[t];
            yb[t] = 4 * yOffs[t];
        }
        RowGemm product = new RowGemm();
        if (x.dtype() == DType.F32 && x.colStride() == 1) {
            for (int t = 0; t < nb; t++) xb[t] = 4 * xOffs[t];
            product.runBatch(x.seg(), xb, 4 * x.rowStride(), w.dtype(), w.seg(), wb, wBytes * w.rowStride(), y, yb, 4 * yVecStride, 4 * yRowStride, nx, rows, k, alpha, beta);
            return;
        }
        try (Scope scratch = Scope.open("gemm-small-side")) {
            Tensor packed = Tensor.empty(DType.F32, nb, nx, k);
            float[] rowsOfX = new float[nx * k];
            for (int t = 0; t < nb; t++) {
                Operand xt = x.at(xOffs[t]);
                for (int i = 0; i < nx; i++) Packing.copyRun(xt.seg(), xt.dtype(), xt.offset() + i * xt.rowStride(), xt.colStride(), k, rowsOfX, i * k, 1);
                xb[t] = packed.byteOffset() + 4L * t * nx * k;
                MemorySegment.copy(rowsOfX, 0, packed.segment(), FLOAT, xb[t], nx * k);
            }
            product.runBatch(packed.segment(), xb, 4L * k, w.dtype(), w.seg(), wb, wBytes * w.rowStride(), y, yb, 4 * yVecStride, 4 * yRowStride, nx, rows, k, alpha, beta);
        }
    }

    /**
     * Columns of W contiguous (W = Bᵀ of a row-major B) and a single vector: blocks of 4·VL outputs
     * accumulate in registers while x is broadcast down k. (With several vectors the packed kernel is
     * faster: packing a row-major B is a plain copy.)
     */
    private static void axpyColumns(Operand w, float[] xs, MemorySegment y, long yo, long ysr, int r0, int r1, int k,
                                    float alpha, float beta) {
        MemorySegment ws = w.seg();
        long ld = 4 * w.colStride();
        int r = r0;
        for (; r + 4 * VL <= r1; r += 4 * VL) {
            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
            long o = 4 * (w.offset() + r);
            for (int p = 0; p < k; p++, o += ld) {
                FloatVector xv = FloatVector.broadcast(F, xs[p]);
                s0 = FloatVector.fromMemorySegment(F, ws, o, LE).fma(xv, s0);
                s1 = FloatVector.fromMemorySegment(F, ws, o + 4L * VL, LE).fma(xv, s1);
                s2 = FloatVector.fromMemorySegment(F, ws, o + 8L * VL, LE).fma(xv, s2);
                s3 = FloatVector.fromMemorySegment(F, ws, o + 12L * VL, LE).fma(xv, s3);
            }
            float[] acc = new float[4 * VL];
            s0.intoArray(acc, 0);
            s1.intoArray(acc, VL);
            s2.intoArray(acc, 2 * VL);
            s3.intoArray(acc, 3 * VL);
            for (int v = 0; v < 4 * VL; v++) put(y, yo + (r + v) * ysr, acc[v], alpha, beta);
        }
        for (; r < r1; r += VL) {
            VectorMask<Float> m = F.indexInRange(r, r1);
            FloatVector s0 = FloatVector.zero(F);
            long o = 4 * (w.offset() + r);
            for (int p = 0; p < k; p++, o += ld) {
                s0 = FloatVector.fromMemorySegment(F, ws, o, LE, m).fma(FloatVector.broadcast(F, xs[p]), s0);
            }
            for (int v = 0; v < Math.min(VL, r1 - r); v++) put(y, yo + (r + v) * ysr, s0.lane(v), alpha, beta);
        }
    }

    private static void put(MemorySegment y, long idx, float d, float alpha, float beta) {
        float v = alpha * d;
        y.set(FLOAT, 4 * idx, beta == 0 ? v : v + beta * y.get(FLOAT, 4 * idx));
    }
}
