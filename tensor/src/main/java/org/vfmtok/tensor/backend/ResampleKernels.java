package org.vfmtok.tensor.backend;

import org.vfmtok.tensor.Tensor;

/**
 * Resampling with PyTorch's (1.13) exact semantics. x (N, C, H, W), out (N, C, Ho, Wo); the op layer
 * passes contiguous tensors, the scalar oracle accepts any strides.
 *
 * <p>{@code scales} is null for size-based coordinate maps (in/out), or the user's scale factors (h, w),
 * which PyTorch then uses in the coordinate map as 1/scale (a non-positive entry means "not given" for
 * that axis). The output size is always the shape of {@code out}.
 *
 * <ul>
 *   <li>NEAREST: src = min(floor(dst·s), in−1) computed in float, s = 1/scale or in/out (torch's NCHW
 *       kernel; its channels-last kernel, also taken by C = 1 tensors, special-cases out == in and
 *       out == 2·in, which differs for odd scale factors). alignCorners must be false.</li>
 *   <li>BILINEAR / BICUBIC (antialias false): src = s·dst (alignCorners, s = (in−1)/(out−1)) or
 *       s·(dst+0.5)−0.5 (clamped at 0 for bilinear only); bilinear copies when out == in; cubic uses
 *       a = −0.75 with taps clamped to [0, in−1].</li>
 *   <li>antialias true: PIL-style separable kernels (triangle, or cubic a = −0.5), support scaled by the
 *       downscale factor, weights normalised to sum 1.</li>
 * </ul>
 */
public interface ResampleKernels {
    enum Mode { NEAREST, BILINEAR, BICUBIC }

    void interpolate(Tensor x, Tensor out, Mode mode, boolean alignCorners, double[] scales, boolean antialias);

    /**
     * Exact adjoint of {@link #interpolate}: overwrites gradIn (N, C, H, W) from gradOut (N, C, Ho, Wo).
     * (Torch 1.13's own backward is not the adjoint of its forward for nearest with odd factors and for
     * bicubic with out == in; those are torch bugs and not reproduced.)
     */
    void interpolateBackward(Tensor gradOut, Tensor gradIn, Mode mode, boolean alignCorners, double[] scales, boolean antialias);

    /** Bilinear sampling, zero padding. grid (N, Ho, Wo, 2) as (x, y) in [-1, 1]; out (N, C, Ho, Wo). */
    void gridSample(Tensor x, Tensor grid, boolean alignCorners, Tensor out);

    /** Overwrites gx (like x) and gGrid (like grid); either may be null (not wanted). */
    void gridSampleBackward(Tensor gradOut, Tensor x, Tensor grid, boolean alignCorners, Tensor gx, Tensor gGrid);
}
