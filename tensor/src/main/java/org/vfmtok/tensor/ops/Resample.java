package org.vfmtok.tensor.ops;

import java.util.Arrays;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;
import org.vfmtok.tensor.backend.ResampleKernels;
import org.vfmtok.tensor.backend.ResampleKernels.Mode;

/**
 * {@code F.interpolate} (nearest, bilinear, bicubic; align_corners; antialias) and {@code F.grid_sample}
 * (bilinear, zero padding) on (N, C, H, W) tensors with PyTorch 1.13's exact semantics and autograd.
 *
 * <p>Size versus scale factor matters: with a scale factor the output size is floor(in·factor) and the
 * coordinate map uses 1/factor itself, not in/out (the decoder's 24 → 21.1/24 resize depends on this).
 */
public final class Resample {
    private Resample() {}

    /** {@code F.interpolate(x, size=(h, w), mode, align_corners, antialias)}. */
    public static Tensor interpolate(Tensor x, int[] size, Mode mode, boolean alignCorners, boolean antialias) {
        check4d("interpolate", x);
        if (size == null || size.length != 2 || size[0] <= 0 || size[1] <= 0) {
            throw new IllegalArgumentException("interpolate: size must be two positive ints, got " + Arrays.toString(size));
        }
        return run(x, size.clone(), null, mode, alignCorners, antialias);
    }

    /**
     * {@code F.interpolate(x, scale_factor=(sh, sw), mode, align_corners, antialias)} with
     * recompute_scale_factor unset: output floor(in·s), coordinates mapped with 1/s. (For
     * recompute_scale_factor=True call the size overload with floor(in·s).)
     */
    public static Tensor interpolate(Tensor x, double[] scaleFactor, Mode mode, boolean alignCorners, boolean antialias) {
        check4d("interpolate", x);
        if (scaleFactor == null || scaleFactor.length != 2 || !(scaleFactor[0] > 0) || !(scaleFactor[1] > 0)
                || Double.isInfinite(scaleFactor[0]) || Double.isInfinite(scaleFactor[1])) {
            throw new IllegalArgumentException("interpolate: scale_factor must be two positive finite numbers, got " + Arrays.toString(scaleFactor));
        }
        int[] size = {(int) Math.floor(x.size(2) * scaleFactor[0]), (int) Math.floor(x.size(3) * scaleFactor[1])};
        if (size[0] <= 0 || size[1] <= 0) {
            throw new IllegalArgumentException("interpolate: scale_factor " + Arrays.toString(scaleFactor) + " on "
                    + Arrays.toString(x.shape()) + " gives an empty output " + Arrays.toString(size));
        }
        return run(x, size, scaleFactor.clone(), mode, alignCorners, antialias);
    }

    /** {@code F.interpolate(x, scale_factor=factor, mode='nearest')}, e.g. the VQGAN decoder's ×2. */
    public static Tensor upsampleNearest(Tensor x, double factor) {
        return interpolate(x, new double[] {factor, factor}, Mode.NEAREST, false, false);
    }

    private static Tensor run(Tensor x, int[] size, double[] scales, Mode mode, boolean alignCorners, boolean antialias) {
        if (!x.dtype().isFloating()) throw new IllegalArgumentException("interpolate: needs a floating tensor, got " + x.dtype());
        if (mode == Mode.NEAREST && alignCorners) {
            throw new IllegalArgumentException("interpolate: align_corners only applies to bilinear and bicubic, not nearest");
        }
        if (mode == Mode.NEAREST && antialias) {
            throw new IllegalArgumentException("interpolate: antialias is only supported for bilinear and bicubic, not nearest");
        }
        int[] in = x.shape();
        if (in[2] == 0 || in[3] == 0) throw new IllegalArgumentException("interpolate: empty spatial input " + Arrays.toString(in));
        return forward(x, in, size, scales, mode, alignCorners, antialias);
    }

    /** The forward map; interpolation is linear, its gradient is the kernel's exact adjoint. */
    private static Tensor forward(Tensor x, int[] in, int[] size, double[] scales, Mode mode, boolean ac, boolean aa) {
        Tensor xc = x.detach().contiguous();
        Tensor out = Tensor.empty(x.dtype(), x.device(), in[0], in[1], size[0], size[1]);
        kernels(x).interpolate(xc, out, mode, ac, scales, aa);
        return Grad.track(out, "Interpolate" + mode, x, g -> new Tensor[] {adjoint(g, in, scales, mode, ac, aa)});
    }

    private static Tensor adjoint(Tensor g, int[] in, double[] scales, Mode mode, boolean ac, boolean aa) {
        Tensor gc = g.detach().contiguous();
        Tensor gradIn = Tensor.empty(g.dtype(), g.device(), in);
        kernels(g).interpolateBackward(gc, gradIn, mode, ac, scales, aa);
        return gradIn;
    }

    /**
     * {@code F.grid_sample(x, grid, mode='bilinear', padding_mode='zeros', align_corners)}: x (N, C, H, W),
     * grid (N, Ho, Wo, 2) holding (x, y) in [-1, 1] → (N, C, Ho, Wo). Differentiable in x and grid.
     */
    public static Tensor gridSample(Tensor x, Tensor grid, boolean alignCorners) {
        check4d("gridSample", x);
        Pointwise.checkOperands("gridSample", x, grid);
        if (grid.dim() != 4 || grid.size(3) != 2 || grid.size(0) != x.size(0)) {
            throw new IllegalArgumentException("gridSample: grid must be (N, Ho, Wo, 2) with N = " + x.size(0) + ", got " + Arrays.toString(grid.shape()));
        }
        Tensor xc = x.detach().contiguous(), gc = grid.detach().contiguous();
        Tensor out = Tensor.empty(x.dtype(), x.device(), x.size(0), x.size(1), grid.size(1), grid.size(2));
        kernels(x).gridSample(xc, gc, alignCorners, out);
        return Grad.track(out, "GridSample", new Tensor[] {x, grid}, g -> {
            Tensor gx = x.requiresGrad() ? Tensor.empty(x.dtype(), x.device(), x.shape()) : null;
            Tensor gg = grid.requiresGrad() ? Tensor.empty(grid.dtype(), grid.device(), grid.shape()) : null;
            kernels(x).gridSampleBackward(g.detach().contiguous(), xc, gc, alignCorners, gx, gg);
            return new Tensor[] {gx, gg};
        });
    }

    private static ResampleKernels kernels(Tensor t) { return t.backend().resample(); }

    private static void check4d(String op, Tensor x) {
        if (x.dim() != 4) throw new IllegalArgumentException(op + ": expects (N, C, H, W), got " + Arrays.toString(x.shape()));
    }
}
