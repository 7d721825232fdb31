package org.vfmtok.tensor.backend;

import org.vfmtok.tensor.Tensor;

/**
 * Normalisations. All tensors contiguous and of one floating dtype (the saved statistics may be F32
 * when x is a half type). Row-wise norms see x as (rows, cols) with {@code rows = rstd.numel()} and
 * {@code cols = x.numel() / rows} (the product of the normalised trailing dims); {@code mean}/{@code
 * rstd} are per row and saved for backward. Weights and biases have {@code cols} elements.
 *
 * <p>Backward kernels overwrite {@code gx}, {@code gw}, {@code gb} (they do not accumulate); a null
 * output means "not wanted".
 */
public interface NormKernels {
    /** out = (x - mean)·rstd·w + b with biased variance, rstd = 1/sqrt(var + eps); w, b nullable (then 1 and 0). */
    void layerNorm(Tensor x, Tensor w, Tensor b, double eps, Tensor out, Tensor mean, Tensor rstd);

    /** gx, gw, gb nullable (not wanted). */
    void layerNormBackward(Tensor gradOut, Tensor x, Tensor w, Tensor mean, Tensor rstd, Tensor gx, Tensor gw, Tensor gb);

    /** out = x·rstd·w with rstd = 1/sqrt(mean(x²)+eps); w nullable. */
    void rmsNorm(Tensor x, Tensor w, double eps, Tensor out, Tensor rstd);

    void rmsNormBackward(Tensor gradOut, Tensor x, Tensor w, Tensor rstd, Tensor gx, Tensor gw);

    /** x (N, C, *), groups dividing C; mean/rstd (N, groups); w, b (C) nullable. */
    void groupNorm(Tensor x, int groups, Tensor w, Tensor b, double eps, Tensor out, Tensor mean, Tensor rstd);

    void groupNormBackward(Tensor gradOut, Tensor x, int groups, Tensor w, Tensor mean, Tensor rstd, Tensor gx, Tensor gw, Tensor gb);

    /**
     * out = silu(groupNorm(x)), forward only (the VQGAN decoder's norm + swish). The default runs the two
     * kernels; a backend may fuse them into one pass over the output.
     */
    default void groupNormSilu(Tensor x, int groups, Tensor w, Tensor b, double eps, Tensor out, Tensor mean, Tensor rstd) {
        groupNorm(x, groups, w, b, eps, out, mean, rstd);
        out.backend().pointwise().unary(PointwiseKernels.UnaryOp.SILU, out, out, 0, 0);
    }
}
