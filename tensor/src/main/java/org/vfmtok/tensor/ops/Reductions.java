package org.vfmtok.tensor.ops;

import java.util.Arrays;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Shapes;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;
import org.vfmtok.tensor.backend.PointwiseKernels.BinaryOp;
import org.vfmtok.tensor.backend.ReduceKernels;
import org.vfmtok.tensor.backend.ReduceKernels.ReduceOp;

/**
 * Reductions over any set of dims ({@code null} = all) with or without kept dims, softmax and
 * log-softmax, with autograd.
 */
public final class Reductions {
    private Reductions() {}

    public static Tensor sum(Tensor x, int[] dims, boolean keepDim) { return reduce(ReduceOp.SUM, x, dims, keepDim); }

    public static Tensor mean(Tensor x, int[] dims, boolean keepDim) { return reduce(ReduceOp.MEAN, x, dims, keepDim); }

    /** Max values (ties share the gradient evenly, like {@code amax}). */
    public static Tensor max(Tensor x, int[] dims, boolean keepDim) { return reduce(ReduceOp.MAX, x, dims, keepDim); }

    public static Tensor min(Tensor x, int[] dims, boolean keepDim) { return reduce(ReduceOp.MIN, x, dims, keepDim); }

    /** Product; not differentiable. */
    public static Tensor prod(Tensor x, int[] dims, boolean keepDim) {
        if (Grad.needed(x)) throw new UnsupportedOperationException("prod() has no gradient");
        return reduce(ReduceOp.PROD, x, dims, keepDim);
    }

    public static Tensor reduce(ReduceOp op, Tensor x, int[] dims, boolean keepDim) {
        int[] kept = keptShape(x.shape(), dims);
        Tensor out = Tensor.empty(x.dtype(), x.device(), kept);
        if (x.numel() == 0 && (op == ReduceOp.MAX || op == ReduceOp.MIN)) {
            throw new IllegalArgumentException(op + " of an empty tensor");
        }
        kernels(x).reduce(op, x, dims, out);
        Tensor result = Grad.track(out, op.name(), x, g -> {
            Tensor gk = g.view(kept);
            return new Tensor[] {switch (op) {
                case SUM -> gk.expand(x.shape());
                case MEAN -> gk.mul(1.0 / Math.max(1, x.numel() / out.numel())).expand(x.shape());
                case MAX, MIN -> {
                    Tensor hit = Pointwise.compare(BinaryOp.EQ, x, out.detach()).to(g.dtype());
                    Tensor count = sum(hit, dims, true);
                    yield Pointwise.mul(hit, Pointwise.div(gk, count));
                }
                case PROD -> throw new IllegalStateException("prod has no gradient");
            }};
        });
        return keepDim ? result : result.view(droppedShape(x.shape(), dims));
    }

    /** Variance with {@code correction} (1 = unbiased, PyTorch's default; 0 = population). */
    public static Tensor var(Tensor x, int[] dims, int correction, boolean keepDim) {
        int[] kept = keptShape(x.shape(), dims);
        Tensor out = Tensor.empty(x.dtype(), x.device(), kept);
        kernels(x).variance(x, dims, correction, out);
        long n = x.numel() / Math.max(1, out.numel());
        Tensor result = Grad.track(out, "Var", x, g -> {
            Tensor centred = Pointwise.sub(x, mean(x, dims, true));
            return new Tensor[] {Pointwise.mul(centred, g.view(kept).mul(2.0 / Math.max(1, n - correction)))};
        });
        return keepDim ? result : result.view(droppedShape(x.shape(), dims));
    }

    /** Indices (I64) of the maximum along {@code dim}; first on ties. */
    public static Tensor argmax(Tensor x, int dim, boolean keepDim) { return argReduce(true, x, dim, keepDim); }

    public static Tensor argmin(Tensor x, int dim, boolean keepDim) { return argReduce(false, x, dim, keepDim); }

    private static Tensor argReduce(boolean max, Tensor x, int dim, boolean keepDim) {
        int d = Shapes.dim(dim, x.dim());
        int[] kept = keptShape(x.shape(), new int[] {d});
        Tensor out = Tensor.empty(DType.I64, x.device(), kept);
        kernels(x).argReduce(max, x, d, out);
        return keepDim ? out : out.view(droppedShape(x.shape(), new int[] {d}));
    }

    public static Tensor softmax(Tensor x, int dim) { return softmax(x, dim, false); }

    public static Tensor logSoftmax(Tensor x, int dim) { return softmax(x, dim, true); }

    private static Tensor softmax(Tensor x, int dim, boolean log) {
        int d = Shapes.dim(dim, x.dim());
        Tensor out = Tensor.empty(x.dtype(), x.device(), x.shape());
        kernels(x).softmax(x, d, log, out);
        return Grad.track(out, log ? "LogSoftmax" : "Softmax", x, g -> {
            Tensor gi = Tensor.empty(g.dtype(), g.device(), g.shape());
            kernels(x).softmaxBackward(out, g, d, log, gi);
            return new Tensor[] {gi};
        });
    }

    /** Sums a broadcast gradient back down to {@code shape} (the inverse of broadcasting). */
    public static Tensor sumTo(Tensor g, int[] shape) {
        int[] gs = g.shape();
        if (Arrays.equals(gs, shape)) return g;
        int lead = gs.length - shape.length;
        if (lead < 0) throw new IllegalArgumentException("cannot sum " + Arrays.toString(gs) + " to " + Arrays.toString(shape));
        int[] dims = new int[gs.length];
        int n = 0;
        for (int d = 0; d < gs.length; d++) {
            if (d < lead || (shape[d - lead] == 1 && gs[d] != 1)) dims[n++] = d;
        }
        Tensor s = n == 0 ? g : sum(g, Arrays.copyOf(dims, n), true);
        return s.reshape(shape);
    }

    static int[] keptShape(int[] shape, int[] dims) {
        int[] k = shape.clone();
        if (dims == null) {
            Arrays.fill(k, 1);
            return k;
        }
        for (int d : dims) k[Shapes.dim(d, shape.length)] = 1;
        return k;
    }

    static int[] droppedShape(int[] shape, int[] dims) {
        boolean[] drop = new boolean[shape.length];
        if (dims == null) Arrays.fill(drop, true);
        else for (int d : dims) drop[Shapes.dim(d, shape.length)] = true;
        int n = 0;
        for (boolean b : drop) if (!b) n++;
        int[] out = new int[n];
        for (int d = 0, j = 0; d < shape.length; d++) if (!drop[d]) out[j++] = shape[d];
        return out;
    }

    static ReduceKernels kernels(Tensor t) { return t.backend().reduce(); }
}
