package org.vfmtok.tensor.cuda;

import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Shapes;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.ReduceKernels;

/** Reductions, variance, arg-reduce and softmax (reduce.cu): one thread block per output or row. */
final class CudaReduce implements ReduceKernels {
    private static final int THREADS = 256;
    private final CudaBackend be;

    CudaReduce(CudaBackend be) { this.be = be; }

    /** x's dims split into kept and reduced ones, each merged. */
    private record Split(Layouts.Merged kept, Layouts.Merged reduced) {}

    private static Split split(Tensor x, int[] dims) {
        int r = x.dim();
        boolean[] red = new boolean[r];
        if (dims == null) java.util.Arrays.fill(red, true);
        else for (int d : dims) red[Shapes.dim(d, r)] = true;
        int nk = 0;
        for (boolean b : red) if (!b) nk++;
        int[] ks = new int[nk], rs = new int[r - nk];
        long[] kst = new long[nk], rst = new long[r - nk];
        int[] shape = x.shape();
        long[] st = x.strides();
        for (int d = 0, i = 0, j = 0; d < r; d++) {
            if (red[d]) { rs[j] = shape[d]; rst[j++] = st[d]; }
            else { ks[i] = shape[d]; kst[i++] = st[d]; }
        }
        return new Split(Layouts.merge(ks, kst), Layouts.merge(rs, rst));
    }

    @Override
    public void reduce(ReduceOp op, Tensor x, int[] dims, Tensor out) {
        be.check("reduce " + op, x, out);
        CudaBackend.requireContiguous("reduce " + op, out);
        Split s = split(x, dims);
        long outN = out.numel(), redN = s.reduced().numel();
        if (outN == 0) return;
        if (outN != s.kept().numel()) throw new IllegalArgumentException("reduce output has " + outN + " elements, expected " + s.kept().numel());
        try (Launch l = be.dev.launch(CudaBackend.doublePath(x, out) ? Kernels.REDUCE_D : Kernels.REDUCE_F)) {
            l.shape(s.kept().sizes()).strided(x.offset(), s.kept().strides()[0]).shape(s.reduced().sizes()).strided(0, s.reduced().strides()[0])
                    .ptr(CudaBackend.base(x)).ptr(CudaBackend.addr(out)).i32(x.dtype().ordinal()).i32(out.dtype().ordinal())
                    .i32(op.ordinal()).i64(outN).i64(redN).launch(be.dev.blocksForRows(outN), THREADS, 0);
        }
    }

    @Override
    public void variance(Tensor x, int[] dims, int correction, Tensor out) {
        be.check("variance", x, out);
        CudaBackend.requireContiguous("variance", out);
        Split s = split(x, dims);
        long outN = out.numel(), redN = s.reduced().numel();
        if (outN == 0) return;
        try (Launch l = be.dev.launch(CudaBackend.doublePath(x, out) ? Kernels.VARIANCE_D : Kernels.VARIANCE_F)) {
            l.shape(s.kept().sizes()).strided(x.offset(), s.kept().strides()[0]).shape(s.reduced().sizes()).strided(0, s.reduced().strides()[0])
                    .ptr(CudaBackend.base(x)).ptr(CudaBackend.addr(out)).i32(x.dtype().ordinal()).i32(out.dtype().ordinal())
                    .i32(correction).i64(outN).i64(redN).launch(be.dev.blocksForRows(outN), THREADS, 0);
        }
    }

    @Override
    public void argReduce(boolean max, Tensor x, int dim, Tensor out) {
        be.check(max ? "argmax" : "argmin", x, out);
        CudaBackend.requireContiguous("argmax/argmin", out);
        if (out.dtype() != DType.I64) throw new IllegalArgumentException("arg-reduce output must be I64, got " + out.dtype());
        int d = Shapes.dim(dim, x.dim());
        int[] outer = x.shape();
        int len = outer[d];
        outer[d] = 1;
        Layouts.Merged m = Layouts.merge(outer, x.strides());
        long outN = m.numel();
        if (outN == 0 || out.numel() == 0) return;
        if (len == 0) throw new IllegalArgumentException("arg-reduce over an empty dim of " + java.util.Arrays.toString(x.shape()));
        try (Launch l = be.dev.launch(Kernels.ARGREDUCE)) {
            l.shape(m.sizes()).strided(x.offset(), m.strides()[0]).ptr(CudaBackend.base(x)).ptr(CudaBackend.addr(out))
                    .i32(x.dtype().ordinal()).i32(max ? 1 : 0).i64(len).i64(x.stride(d)).i64(outN)
                    .launch(be.dev.blocksForRows(outN), THREADS, 0);
        }
    }

    @Override
    public void softmax(Tensor x, int dim, boolean log, Tensor out) {
        be.check(log ? "log_softmax" : "softmax", x, out);
        CudaPointwise.sameShape(out, x);
        CudaPointwise.sameDType("softmax", x, out);
        int d = Shapes.dim(dim, x.dim());
        int[] outer = x.shape();
        long len = outer[d];
        outer[d] = 1;
        Layouts.Merged m = Layouts.merge(outer, x.strides(), out.strides());
        long rows = m.numel();
        if (rows == 0 || len == 0) return;
        try (Launch l = be.dev.launch(CudaBackend.doublePath(x) ? Kernels.SOFTMAX_D : Kernels.SOFTMAX_F)) {
            l.shape(m.sizes()).strided(x.offset(), m.strides()[0]).strided(out.offset(), m.strides()[1])
                    .ptr(CudaBackend.base(x)).ptr(CudaBackend.base(out)).i32(x.dtype().ordinal()).i32(log ? 1 : 0)
                    .i64(len).i64(x.stride(d)).i64(out.stride(d)).i64(rows).launch(be.dev.blocksForRows(rows), THREADS, 0);
        }
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor gradOut, int dim, boolean log, Tensor gradIn) {
        be.check("softmax backward", y, gradOut, gradIn);
        CudaPointwise.sameShape(gradIn, y, gradOut);
        CudaPointwise.sameDType("softmax backward", y, gradOut, gradIn);
        int d = Shapes.dim(dim, y.dim());
        int[] outer = y.shape();
        long len = outer[d];
        outer[d] = 1;
        Layouts.Merged m = Layouts.merge(outer, y.strides(), gradOut.strides(), gradIn.strides());
        long rows = m.numel();
        if (rows == 0 || len == 0) return;
        try (Launch l = be.dev.launch(CudaBackend.doublePath(y) ? Kernels.SOFTMAX_BACKWARD_D : Kernels.SOFTMAX_BACKWARD_F)) {
            l.shape(m.sizes()).strided(y.offset(), m.strides()[0]).strided(gradOut.offset(), m.strides()[1])
                    .strided(gradIn.offset(), m.strides()[2]).ptr(CudaBackend.base(y)).ptr(CudaBackend.base(gradOut))
                    .ptr(CudaBackend.base(gradIn)).i32(y.dtype().ordinal()).i32(log ? 1 : 0).i64(len).i64(y.stride(d))
                    .i64(gradOut.stride(d)).i64(gradIn.stride(d)).i64(rows).launch(be.dev.blocksForRows(rows), THREADS, 0);
        }
    }
}
