package org.vfmtok.nn.layers;

import java.util.random.RandomGenerator;
import org.vfmtok.nn.UnaryModule;
import org.vfmtok.nn.WeightStorage;
import org.vfmtok.nn.init.Initializers;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.MatMul;

/**
 * y = x·Wᵀ + b ({@code nn.Linear}): weight (out, in), bias (out). Default init as PyTorch's. The weight is stored as
 * {@link WeightStorage#building()} chooses (F32, or BF16 for an inference model built under {@link WeightStorage#build}).
 */
public final class Linear extends UnaryModule {
    public final int inFeatures;
    public final int outFeatures;
    public final Tensor weight;
    public final Tensor bias;

    public Linear(int inFeatures, int outFeatures, boolean bias, RandomGenerator rng) {
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        Tensor b = bias ? Tensor.empty(DType.F32, outFeatures) : null;
        Tensor w = StoredWeights.initialised(new int[] {outFeatures, inFeatures}, f -> Initializers.linearDefault(f, b, rng));
        this.weight = StoredWeights.freezeIfRounded(parameter("weight", w));
        this.bias = b == null ? null : parameter("bias", b);
    }

    @Override public Tensor forward(Tensor x) { return MatMul.linear(x, weight, bias); }
}
