package org.vfmtok.tensor.backend;

import java.util.Arrays;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;

/**
 * Gathers and scatters by integer index (I32 or I64, 1-D, any stride). src any strides, out contiguous.
 * Indices are bounds-checked before any element moves; the error names the index, its position and
 * the size of the indexed dim.
 */
public interface IndexKernels {
    /** out = src.index_select(dim, index). Embedding lookup is dim 0 of the table. */
    void indexSelect(Tensor src, int dim, Tensor index, Tensor out);

    /**
     * {@code out[i] = table[ids[i]]} for i &lt; {@code count}: rows of a table (N, D) into the first rows of
     * {@code out} (≥ count, D), both with a contiguous last dim. The embedding lookup of a decode step: the
     * ids are the caller's array, so nothing is allocated. Ids are checked against [0, N).
     */
    void gatherRows(Tensor table, int[] ids, int count, Tensor out);

    /** The checks of {@link #gatherRows}, naming the id and the shapes. */
    static void checkGatherRows(Tensor table, int[] ids, int count, Tensor out) {
        if (table.dim() != 2 || out.dim() != 2 || out.size(1) != table.size(1) || count < 0 || count > out.size(0) || count > ids.length) {
            throw new IllegalArgumentException("gatherRows: table " + Arrays.toString(table.shape()) + ", " + count + " of " + ids.length
                    + " ids, out " + Arrays.toString(out.shape()) + " (need table (N, D), out (>= count, D))");
        }
        for (int i = 0; i < count; i++) {
            if (ids[i] < 0 || ids[i] >= table.size(0)) {
                throw new IndexOutOfBoundsException("gatherRows: id " + ids[i] + " (at position " + i + ") is out of range for " + table.size(0) + " rows");
            }
        }
    }

    /** dst.index_add_(dim, index, src): the backward of indexSelect. dst contiguous; duplicates accumulate. */
    void indexAdd(Tensor dst, int dim, Tensor index, Tensor src);

    /**
     * Cross entropy over logits (N, C) (any strides) with integer targets (N): loss per row (N) and the
     * row log-sum-exp (N) for backward. With smoothing ε the row loss is PyTorch's
     * {@code (1-ε)·(lse - x[t]) + ε/C·Σ_c (lse - x[c])}. Rows whose target equals {@code ignoreIndex}
     * get loss 0; any other target outside [0, C) is an error.
     */
    void crossEntropy(Tensor logits, Tensor target, int ignoreIndex, double labelSmoothing, Tensor loss, Tensor lse);

    /**
     * grad of the per-row losses (N) back to the logits (N, C), written (not accumulated) into the
     * contiguous gradLogits: gradLoss[n]·(softmax - (1-ε)·onehot(t) - ε/C), zero on ignored rows.
     */
    void crossEntropyBackward(Tensor logits, Tensor target, int ignoreIndex, double labelSmoothing, Tensor lse, Tensor gradLoss, Tensor gradLogits);

    // ------------------------------------------------------------------ shared helpers

    /** The indices of a 1-D I32/I64 tensor (any stride) as longs, each checked against [0, size). */
    static long[] checkedIndices(Tensor index, int size, String what) {
        long[] idx = readIndices(index, what);
        for (int i = 0; i < idx.length; i++) {
            if (idx[i] < 0 || idx[i] >= size) {
                throw new IndexOutOfBoundsException(what + ": index " + idx[i] + " (at position " + i + ") is out of range for size " + size);
            }
        }
        return idx;
    }

    /** The values of a 1-D I32/I64 tensor (any stride), unchecked. */
    static long[] readIndices(Tensor index, String what) {
        if (index.dtype() != DType.I32 && index.dtype() != DType.I64) {
            throw new IllegalArgumentException(what + ": indices must be I32 or I64, got " + index.dtype());
        }
        if (index.dim() != 1) throw new IllegalArgumentException(what + ": indices must be 1-D, got shape " + Arrays.toString(index.shape()));
        int n = index.size(0);
        long stride = index.stride(0), base = index.offset();
        var seg = index.segment();
        long[] out = new long[n];
        boolean i32 = index.dtype() == DType.I32;
        for (int i = 0; i < n; i++) {
            long e = (base + i * stride);
            out[i] = i32 ? seg.get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, e * 4)
                    : seg.get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, e * 8);
        }
        return out;
    }

    /** Targets of a cross entropy, checked: each in [0, classes) or equal to ignoreIndex. */
    static long[] checkedTargets(Tensor target, int classes, int ignoreIndex) {
        long[] t = readIndices(target, "cross entropy");
        for (int i = 0; i < t.length; i++) {
            if (t[i] != ignoreIndex && (t[i] < 0 || t[i] >= classes)) {
                throw new IndexOutOfBoundsException("cross entropy: target " + t[i] + " (row " + i + ") is out of range for "
                        + classes + " classes (ignore index " + ignoreIndex + ")");
            }
        }
        return t;
    }
}
