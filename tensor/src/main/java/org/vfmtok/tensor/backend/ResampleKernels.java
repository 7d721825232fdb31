package org.vfmtok.tensor.backend;

import org.vfmtok.tensor.Tensor;

/**
 * Resampling with PyTorch's exact semantics. x (N, C, H, W) contiguous, out (N, C, Ho, Wo).
 * {@code scales} is null for size-based coordinate maps (in/out), or the user's scale factors
 * (h, w), which PyTorch then uses in the coordinate map (1/scale).
 */
public interface ResampleKernels {
    enum Mode { NEAREST, BILINEAR, BICUBIC }

    void interpolate(Tensor x, Tensor out, Mode mode, boolean alignCorners, double[] scales, boolean antialias);

    void interpolateBackward(Tensor gradOut, Tensor gradIn, Mode mode, boolean alignCorners, double[] scales, boolean antialias);

    /** Bilinear sampling, zero padding. grid (N, Ho, Wo, 2) as (x, y) in [-1, 1]. */
    void gridSample(Tensor x, Tensor grid, boolean alignCorners, Tensor out);

    /** gx, gGrid nullable (not wanted). */
    void gridSampleBackward(Tensor gradOut, Tensor x, Tensor grid, boolean alignCorners, Tensor gx, Tensor gGrid);
}
