package org.vfmtok.tensor.backend;

import org.vfmtok.tensor.Tensor;

/**
 * Reductions. {@code x} may have any strides; {@code out} is contiguous with the keep-dim shape (the
 * reduced dims have size 1).
 */
public interface ReduceKernels {
    enum ReduceOp { SUM, MEAN, MAX, MIN, PROD }

    void reduce(ReduceOp op, Tensor x, int[] dims, Tensor out);

    /** Variance over {@code dims} with Bessel-style {@code correction} (0 population, 1 sample). */
    void variance(Tensor x, int[] dims, int correction, Tensor out);

    /** Index of the max ({@code max}) or min along {@code dim} (first on ties); {@code out} is I64, keep-dim. */
    void argReduce(boolean max, Tensor x, int dim, Tensor out);

    /** Softmax or log-softmax along {@code dim}; x any strides, out contiguous. */
    void softmax(Tensor x, int dim, boolean log, Tensor out);

    /** Gradient of softmax/log-softmax from its output {@code y}. */
    void softmaxBackward(Tensor y, Tensor gradOut, int dim, boolean log, Tensor gradIn);
}
