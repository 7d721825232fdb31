package org.vfmtok.tensor.cpu;

import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.IndexKernels;

/** Vector API Index kernels. */
public final class CpuIndex implements IndexKernels {
    private final IndexKernels reference;

    public CpuIndex(IndexKernels reference) {
        this.reference = reference;
    }

    @Override
    public void indexSelect(Tensor src, int dim, Tensor index, Tensor out) {
        reference.indexSelect(src, dim, index, out);
    }

    @Override
    public void indexAdd(Tensor dst, int dim, Tensor index, Tensor src) {
        reference.indexAdd(dst, dim, index, src);
    }

    @Override
    public void crossEntropy(Tensor logits, Tensor target, int ignoreIndex, double labelSmoothing, Tensor loss, Tensor lse) {
        reference.crossEntropy(logits, target, ignoreIndex, labelSmoothing, loss, lse);
    }

    @Override
    public void crossEntropyBackward(Tensor logits, Tensor target, int ignoreIndex, double labelSmoothing, Tensor lse, Tensor gradLoss, Tensor gradLogits) {
        reference.crossEntropyBackward(logits, target, ignoreIndex, labelSmoothing, lse, gradLoss, gradLogits);
    }
}
