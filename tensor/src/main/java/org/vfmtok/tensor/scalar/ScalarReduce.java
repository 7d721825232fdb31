package org.vfmtok.tensor.scalar;

import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Shapes;
import org.vfmtok.tensor.StridedIndex;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.ReduceKernels;

/** Reference reductions in double precision. */
public final class ScalarReduce implements ReduceKernels {

    /** Strides of the keep-dim output broadcast over x's shape: 0 on reduced dims. */
    private static long[] outStridesOverInput(Tensor x, Tensor out, boolean[] reduced) {
        long[] os = out.strides();
        long[] r = new long[x.dim()];
        for (int d = 0; d < r.length; d++) r[d] = reduced[d] ? 0 : os[d];
        return r;
    }

    private static boolean[] reducedMask(int rank, int[] dims) {
        boolean[] m = new boolean[rank];
        if (dims == null) java.util.Arrays.fill(m, true);
        else for (int d : dims) m[Shapes.dim(d, rank)] = true;
        return m;
    }

    @Override
    public void reduce(ReduceOp op, Tensor x, int[] dims, Tensor out) {
        boolean[] red = reducedMask(x.dim(), dims);
        int outN = Math.toIntExact(out.numel());
        double[] acc = new double[outN];
        double init = switch (op) {
            case SUM, MEAN -> 0.0;
            case PROD -> 1.0;
            case MAX -> Double.NEGATIVE_INFINITY;
            case MIN -> Double.POSITIVE_INFINITY;
        };
        java.util.Arrays.fill(acc, init);
        long count = x.numel() / Math.max(1, outN);
        var xs = x.segment();
        DType xt = x.dtype();
        // out is contiguous keep-dim: index into acc with its contiguous strides.
        long[] accStrides = Shapes.contiguousStrides(out.shape());
        long[] accOver = new long[x.dim()];
        for (int d = 0; d < x.dim(); d++) accOver[d] = red[d] ? 0 : accStrides[d];
        StridedIndex it = new StridedIndex(x.shape(), x.strides(), accOver).start(x.offset(), 0);
        for (long i = 0, n = x.numel(); i < n; i++, it.next()) {
            int o = (int) it.offset(1);
            double v = xt.read(xs, it.offset(0));
            double a = acc[o];
            acc[o] = switch (op) {
                case SUM, MEAN -> a + v;
                case PROD -> a * v;
                case MAX -> (Double.isNaN(a) || Double.isNaN(v)) ? Double.NaN : Math.max(a, v);
                case MIN -> (Double.isNaN(a) || Double.isNaN(v)) ? Double.NaN : Math.min(a, v);
            };
        }
        writeContiguous(out, acc, op == ReduceOp.MEAN ? 1.0 / count : 1.0);
    }

    @Override
    public void variance(Tensor x, int[] dims, int correction, Tensor out) {
        boolean[] red = reducedMask(x.dim(), dims);
        int outN = Math.toIntExact(out.numel());
        long count = x.numel() / Math.max(1, outN);
        double[] mean = new double[outN];
        long[] accStrides = Shapes.contiguousStrides(out.shape());
        long[] accOver = new long[x.dim()];
        for (int d = 0; d < x.dim(); d++) accOver[d] = red[d] ? 0 : accStrides[d];
        var xs = x.segment();
        StridedIndex it = new StridedIndex(x.shape(), x.strides(), accOver).start(x.offset(), 0);
        for (long i = 0, n = x.numel(); i < n; i++, it.next()) mean[(int) it.offset(1)] += x.dtype().read(xs, it.offset(0));
        for (int o = 0; o < outN; o++) mean[o] /= count;
        double[] ss = new double[outN];
        it = new StridedIndex(x.shape(), x.strides(), accOver).start(x.offset(), 0);
        for (long i = 0, n = x.numel(); i < n; i++, it.next()) {
            int o = (int) it.offset(1);
            double d = x.dtype().read(xs, it.offset(0)) - mean[o];
            ss[o] += d * d;
        }
        writeContiguous(out, ss, 1.0 / Math.max(0, count - correction));
    }

    @Override
    public void argReduce(boolean max, Tensor x, int dim, Tensor out) {
        int d = Shapes.dim(dim, x.dim());
        int len = x.size(d);
        int[] outer = x.shape();
        outer[d] = 1;
        var xs = x.segment();
        long sd = x.stride(d);
        StridedIndex it = new StridedIndex(outer, x.strides(), out.strides()).start(x.offset(), out.offset());
        for (long i = 0, n = Shapes.numel(outer); i < n; i++, it.next()) {
            long best = 0;
            double bv = Double.NaN;
            for (int j = 0; j < len; j++) {
                double v = x.dtype().read(xs, it.offset(0) + j * sd);
                if (j == 0 || Double.isNaN(v) && !Double.isNaN(bv) || (max ? v > bv : v < bv)) {
                    if (Double.isNaN(bv) && j > 0) continue; // NaN wins and stays (PyTorch)
                    best = j;
                    bv = v;
                }
            }
            out.dtype().write(out.segment(), it.offset(1), best);
        }
    }

    @Override
    public void softmax(Tensor x, int dim, boolean log, Tensor out) {
        int d = Shapes.dim(dim, x.dim());
        int len = x.size(d);
        int[] outer = x.shape();
        outer[d] = 1;
        long sx = x.stride(d), so = out.stride(d);
        var xs = x.segment();
        var os = out.segment();
        StridedIndex it = new StridedIndex(outer, x.strides(), out.strides()).start(x.offset(), out.offset());
        for (long i = 0, n = Shapes.numel(outer); i < n; i++, it.next()) {
            double m = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < len; j++) m = Math.max(m, x.dtype().read(xs, it.offset(0) + j * sx));
            double s = 0;
            for (int j = 0; j < len; j++) s += Math.exp(x.dtype().read(xs, it.offset(0) + j * sx) - m);
            double lse = m + Math.log(s);
            for (int j = 0; j < len; j++) {
                double v = x.dtype().read(xs, it.offset(0) + j * sx);
                out.dtype().write(os, it.offset(1) + j * so, log ? v - lse : Math.exp(v - lse));
            }
        }
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor gradOut, int dim, boolean log, Tensor gradIn) {
        int d = Shapes.dim(dim, y.dim());
        int len = y.size(d);
        int[] outer = y.shape();
        outer[d] = 1;
        long sy = y.stride(d), sg = gradOut.stride(d), si = gradIn.stride(d);
        var ys = y.segment();
        var gs = gradOut.segment();
        var is = gradIn.segment();
        StridedIndex it = new StridedIndex(outer, y.strides(), gradOut.strides(), gradIn.strides())
                .start(y.offset(), gradOut.offset(), gradIn.offset());
        for (long i = 0, n = Shapes.numel(outer); i < n; i++, it.next()) {
            double dot = 0;
            for (int j = 0; j < len; j++) {
                double g = gradOut.dtype().read(gs, it.offset(1) + j * sg);
                dot += log ? g : g * y.dtype().read(ys, it.offset(0) + j * sy);
            }
            for (int j = 0; j < len; j++) {
                double yv = y.dtype().read(ys, it.offset(0) + j * sy);
                double g = gradOut.dtype().read(gs, it.offset(1) + j * sg);
                double r = log ? g - Math.exp(yv) * dot : yv * (g - dot);
                gradIn.dtype().write(is, it.offset(2) + j * si, r);
            }
        }
    }

    private static void writeContiguous(Tensor out, double[] acc, double scale) {
        StridedIndex it = new StridedIndex(out.shape(), out.strides()).start(out.offset());
        for (int i = 0; i < acc.length; i++, it.next()) out.dtype().write(out.segment(), it.offset(0), acc[i] * scale);
    }
}
