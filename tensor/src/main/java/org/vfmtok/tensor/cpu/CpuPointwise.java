package org.vfmtok.tensor.cpu;

import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.PointwiseKernels;

/** Vector API elementwise kernels (F32); other dtypes go to the reference. */
public final class CpuPointwise implements PointwiseKernels {
    private final PointwiseKernels reference;

    public CpuPointwise(PointwiseKernels reference) {
        this.reference = reference;
    }

    @Override
    public void unary(UnaryOp op, Tensor x, Tensor out, double a, double b) {
        reference.unary(op, x, out, a, b);
    }

    @Override
    public void unaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor gradOut, Tensor gradIn, double a, double b) {
        reference.unaryBackward(op, x, y, gradOut, gradIn, a, b);
    }

    @Override
    public void binary(BinaryOp op, Tensor x, Tensor y, Tensor out) {
        reference.binary(op, x, y, out);
    }

    @Override
    public void where(Tensor cond, Tensor x, Tensor y, Tensor out) {
        reference.where(cond, x, y, out);
    }
}
