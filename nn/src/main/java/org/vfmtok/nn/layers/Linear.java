package org.vfmtok.nn.layers;

import java.util.random.RandomGenerator;
import org.vfmtok.nn.UnaryModule;
import org.vfmtok.nn.init.Initializers;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.MatMul;

/** y = x·Wᵀ + b ({@code nn.Linear}): weight (out, in), bias (out). Default init as PyTorch's. */
public final class Linear extends UnaryModule {
    public final int inFeatures;
    public final int outFeatures;
    public final Tensor weight;
    public final Tensor bias;

    public Linear(int inFeatures, int outFeatures, boolean bias, RandomGenerator rng) {
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weight = parameter("weight", Tensor.empty(DType.F32, outFeatures, inFeatures));
        this.bias = bias ? parameter("bias", Tensor.empty(DType.F32, outFeatures)) : null;
        Initializers.linearDefault(weight, this.bias, rng);
    }

    @Override public Tensor forward(Tensor x) { return MatMul.linear(x, weight, bias); }
}
