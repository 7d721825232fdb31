package org.vfmtok.tensor.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.vfmtok.tensor.Tensor;

/**
 * Moves rows of one (batch, head) of an F32 (B, H, L, C) tensor of any strides between the tensor
 * and heap scratch. Rows whose last stride is 1 move with bulk copies; other layouts (a transposed
 * view) element by element. Packing is O(L·C) per head against O(L²·C) of arithmetic.
 */
final class AttentionPacking {
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private AttentionPacking() {}

    /** Element index of {@code t[b, h, row, 0]} in {@code t.segment()}. */
    static long rowStart(Tensor t, int b, int h, int row) {
        return t.offset() + b * t.stride(0) + h * t.stride(1) + row * t.stride(2);
    }

    /** {@code dst[d0 + r·ld + c] = f · t[b, h, r0 + r, c]} for r < rows, c < t.size(3). */
    static void loadRows(Tensor t, int b, int h, int r0, int rows, float f, float[] dst, int d0, int ld) {
        MemorySegment seg = t.segment();
        int cols = t.size(3);
        long rs = t.stride(2), cs = t.stride(3);
        long e = rowStart(t, b, h, r0);
        if (cs == 1 && rs == cols && ld == cols) { // rows back to back in both: one bulk copy
            MemorySegment.copy(seg, FLOAT, e * 4, dst, d0, rows * cols);
            if (f != 1f) for (int i = d0; i < d0 + rows * cols; i++) dst[i] *= f;
            return;
        }
        for (int r = 0; r < rows; r++, e += rs) {
            int o = d0 + r * ld;
            if (cs == 1) {
                MemorySegment.copy(seg, FLOAT, e * 4, dst, o, cols);
                if (f != 1f) for (int c = 0; c < cols; c++) dst[o + c] *= f;
            } else {
                for (int c = 0; c < cols; c++) dst[o + c] = f * seg.getAtIndex(FLOAT, e + c * cs);
            }
        }
    }

    /** {@code dst[d0 + c·ld + r] = t[b, h, r0 + r, c]}: rows become columns (kᵀ, vᵀ for the score kernel). */
    static void loadTransposed(Tensor t, int b, int h, int r0, int rows, float[] dst, int d0, int ld) {
        MemorySegment seg = t.segment();
        int cols = t.size(3);
        long rs = t.stride(2), cs = t.stride(3);
        long e = rowStart(t, b, h, r0);
        for (int r = 0; r < rows; r++, e += rs) {
            for (int c = 0; c < cols; c++) dst[d0 + c * ld + r] = seg.getAtIndex(FLOAT, e + c * cs);
        }
    }

    /** {@code t[b, h, r0 + r, c] = src[s0 + r·ld + c]} for r < rows, c < t.size(3). */
    static void storeRows(Tensor t, int b, int h, int r0, int rows, float[] src, int s0, int ld) {
        MemorySegment seg = t.segment();
        int cols = t.size(3);
        long rs = t.stride(2), cs = t.stride(3);
        long e = rowStart(t, b, h, r0);
        if (cs == 1 && rs == cols && ld == cols) {
            MemorySegment.copy(src, s0, seg, FLOAT, e * 4, rows * cols);
            return;
        }
        for (int r = 0; r < rows; r++, e += rs) {
            int o = s0 + r * ld;
            if (cs == 1) {
                MemorySegment.copy(src, o, seg, FLOAT, e * 4, cols);
            } else {
                for (int c = 0; c < cols; c++) seg.setAtIndex(FLOAT, e + c * cs, src[o + c]);
            }
        }
    }

    /** {@code t[b, h, i] = value} for a (B, H, L) tensor (the row log-sum-exp). */
    static void store3(Tensor t, int b, int h, int i, float value) {
        t.segment().setAtIndex(FLOAT, t.offset() + b * t.stride(0) + h * t.stride(1) + i * t.stride(2), value);
    }

    /** {@code t[b, h, i]} of a (B, H, L) tensor. */
    static float load3(Tensor t, int b, int h, int i) {
        return t.segment().getAtIndex(FLOAT, t.offset() + b * t.stride(0) + h * t.stride(1) + i * t.stride(2));
    }
}
