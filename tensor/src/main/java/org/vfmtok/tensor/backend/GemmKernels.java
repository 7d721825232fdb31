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

    /** A workspace for {@link #linearRows}: one per calling thread, made once. */
    Workspace linearWorkspace();

    /**
     * {@code out (M, N) = x (M, K) · w (N, K)ᵀ}, or {@code out += x·wᵀ} when {@code accumulate}: a linear layer's
     * weight in its PyTorch layout against a few rows (a decode step), written into the caller's buffer. With the
     * workspace of this backend, F32 x and out and an F32 or BF16 w (the weight's storage type: BF16 halves the bytes
     * a decode step streams; F32 accumulation either way), last dims contiguous, the call allocates nothing; other
     * layouts and dtypes work too (through {@link #gemm}).
     */
    void linearRows(Tensor x, Tensor w, Tensor out, boolean accumulate, Workspace workspace);

    /** The shape check of {@link #linearRows}, naming the shapes. */
    static void checkLinearRows(Tensor x, Tensor w, Tensor out) {
        if (x.dim() != 2 || w.dim() != 2 || out.dim() != 2 || x.size(1) != w.size(1) || out.size(0) != x.size(0) || out.size(1) != w.size(0)) {
            throw new IllegalArgumentException("linearRows: x " + java.util.Arrays.toString(x.shape()) + " · w " + java.util.Arrays.toString(w.shape())
                    + "ᵀ -> out " + java.util.Arrays.toString(out.shape()) + " (need x (M, K), w (N, K), out (M, N))");
        }
    }
}
