package org.vfmtok.tensor.backend;

import org.vfmtok.tensor.Tensor;

/**
 * Scaled dot-product attention without materialising the full Lq x Lk matrix (tiles with an online
 * softmax). q (B, H, Lq, D), k (B, H, Lk, D), v (B, H, Lk, Dv) with any strides in the last dims;
 * out (B, H, Lq, Dv) contiguous; lse (B, H, Lq) F32 receives the row log-sum-exp for backward
 * (nullable in inference). {@code mask} (BOOL, broadcastable to (B, H, Lq, Lk), true = attend) is
 * nullable; {@code causal} masks key j > query i (+ Lk - Lq, PyTorch's top-left aligned when Lq == Lk).
 */
public interface AttentionKernels {
    void attention(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, double scale, Tensor out, Tensor lse);

    void attentionBackward(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, double scale,
                           Tensor out, Tensor lse, Tensor gradOut, Tensor gq, Tensor gk, Tensor gv);
}
