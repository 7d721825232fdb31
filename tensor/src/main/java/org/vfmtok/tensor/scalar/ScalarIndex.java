package org.vfmtok.tensor.scalar;

import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.IndexKernels;

/** Reference Index kernels. */
public final class ScalarIndex implements IndexKernels {
    @Override
    public void indexSelect(Tensor src, int dim, Tensor index, Tensor out) {
        throw new UnsupportedOperationException("index.indexSelect is not implemented yet");
    }

    @Override
    public void indexAdd(Tensor dst, int dim, Tensor index, Tensor src) {
        throw new UnsupportedOperationException("index.indexAdd is not implemented yet");
    }

    @Override
    public void crossEntropy(Tensor logits, Tensor target, int ignoreIndex, double labelSmoothing, Tensor loss, Tensor lse) {
        throw new UnsupportedOperationException("index.crossEntropy is not implemented yet");
    }

    @Override
    public void crossEntropyBackward(Tensor logits, Tensor target, int ignoreIndex, double labelSmoothing, Tensor lse, Tensor gradLoss, Tensor gradLogits) {
        throw new UnsupportedOperationException("index.crossEntropyBackward is not implemented yet");
    }
}
