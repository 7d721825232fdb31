package org.vfmtok.nn.layers;

import java.util.random.RandomGenerator;
import org.vfmtok.nn.Module;
import org.vfmtok.nn.init.Initializers;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.Conv;

/** nn.Conv1d (zero or circular padding); PyTorch's default initialisation. */
public final class Conv1d extends Module {
    public final Tensor weight;
    public final Tensor bias;
    private final int stride;
    private final int padding;
    private final int dilation;
    private final int groups;
    private final Conv.PaddingMode mode;

    public Conv1d(int in, int out, int kernel, int stride, int padding, int dilation, int groups, boolean bias,
                  Conv.PaddingMode mode, RandomGenerator rng) {
        if (in % groups != 0 || out % groups != 0) throw new IllegalArgumentException("channels " + in + "->" + out + " not divisible by groups " + groups);
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.groups = groups;
        this.mode = mode;
        this.weight = parameter("weight", Tensor.empty(DType.F32, out, in / groups, kernel));
        this.bias = bias ? parameter("bias", Tensor.empty(DType.F32, out)) : null;
        Initializers.linearDefault(weight, this.bias, rng);
    }

    public Tensor forward(Tensor x) { return Conv.conv1d(x, weight, bias, stride, padding, dilation, groups, mode); }
}
