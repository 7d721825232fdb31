package org.vfmtok.nn.layers;

import java.util.random.RandomGenerator;
import org.vfmtok.nn.UnaryModule;
import org.vfmtok.nn.init.Initializers;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.Indexing;

/** nn.Embedding: a (num, dim) table, N(0, 1) by default; forward gathers rows by integer index. */
public final class Embedding extends UnaryModule {
    public final Tensor weight;

    public Embedding(int num, int dim, RandomGenerator rng) {
        this.weight = parameter("weight", Tensor.empty(DType.F32, num, dim));
        Initializers.normal(weight, rng, 0, 1);
    }

    @Override public Tensor forward(Tensor indices) { return Indexing.embedding(weight, indices); }

    public int num() { return weight.size(0); }
}
