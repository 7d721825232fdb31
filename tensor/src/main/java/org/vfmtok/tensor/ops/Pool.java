package org.vfmtok.tensor.ops;

import java.util.Arrays;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;
import org.vfmtok.tensor.backend.PoolKernels.Mode;
import org.vfmtok.tensor.backend.PoolKernels.PoolSpec;

/**
 * {@code F.max_pool2d} and {@code F.avg_pool2d} on (N, C, H, W) tensors (square kernel, stride and padding;
 * ceil_mode false, dilation 1) with PyTorch's semantics. Forward only: an input that needs a gradient is refused
 * (no layer that trains uses pooling yet).
 */
public final class Pool {
    private Pool() {}

    /** {@code F.max_pool2d(x, kernel, stride, padding)}. */
    public static Tensor maxPool2d(Tensor x, int kernel, int stride, int padding) {
        return run("maxPool2d", x, Mode.MAX, new PoolSpec(kernel, kernel, stride, stride, padding, padding, true));
    }

    /** {@code F.avg_pool2d(x, kernel, stride, padding, count_include_pad=countIncludePad)}. */
    public static Tensor avgPool2d(Tensor x, int kernel, int stride, int padding, boolean countIncludePad) {
        return run("avgPool2d", x, Mode.AVG, new PoolSpec(kernel, kernel, stride, stride, padding, padding, countIncludePad));
    }

    private static Tensor run(String op, Tensor x, Mode mode, PoolSpec spec) {
        if (x.dim() != 4) throw new IllegalArgumentException(op + ": expects (N, C, H, W), got " + Arrays.toString(x.shape()));
        if (!x.dtype().isFloating()) throw new IllegalArgumentException(op + ": needs a floating tensor, got " + x.dtype());
        if (Grad.needed(x)) throw new UnsupportedOperationException(op + " has no gradient (forward only); call it under Grad.noGrad()");
        Tensor out = Tensor.empty(x.dtype(), x.device(), spec.outShape(x.shape()));
        x.backend().pool().pool2d(x.contiguous(), out, mode, spec);
        return out;
    }
}
