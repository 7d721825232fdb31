package org.vfmtok.tensor.cpu;

import static org.vfmtok.tensor.cpu.AttentionBlocks.COLS;
import static org.vfmtok.tensor.cpu.AttentionBlocks.roundUp;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.vfmtok.tensor.Tensor;

/**
 * Sizes, padded scratch widths and masking rules of one attention call, shared by the forward and
 * backward workers.
 */
final class AttentionGeometry {
    final int batch, heads, lq, lk, d, dv;
    /** Row widths of packed q/k (D) and v/dO (Dv) scratch, and of packed kᵀ/vᵀ (Lk): multiples of {@link AttentionBlocks#COLS}. */
    final int dPad, dvPad, lkPad;
    final boolean causal;
    final float scale;
    private final Tensor mask;

    AttentionGeometry(int[] dims, Tensor mask, boolean causal, double scale) {
        this.batch = dims[0];
        this.heads = dims[1];
        this.lq = dims[2];
        this.lk = dims[3];
        this.d = dims[4];
        this.dv = dims[5];
        this.dPad = roundUp(d, COLS);
        this.dvPad = roundUp(dv, COLS);
        this.lkPad = roundUp(lk, COLS);
        this.mask = mask;
        this.causal = causal;
        this.scale = (float) scale;
    }

    /**
     * Sets {@code s[s0 + j] = -inf} for each key {@code j0 + j} (j < n) that query {@code qi} of
     * (b, h) may not attend: beyond the causal diagonal, or false in the mask. {@code buf} holds n bytes.
     */
    void maskRow(int b, int h, int qi, int j0, int n, float[] s, int s0, byte[] buf) {
        if (causal) {
            int first = qi + 1 - j0; // first key index in this block past the diagonal
            if (first < n) Arrays.fill(s, s0 + Math.max(first, 0), s0 + n, Float.NEGATIVE_INFINITY);
        }
        if (mask == null) return;
        MemorySegment seg = mask.segment();
        long base = mask.offset() + b * mask.stride(0) + h * mask.stride(1) + qi * mask.stride(2);
        long ks = mask.stride(3);
        if (ks == 1) {
            MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, base + j0, buf, 0, n);
        } else {
            for (int j = 0; j < n; j++) buf[j] = seg.get(ValueLayout.JAVA_BYTE, base + (j0 + j) * ks);
        }
        for (int j = 0; j < n; j++) if (buf[j] == 0) s[s0 + j] = Float.NEGATIVE_INFINITY;
    }
}
