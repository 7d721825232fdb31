package org.vfmtok.nn.layers;

import java.util.random.RandomGenerator;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.Conv;

/** nn.Conv1d (zero or circular padding); PyTorch's default initialisation. */
public final class Conv1d extends ConvNd {
    public Conv1d(int in, int out, int kernel, int stride, int padding, int dilation, int groups, boolean bias,
                  Conv.PaddingMode mode, RandomGenerator rng) {
        super(1, in, out, kernel, stride, padding, dilation, groups, bias, mode, rng, WeightKey.PLAIN);
    }

    @Override public Tensor forward(Tensor x) { return Conv.conv1d(x, weight, bias, stride, padding, dilation, groups, mode); }
}
