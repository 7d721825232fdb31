package org.vfmtok.tensor.scalar;

import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.AttentionKernels;

/** Reference Attention kernels. */
public final class ScalarAttention implements AttentionKernels {
    @Override
    public void attention(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, double scale, Tensor out, Tensor lse) {
        throw new UnsupportedOperationException("attention.attention is not implemented yet");
    }

    @Override
    public void attentionBackward(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, double scale, Tensor out, Tensor lse, Tensor gradOut, Tensor gq, Tensor gk, Tensor gv) {
        throw new UnsupportedOperationException("attention.attentionBackward is not implemented yet");
    }
}
