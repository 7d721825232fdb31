package org.vfmtok.tensor.cpu;

import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.AttentionKernels;

/** Vector API Attention kernels. */
public final class CpuAttention implements AttentionKernels {
    private final AttentionKernels reference;

    public CpuAttention(AttentionKernels reference) {
        this.reference = reference;
    }

    @Override
    public void attention(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, double scale, Tensor out, Tensor lse) {
        reference.attention(q, k, v, mask, causal, scale, out, lse);
    }

    @Override
    public void attentionBackward(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, double scale, Tensor out, Tensor lse, Tensor gradOut, Tensor gq, Tensor gk, Tensor gv) {
        reference.attentionBackward(q, k, v, mask, causal, scale, out, lse, gradOut, gq, gk, gv);
    }
}
