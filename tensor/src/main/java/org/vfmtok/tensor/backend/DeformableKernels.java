package org.vfmtok.tensor.backend;

import org.vfmtok.tensor.Tensor;

/**
 * Multi-scale deformable attention (Deformable-DETR's {@code MSDeformAttnFunction}): bilinear sampling of
 * per-level value maps at learned locations, weighted by attention weights.
 *
 * <ul>
 *   <li>value (N, S, M, D), S = Σ H_l·W_l, levels stored row-major one after the other</li>
 *   <li>shapes: (H_l, W_l) per level; levelStart[l] = first row of level l in S</li>
 *   <li>loc (N, Lq, M, L, P, 2) as (x, y) in [0, 1] (align_corners=False: pixel x̃ = x·W − 0.5)</li>
 *   <li>weights (N, Lq, M, L, P); out (N, Lq, M·D)</li>
 * </ul>
 * Corners outside the map contribute zero (zero padding). All tensors contiguous.
 */
public interface DeformableKernels {
    void forward(Tensor value, int[][] shapes, int[] levelStart, Tensor loc, Tensor weights, Tensor out);

    /** Gradients are written (not accumulated); any of gValue, gLoc, gWeights may be null. */
    void backward(Tensor value, int[][] shapes, int[] levelStart, Tensor loc, Tensor weights, Tensor gradOut,
                  Tensor gValue, Tensor gLoc, Tensor gWeights);
}
