package org.vfmtok.tensor.backend;

import org.vfmtok.tensor.Tensor;

/**
 * Matrix products. {@code a} is (..., M, K), {@code b} is (..., K, N), {@code c} is (..., M, N) and
 * contiguous; all three have the same batch dims (the op layer expands broadcast batches with stride 0).
 * The last two dims of {@code a} and {@code b} may have any strides, so a transposed operand is just a
 * transposed view. F32 accumulation; BF16/F16 operands are widened on load.
 */
public interface GemmKernels {
    /** c = alpha·a·b + beta·c. */
    void gemm(Tensor a, Tensor b, Tensor c, float alpha, float beta);

    /**
     * c = a·b + bias, with {@code bias} (N) added to every row (nn.Linear). The default is the GEMM then
     * an in-place broadcast add; a backend may fold the add into the GEMM's output pass.
     */
    default void gemmBias(Tensor a, Tensor b, Tensor c, Tensor bias) {
        gemm(a, b, c, 1f, 0f);
        c.backend().pointwise().binary(PointwiseKernels.BinaryOp.ADD, c, bias.expand(c.shape()), c);
    }
}
