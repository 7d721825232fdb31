package org.vfmtok.tensor.cuda;

import java.util.Arrays;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.PointwiseKernels;

/** Elementwise kernels (elementwise.cu) over merged strided operands; every dtype, float or double compute. */
final class CudaPointwise implements PointwiseKernels {
    private final CudaBackend be;

    CudaPointwise(CudaBackend be) { this.be = be; }

    @Override
    public void unary(UnaryOp op, Tensor x, Tensor out, double a, double b) {
        be.check(op.name(), x, out);
        sameShape(out, x);
        Layouts.Merged m = Layouts.merge(out.shape(), x.strides(), out.strides());
        long n = m.numel();
        if (n == 0) return;
        try (Launch l = be.dev.launch(CudaBackend.doublePath(x, out) ? Kernels.UNARY_D : Kernels.UNARY_F)) {
            l.shape(m.sizes()).strided(x.offset(), m.strides()[0]).strided(out.offset(), m.strides()[1])
                    .ptr(CudaBackend.base(x)).ptr(CudaBackend.base(out)).i32(x.dtype().ordinal()).i32(out.dtype().ordinal())
                    .i32(op.ordinal()).f64(a).f64(b).i64(n).launch(be.dev.gridFor(n), CudaDevice.THREADS, 0);
        }
    }

    @Override
    public void unaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor gradOut, Tensor gradIn, double a, double b) {
        be.check(op.name() + " backward", x, y, gradOut, gradIn);
        sameShape(gradIn, x, y, gradOut);
        sameDType(op.name() + " backward", x, y, gradOut, gradIn);
        Layouts.Merged m = Layouts.merge(gradIn.shape(), x.strides(), y.strides(), gradOut.strides(), gradIn.strides());
        long n = m.numel();
        if (n == 0) return;
        try (Launch l = be.dev.launch(CudaBackend.doublePath(x) ? Kernels.UNARY_BACKWARD_D : Kernels.UNARY_BACKWARD_F)) {
            l.shape(m.sizes()).strided(x.offset(), m.strides()[0]).strided(y.offset(), m.strides()[1])
                    .strided(gradOut.offset(), m.strides()[2]).strided(gradIn.offset(), m.strides()[3])
                    .ptr(CudaBackend.base(x)).ptr(CudaBackend.base(y)).ptr(CudaBackend.base(gradOut)).ptr(CudaBackend.base(gradIn))
                    .i32(x.dtype().ordinal()).i32(op.ordinal()).f64(a).f64(b).i64(n).launch(be.dev.gridFor(n), CudaDevice.THREADS, 0);
        }
    }

    @Override
    public void binary(BinaryOp op, Tensor x, Tensor y, Tensor out) {
        be.check(op.name(), x, y, out);
        sameShape(out, x, y);
        Layouts.Merged m = Layouts.merge(out.shape(), x.strides(), y.strides(), out.strides());
        long n = m.numel();
        if (n == 0) return;
        try (Launch l = be.dev.launch(CudaBackend.doublePath(x, y, out.dtype() == DType.BOOL ? null : out) ? Kernels.BINARY_D : Kernels.BINARY_F)) {
            l.shape(m.sizes()).strided(x.offset(), m.strides()[0]).strided(y.offset(), m.strides()[1]).strided(out.offset(), m.strides()[2])
                    .ptr(CudaBackend.base(x)).ptr(CudaBackend.base(y)).ptr(CudaBackend.base(out))
                    .i32(x.dtype().ordinal()).i32(y.dtype().ordinal()).i32(out.dtype().ordinal()).i32(op.ordinal()).i64(n)
                    .launch(be.dev.gridFor(n), CudaDevice.THREADS, 0);
        }
    }

    @Override
    public void where(Tensor cond, Tensor x, Tensor y, Tensor out) {
        be.check("where", cond, x, y, out);
        sameShape(out, cond, x, y);
        sameDType("where", x, y, out);
        Layouts.Merged m = Layouts.merge(out.shape(), cond.strides(), x.strides(), y.strides(), out.strides());
        long n = m.numel();
        if (n == 0) return;
        try (Launch l = be.dev.launch(CudaBackend.doublePath(x) ? Kernels.WHERE_D : Kernels.WHERE_F)) {
            l.shape(m.sizes()).strided(cond.offset(), m.strides()[0]).strided(x.offset(), m.strides()[1])
                    .strided(y.offset(), m.strides()[2]).strided(out.offset(), m.strides()[3])
                    .ptr(CudaBackend.base(cond)).ptr(CudaBackend.base(x)).ptr(CudaBackend.base(y)).ptr(CudaBackend.base(out))
                    .i32(cond.dtype().ordinal()).i32(x.dtype().ordinal()).i64(n).launch(be.dev.gridFor(n), CudaDevice.THREADS, 0);
        }
    }

    static void sameShape(Tensor out, Tensor... ins) {
        for (Tensor t : ins) {
            if (!Arrays.equals(t.shape(), out.shape())) {
                throw new IllegalArgumentException("operand shape " + Arrays.toString(t.shape()) + " differs from output " + Arrays.toString(out.shape()));
            }
        }
    }

    static void sameDType(String op, Tensor... ts) {
        for (Tensor t : ts) {
            if (t.dtype() != ts[0].dtype()) {
                throw new IllegalArgumentException("CUDA " + op + ": dtypes differ (" + ts[0].dtype() + " and " + t.dtype() + ")");
            }
        }
    }

    // No fused CUDA kernel yet.
    @Override
    public void siluMul(Tensor gate, Tensor up, Tensor out) { throw Unsupported.call("PointwiseKernels", "siluMul", be.dev.device); }
}
