package org.vfmtok.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Shapes;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.ReduceKernels;

/**
 * Vector API reductions, arg-reductions and softmax for F32 (see {@link ReduceLoop} and
 * {@link CpuSoftmax} for the layouts); other dtypes and non-contiguous outputs go to the reference.
 */
public final class CpuReduce implements ReduceKernels {
    private static final VectorSpecies<Float> F = VectorSupport.F;
    private static final int VL = F.length();

    private final ReduceKernels reference;

    public CpuReduce(ReduceKernels reference) {
        this.reference = reference;
    }

    private static boolean fast(Tensor x, Tensor out, DType outType) {
        return x.dtype() == DType.F32 && out.dtype() == outType && x.device().isCpu() && out.device().isCpu() && out.isContiguous();
    }

    private static boolean[] mask(int rank, int[] dims) {
        boolean[] m = new boolean[rank];
        if (dims == null) java.util.Arrays.fill(m, true);
        else for (int d : dims) m[Shapes.dim(d, rank)] = true;
        return m;
    }

    private static long count(Tensor x, Tensor out) { return x.numel() / Math.max(1, out.numel()); }

    @Override
    public void reduce(ReduceOp op, Tensor x, int[] dims, Tensor out) {
        if (!fast(x, out, DType.F32)) {
            reference.reduce(op, x, dims, out);
            return;
        }
        ReduceLoop.Op r = switch (op) {
            case SUM, MEAN -> ReduceLoop.Op.SUM;
            case MAX -> ReduceLoop.Op.MAX;
            case MIN -> ReduceLoop.Op.MIN;
            case PROD -> ReduceLoop.Op.PROD;
        };
        double scale = op == ReduceOp.MEAN ? 1.0 / count(x, out) : 1.0;
        ReduceLoop.run(r, x, mask(x.dim(), dims), out, scale, null);
    }

    @Override
    public void variance(Tensor x, int[] dims, int correction, Tensor out) {
        if (!fast(x, out, DType.F32)) {
            reference.variance(x, dims, correction, out);
            return;
        }
        boolean[] m = mask(x.dim(), dims);
        long n = count(x, out);
        ReduceLoop.run(ReduceLoop.Op.SUM, x, m, out, 1.0 / n, null);
        float[] mean = out.toFloatArray();
        // two passes (mean, then squared deviations) as the reference does: no cancellation
        ReduceLoop.run(ReduceLoop.Op.SQDEV, x, m, out, 1.0 / Math.max(0, n - correction), mean);
    }

    @Override
    public void argReduce(boolean max, Tensor x, int dim, Tensor out) {
        if (!fast(x, out, DType.I64)) {
            reference.argReduce(max, x, dim, out);
            return;
        }
        int d = Shapes.dim(dim, x.dim());
        int len = x.size(d);
        if (len == 0) throw new IllegalArgumentException("arg" + (max ? "max" : "min") + " over an empty dim " + d + " of " + Shapes.str(x.shape()));
        int[] outer = x.shape();
        outer[d] = 1;
        long[] xst = x.strides();
        long sd = xst[d];
        MemorySegment xs = x.segment(), os = out.segment();
        long outN = out.numel();
        long[] outerStrides = xst.clone();
        int[] outerShape = outer;
        Parallel.forRange(Math.toIntExact(outN), Math.max(1, LineLoop.MIN_PER_THREAD / len), (s, e) -> {
            for (int o = s; o < e; o++) {
                long off = x.offset();
                long rem = o;
                for (int k = outerShape.length - 1; k >= 0; k--) {
                    off += (rem % outerShape[k]) * outerStrides[k];
                    rem /= outerShape[k];
                }
                long best = sd == 1 ? argContiguous(max, xs, off, len) : argStrided(max, xs, off, sd, len);
                os.setAtIndex(JAVA_LONG_UNALIGNED, out.offset() + o, best);
            }
        });
    }

    /** First index of the max (min), or of the first NaN, like the reference. */
    private static long argContiguous(boolean max, MemorySegment xs, long off, int len) {
        int main = len - len % VL;
        FloatVector best = FloatVector.broadcast(F, max ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY);
        if (max) for (int i = 0; i < main; i += VL) best = best.max(FloatVector.fromMemorySegment(F, xs, (off + i) * 4, LineLoop.LE));
        else for (int i = 0; i < main; i += VL) best = best.min(FloatVector.fromMemorySegment(F, xs, (off + i) * 4, LineLoop.LE));
        float b = best.reduceLanes(max ? VectorOperators.MAX : VectorOperators.MIN);
        for (int i = main; i < len; i++) {
            float v = xs.getAtIndex(JAVA_FLOAT_UNALIGNED, off + i);
            b = max ? Math.max(b, v) : Math.min(b, v);
        }
        boolean nan = Float.isNaN(b);
        for (int i = 0; i < len; i++) {
            float v = xs.getAtIndex(JAVA_FLOAT_UNALIGNED, off + i);
            if (nan ? Float.isNaN(v) : v == b) return i;
        }
        return 0;
    }

    private static long argStrided(boolean max, MemorySegment xs, long off, long stride, int len) {
        long best = 0;
        float b = xs.getAtIndex(JAVA_FLOAT_UNALIGNED, off);
        if (Float.isNaN(b)) return 0;
        for (int j = 1; j < len; j++) {
            float v = xs.getAtIndex(JAVA_FLOAT_UNALIGNED, off + j * stride);
            if (Float.isNaN(v)) return j;
            if (max ? v > b : v < b) {
                b = v;
                best = j;
            }
        }
        return best;
    }

    @Override
    public void softmax(Tensor x, int dim, boolean log, Tensor out) {
        if (!fast(x, out, DType.F32)) {
            reference.softmax(x, dim, log, out);
            return;
        }
        CpuSoftmax.forward(x, Shapes.dim(dim, x.dim()), log, out);
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor gradOut, int dim, boolean log, Tensor gradIn) {
        if (!fast(y, gradIn, DType.F32) || gradOut.dtype() != DType.F32) {
            reference.softmaxBackward(y, gradOut, dim, log, gradIn);
            return;
        }
        CpuSoftmax.backward(y, gradOut, Shapes.dim(dim, y.dim()), log, gradIn);
    }
}
