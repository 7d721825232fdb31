package org.vfmtok.llama;

import org.vfmtok.nn.Module;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;

/**
 * A module holding one {@code weight} (rows, cols) and nothing else: a bias-free {@code nn.Linear} (out, in)
 * or an {@code nn.Embedding} table (num, dim). Unlike the nn layers it leaves the weight uninitialised, so
 * that building a model to load a checkpoint into costs no random draws; {@link GPT} initialises it.
 */
final class Weight extends Module {
    final Tensor weight;

    Weight(int rows, int cols) {
        this(rows, cols, DType.F32);
    }

    /** A weight stored as {@code dtype} (F32, or BF16 for the matrices of an inference model). */
    Weight(int rows, int cols, DType dtype) {
        this.weight = parameter("weight", Tensor.empty(dtype, rows, cols));
    }

    int rows() { return weight.size(0); }

    int cols() { return weight.size(1); }
}
