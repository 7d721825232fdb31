package org.vfmtok.tensor.cpu.gemm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.cpu.Parallel;
import org.vfmtok.tensor.cpu.VectorSupport;

/**
 * Matrix-vector products (GEMMs with M = 1 or N = 1, e.g. one decode step through a linear layer).
 * They are memory-bound: packing would read the matrix twice, so W is streamed in place instead, in
 * whichever of two forms its layout allows: dot products along contiguous rows, or AXPYs down
 * contiguous columns. F32 only; {@link #supports} says whether a layout has a fast form.
 */
public final class Gemv {
    private static final VectorSpecies<Float> S = VectorSupport.F;
    private static final int VL = S.length();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** Outputs per AXPY chunk: 4 KiB of accumulators, one page of each row of B per step. */
    private static final int AXPY_BLOCK = 1024;

    private Gemv() {}

    /** Whether W (rows = outputs, cols = reduction) and x have a layout with a vector form. */
    public static boolean supports(Operand w, Operand x) {
        if (w.dtype() != DType.F32 || x.dtype() != DType.F32) return false;
        return (w.colStride() == 1 && x.colStride() == 1) || w.rowStride() == 1;
    }

    /**
     * For every batch item t: y_t = alpha·W_t·x_t + beta·y_t with W_t (r×k) = {@code w} at
     * {@code wOffs[t]}, x_t (k elements, stride {@code x.colStride()}) at {@code xOffs[t]} and y_t
     * contiguous F32 at {@code yOffs[t]}.
     */
    public static void run(Operand w, long[] wOffs, Operand x, long[] xOffs, MemorySegment y, long[] yOffs,
                           int r, int k, float alpha, float beta) {
        int nb = wOffs.length;
        boolean dot = w.colStride() == 1 && x.colStride() == 1;
        // Chunks of outputs of at least ~64K multiply-adds each, so small products stay on one thread.
        int grain = dot ? 4 : 256;
        int groups = (r + grain - 1) / grain;
        int minGroups = Math.max(1, (1 << 16) / Math.max(1, grain * k));
        int perItem = Math.max(1, Math.min(groups, Parallel.threads() * 4));
        Parallel.forRange(nb * perItem, Math.max(1, minGroups * perItem / groups), (s, e) -> {
            for (int u = s; u < e; u++) {
                int t = u / perItem, part = u % perItem;
                int g0 = (int) ((long) groups * part / perItem), g1 = (int) ((long) groups * (part + 1) / perItem);
                int r0 = g0 * grain, r1 = Math.min(r, g1 * grain);
                Operand wt = w.at(wOffs[t]);
                long xo = xOffs[t], yo = yOffs[t];
                if (dot) dotRows(wt, x.seg(), xo, y, yo, r0, r1, k, alpha, beta);
                else axpyColumns(wt, x.seg(), xo, x.colStride(), y, yo, r0, r1, k, alpha, beta);
            }
        });
    }

    /** Rows of W contiguous: four dot products at a time share each load of x. */
    private static void dotRows(Operand w, MemorySegment xs, long xo, MemorySegment y, long yo, int r0, int r1, int k,
                                float alpha, float beta) {
        MemorySegment ws = w.seg();
        long ld = 4 * w.rowStride();
        long xb = 4 * xo;
        int kv = k - k % VL;
        int i = r0;
        for (; i + 4 <= r1; i += 4) {
            long w0 = 4 * (w.offset() + i * w.rowStride());
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
            for (int p = 0; p < kv; p += VL) {
                FloatVector xv = FloatVector.fromMemorySegment(S, xs, xb + 4L * p, LE);
                long o = w0 + 4L * p;
                s0 = FloatVector.fromMemorySegment(S, ws, o, LE).fma(xv, s0);
                s1 = FloatVector.fromMemorySegment(S, ws, o + ld, LE).fma(xv, s1);
                s2 = FloatVector.fromMemorySegment(S, ws, o + 2 * ld, LE).fma(xv, s2);
                s3 = FloatVector.fromMemorySegment(S, ws, o + 3 * ld, LE).fma(xv, s3);
            }
            float d0 = s0.reduceLanes(VectorOperators.ADD), d1 = s1.reduceLanes(VectorOperators.ADD);
            float d2 = s2.reduceLanes(VectorOperators.ADD), d3 = s3.reduceLanes(VectorOperators.ADD);
            for (int p = kv; p < k; p++) {
                float xp = xs.get(F, xb + 4L * p);
                long o = w0 + 4L * p;
                d0 += ws.get(F, o) * xp;
                d1 += ws.get(F, o + ld) * xp;
                d2 += ws.get(F, o + 2 * ld) * xp;
                d3 += ws.get(F, o + 3 * ld) * xp;
            }
            put(y, yo + i, d0, alpha, beta);
            put(y, yo + i + 1, d1, alpha, beta);
            put(y, yo + i + 2, d2, alpha, beta);
            put(y, yo + i + 3, d3, alpha, beta);
        }
        for (; i < r1; i++) {
            long w0 = 4 * (w.offset() + i * w.rowStride());
            FloatVector s0 = FloatVector.zero(S);
            for (int p = 0; p < kv; p += VL) {
                s0 = FloatVector.fromMemorySegment(S, ws, w0 + 4L * p, LE).fma(FloatVector.fromMemorySegment(S, xs, xb + 4L * p, LE), s0);
            }
            float d = s0.reduceLanes(VectorOperators.ADD);
            for (int p = kv; p < k; p++) d += ws.get(F, w0 + 4L * p) * xs.get(F, xb + 4L * p);
            put(y, yo + i, d, alpha, beta);
        }
    }

    /**
     * Columns of W contiguous (W = Bᵀ of a row-major B): a chunk of outputs is accumulated in an
     * L1-resident buffer while x is broadcast along k, so each step streams one contiguous run of a row
     * of B.
     */
    private static void axpyColumns(Operand w, MemorySegment xs, long xo, long xStride, MemorySegment y, long yo,
                                    int r0, int r1, int k, float alpha, float beta) {
        MemorySegment ws = w.seg();
        long ld = 4 * w.colStride();
        float[] acc = new float[AXPY_BLOCK];
        for (int i = r0; i < r1; i += AXPY_BLOCK) {
            int len = Math.min(AXPY_BLOCK, r1 - i);
            int full = len - len % VL;
            java.util.Arrays.fill(acc, 0f);
            VectorMask<Float> tail = S.indexInRange(full, len);
            long o = 4 * (w.offset() + i);
            for (int p = 0; p < k; p++, o += ld) {
                FloatVector xv = FloatVector.broadcast(S, xs.get(F, 4 * (xo + p * xStride)));
                for (int v = 0; v < full; v += VL) {
                    FloatVector.fromMemorySegment(S, ws, o + 4L * v, LE).fma(xv, FloatVector.fromArray(S, acc, v)).intoArray(acc, v);
                }
                if (full < len) {
                    FloatVector.fromMemorySegment(S, ws, o + 4L * full, LE, tail).fma(xv, FloatVector.fromArray(S, acc, full)).intoArray(acc, full);
                }
            }
            for (int v = 0; v < len; v++) put(y, yo + i + v, acc[v], alpha, beta);
        }
    }

    private static void put(MemorySegment y, long idx, float d, float alpha, float beta) {
        float v = alpha * d;
        y.set(F, 4 * idx, beta == 0 ? v : v + beta * y.get(F, 4 * idx));
    }
}
