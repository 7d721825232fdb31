package org.vfmtok.tensor.ops;

import java.util.Arrays;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;

/**
 * The core of multi-scale deformable attention (Deformable-DETR's {@code ms_deform_attn_core}) with
 * autograd: samples value maps at {@code loc} and sums them with {@code weights}. See
 * {@link org.vfmtok.tensor.backend.DeformableKernels} for the layouts.
 */
public final class DeformableAttention {
    private DeformableAttention() {}

    /**
     * @param value   (N, S, M, D)
     * @param shapes  (H_l, W_l) per level, Σ H_l·W_l = S
     * @param loc     (N, Lq, M, L, P, 2), (x, y) in [0, 1]
     * @param weights (N, Lq, M, L, P)
     * @return (N, Lq, M·D)
     */
    public static Tensor msDeformAttn(Tensor value, int[][] shapes, Tensor loc, Tensor weights) {
        if (value.dim() != 4 || loc.dim() != 6 || weights.dim() != 5 || loc.size(5) != 2) {
            throw new IllegalArgumentException("msDeformAttn expects value (N,S,M,D), loc (N,Lq,M,L,P,2), weights (N,Lq,M,L,P); got "
                    + Arrays.toString(value.shape()) + ", " + Arrays.toString(loc.shape()) + ", " + Arrays.toString(weights.shape()));
        }
        Pointwise.checkDevices("msDeformAttn", value, loc, weights);
        int n = value.size(0), s = value.size(1), m = value.size(2), d = value.size(3);
        int lq = loc.size(1), levels = loc.size(3), points = loc.size(4);
        int[] start = new int[levels];
        int total = 0;
        if (shapes.length != levels) throw new IllegalArgumentException(shapes.length + " level shapes for " + levels + " levels in loc");
        for (int l = 0; l < levels; l++) {
            start[l] = total;
            total += shapes[l][0] * shapes[l][1];
        }
        if (total != s) throw new IllegalArgumentException("level shapes cover " + total + " positions but value has " + s);
        if (loc.size(0) != n || loc.size(2) != m || !Arrays.equals(weights.shape(), Arrays.copyOf(loc.shape(), 5))) {
            throw new IllegalArgumentException("msDeformAttn: inconsistent shapes value " + Arrays.toString(value.shape())
                    + ", loc " + Arrays.toString(loc.shape()) + ", weights " + Arrays.toString(weights.shape()));
        }
        Tensor v = value.contiguous(), l = loc.contiguous(), w = weights.contiguous();
        Tensor out = Tensor.empty(value.dtype(), value.device(), n, lq, m * d);
        value.backend().deformable().forward(v, shapes, start, l, w, out);
        return Grad.track(out, "MSDeformAttn", new Tensor[] {value, loc, weights}, g -> {
            Tensor gv = value.requiresGrad() ? Tensor.emptyLike(v) : null;
            Tensor gl = loc.requiresGrad() ? Tensor.emptyLike(l) : null;
            Tensor gw = weights.requiresGrad() ? Tensor.emptyLike(w) : null;
            value.backend().deformable().backward(v, shapes, start, l, w, g.contiguous(), gv, gl, gw);
            return new Tensor[] {gv, gl, gw};
        });
    }
}
