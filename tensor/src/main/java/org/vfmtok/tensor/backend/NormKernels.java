package org.vfmtok.tensor.backend;

import org.vfmtok.tensor.Tensor;

/**
 * Normalisations. All tensors contiguous. Row-wise norms see x as (rows, cols) with cols the product of
 * the normalised trailing dims; {@code mean}/{@code rstd} are per row (F32) and saved for backward.
 */
public interface NormKernels {
    /** out = (x - mean)·rstd·w + b; w, b nullable (then 1 and 0). */
    void layerNorm(Tensor x, Tensor w, Tensor b, double eps, Tensor out, Tensor mean, Tensor rstd);

    /** gw, gb nullable (not wanted). */
    void layerNormBackward(Tensor gradOut, Tensor x, Tensor w, Tensor mean, Tensor rstd, Tensor gx, Tensor gw, Tensor gb);

    /** out = x·rstd·w with rstd = 1/sqrt(mean(x²)+eps); w nullable. */
    void rmsNorm(Tensor x, Tensor w, double eps, Tensor out, Tensor rstd);

    void rmsNormBackward(Tensor gradOut, Tensor x, Tensor w, Tensor rstd, Tensor gx, Tensor gw);

    /** x (N, C, *), groups dividing C; mean/rstd (N, groups); w, b (C) nullable. */
    void groupNorm(Tensor x, int groups, Tensor w, Tensor b, double eps, Tensor out, Tensor mean, Tensor rstd);

    void groupNormBackward(Tensor gradOut, Tensor x, int groups, Tensor w, Tensor mean, Tensor rstd, Tensor gx, Tensor gw, Tensor gb);
}
