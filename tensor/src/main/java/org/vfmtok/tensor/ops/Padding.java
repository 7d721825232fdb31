package org.vfmtok.tensor.ops;

import java.util.Arrays;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;

/**
 * {@code torch.nn.functional.pad} for the modes the models use, with autograd. Padding is applied one
 * dim at a time (each step is its own differentiable op), which gives the same result as padding all
 * dims at once for every mode here, corners included.
 */
public final class Padding {
    public enum Mode {
        /** A constant value (zeros by default). */
        CONSTANT,
        /** Wrap around: x[-1] precedes x[0] (PyTorch's 'circular'; pads may not exceed the size). */
        CIRCULAR,
        /** Mirror without repeating the edge: x[1] precedes x[0] (pads must be smaller than the size). */
        REFLECT,
        /** Repeat the edge value. */
        REPLICATE
    }

    private Padding() {}

    /** Constant zero padding. */
    public static Tensor pad(Tensor x, int... pads) { return pad(x, pads, Mode.CONSTANT, 0.0); }

    public static Tensor pad(Tensor x, int[] pads, Mode mode) { return pad(x, pads, mode, 0.0); }

    /**
     * Pads the trailing dims of {@code x}. {@code pads} is in PyTorch order: (left, right) of the last
     * dim, then (top, bottom) of the one before, and so on; all entries non-negative. {@code value} is
     * used by {@link Mode#CONSTANT} only.
     */
    public static Tensor pad(Tensor x, int[] pads, Mode mode, double value) {
        if (pads.length % 2 != 0 || pads.length / 2 > x.dim()) {
            throw new IllegalArgumentException("pad: " + pads.length + " pad values for a tensor of rank " + x.dim()
                    + " (need an even count, two per padded trailing dim)");
        }
        Tensor y = x;
        for (int i = 0; i < pads.length / 2; i++) {
            int d = x.dim() - 1 - i;
            y = padDim(y, d, pads[2 * i], pads[2 * i + 1], mode, value, pads);
        }
        return y;
    }

    /** Pads one dim by {@code left} and {@code right} elements. */
    private static Tensor padDim(Tensor x, int d, int left, int right, Mode mode, double value, int[] allPads) {
        int n = x.size(d);
        String what = "pad " + Arrays.toString(allPads) + " (" + mode + ") of a tensor of shape " + Arrays.toString(x.shape());
        if (left < 0 || right < 0) throw new IllegalArgumentException(what + ": negative padding is not supported");
        if (left == 0 && right == 0) return x;
        switch (mode) {
            case CIRCULAR -> { if (left > n || right > n) throw new IllegalArgumentException(what + ": circular padding of dim " + d + " larger than its size " + n); }
            case REFLECT -> { if (left >= n || right >= n) throw new IllegalArgumentException(what + ": reflect padding of dim " + d + " must be smaller than its size " + n); }
            case REPLICATE -> { if (n == 0) throw new IllegalArgumentException(what + ": cannot replicate an empty dim " + d); }
            case CONSTANT -> { }
        }
        int[] shape = x.shape();
        shape[d] = n + left + right;
        Tensor out = Tensor.empty(x.dtype(), x.device(), shape);
        Tensor src = x.detach();
        out.narrow(d, left, n).copyFrom(src);
        int total = n + left + right;
        for (int j = 0; j < total; j++) {
            if (j == left) j = left + n;
            if (j >= total) break;
            int s = source(j - left, n, mode);
            if (s < 0) out.narrow(d, j, 1).fill(value);
            else out.narrow(d, j, 1).copyFrom(src.narrow(d, s, 1));
        }
        int[] inShape = x.shape();
        return Grad.track(out, "Pad", x, g -> {
            Tensor gg = g.detach();
            Tensor gx = Tensor.empty(g.dtype(), g.device(), inShape);
            gx.copyFrom(gg.narrow(d, left, n));
            for (int j = 0; j < total; j++) {
                if (j == left) j = left + n;
                if (j >= total) break;
                int s = source(j - left, n, mode);
                if (s >= 0) Pointwise.addInPlace(gx.narrow(d, s, 1), gg.narrow(d, j, 1));
            }
            return new Tensor[] {gx};
        });
    }

    /** The input index that output position {@code i} (relative to the unpadded start) copies, or -1 for the constant. */
    private static int source(int i, int n, Mode mode) {
        return switch (mode) {
            case CONSTANT -> -1;
            case CIRCULAR -> Math.floorMod(i, n);
            case REFLECT -> i < 0 ? -i : 2 * (n - 1) - i;
            case REPLICATE -> Math.max(0, Math.min(n - 1, i));
        };
    }
}
