package org.vfmtok.nn.layers;

import java.util.random.RandomGenerator;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.Conv;

/** nn.Conv2d (square kernels, zero or circular padding); PyTorch's default initialisation. */
public final class Conv2d extends ConvNd {
    public Conv2d(int in, int out, int kernel, int stride, int padding, int dilation, int groups, boolean bias,
                  Conv.PaddingMode mode, RandomGenerator rng) {
        super(2, in, out, kernel, stride, padding, dilation, groups, bias, mode, rng, WeightKey.PLAIN);
    }

    public Conv2d(int in, int out, int kernel, int stride, int padding, RandomGenerator rng) {
        this(in, out, kernel, stride, padding, 1, 1, true, Conv.PaddingMode.ZEROS, rng);
    }

    @Override public Tensor forward(Tensor x) {
        return Conv.conv2d(x, weight, bias, new int[] {stride, stride}, new int[] {padding, padding},
                new int[] {dilation, dilation}, groups, mode);
    }
}
