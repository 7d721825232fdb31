package org.vfmtok.tensor.backend;

import org.vfmtok.tensor.Tensor;

/** Gathers and scatters by integer index (I32 or I64). src any strides, out contiguous. */
public interface IndexKernels {
    /** out = src.index_select(dim, index). Embedding lookup is dim 0 of the table. */
    void indexSelect(Tensor src, int dim, Tensor index, Tensor out);

    /** dst.index_add_(dim, index, src): the backward of indexSelect. dst contiguous. */
    void indexAdd(Tensor dst, int dim, Tensor index, Tensor src);

    /**
     * Cross entropy over logits (N, C) with integer targets (N): loss per row (N) and the row
     * log-sum-exp (N) for backward. Rows whose target equals {@code ignoreIndex} get loss 0.
     */
    void crossEntropy(Tensor logits, Tensor target, int ignoreIndex, double labelSmoothing, Tensor loss, Tensor lse);

    /** grad of the per-row losses (N) back to the logits (N, C). */
    void crossEntropyBackward(Tensor logits, Tensor target, int ignoreIndex, double labelSmoothing, Tensor lse, Tensor gradLoss, Tensor gradLogits);
}
