package org.vfmtok.tensor.backend;

import java.util.Arrays;
import org.vfmtok.tensor.Tensor;

/**
 * 2-d pooling with PyTorch's semantics ({@code F.max_pool2d}, {@code F.avg_pool2d}; ceil_mode false,
 * dilation 1). x (N, C, H, W), out (N, C, Ho, Wo); the op layer passes contiguous tensors, the scalar oracle
 * accepts any strides. Forward only (inference): the FID Inception network is the user.
 *
 * <ul>
 *   <li>MAX: the largest in-bounds element of each window (padding never wins; a NaN in the window wins, as in
 *       torch).</li>
 *   <li>AVG: the window's in-bounds sum divided by the window size clipped to the padded input
 *       ({@code countIncludePad}) or to the input itself ({@code count_include_pad=False}, TensorFlow's
 *       average pooling, which the FID Inception's blocks A, C and E_1 need).</li>
 * </ul>
 */
public interface PoolKernels {
    enum Mode { MAX, AVG }

    /** Kernel, stride and zero padding per axis (height, width), and AVG's divisor rule (ignored by MAX). */
    record PoolSpec(int kh, int kw, int sh, int sw, int ph, int pw, boolean countIncludePad) {
        public PoolSpec {
            if (kh < 1 || kw < 1 || sh < 1 || sw < 1 || ph < 0 || pw < 0) {
                throw new IllegalArgumentException("pool2d: kernel and stride must be positive and padding non-negative, got " + this);
            }
            if (2 * ph > kh || 2 * pw > kw) {
                throw new IllegalArgumentException("pool2d: padding should be at most half the kernel (torch's rule), got " + this);
            }
        }

        /** Output size along one axis: floor((in + 2p - k) / s) + 1, or 0 when the padded input is smaller than k. */
        public static int outSize(int in, int k, int s, int p) {
            int span = in + 2 * p - k;
            return span < 0 ? 0 : span / s + 1;
        }

        /** The output shape for input (N, C, H, W), with a one-line error when it would be empty. */
        public int[] outShape(int[] xShape) {
            int oh = outSize(xShape[2], kh, sh, ph), ow = outSize(xShape[3], kw, sw, pw);
            if (oh < 1 || ow < 1) {
                throw new IllegalArgumentException("pool2d of input " + Arrays.toString(xShape) + " (" + this + "): the padded input is smaller than the kernel");
            }
            return new int[] {xShape[0], xShape[1], oh, ow};
        }

        @Override
        public String toString() {
            return "kernel " + kh + "x" + kw + ", stride " + sh + "x" + sw + ", padding " + ph + "x" + pw
                    + (countIncludePad ? "" : ", count_include_pad=False");
        }
    }

    void pool2d(Tensor x, Tensor out, Mode mode, PoolSpec spec);
}
