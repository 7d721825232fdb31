package org.vfmtok.tensor.scalar;

import java.util.Arrays;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.StridedIndex;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.PointwiseKernels;
import org.vfmtok.tensor.util.MathUtil;

/** Reference elementwise kernels: one formula per op, in double precision. */
public final class ScalarPointwise implements PointwiseKernels {
    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);

    /** The forward formula of every unary op. */
    public static double apply(UnaryOp op, double x, double a, double b) {
        return switch (op) {
            case NEG -> -x;
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case SQRT -> Math.sqrt(x);
            case RSQRT -> 1.0 / Math.sqrt(x);
            case TANH -> Math.tanh(x);
            case SIGMOID -> 1.0 / (1.0 + Math.exp(-x));
            case RELU -> x > 0 ? x : (Double.isNaN(x) ? x : 0.0);
            case GELU_ERF -> x * MathUtil.normalCdf(x); // via erfc: no cancellation in the lower tail
            case GELU_TANH -> 0.5 * x * (1.0 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
            case SILU -> x / (1.0 + Math.exp(-x));
            case ABS -> Math.abs(x);
            case SQUARE -> x * x;
            case RECIPROCAL -> 1.0 / x;
            case SIN -> Math.sin(x);
            case COS -> Math.cos(x);
            case SOFTPLUS -> x > 20 ? x : Math.log1p(Math.exp(x)); // PyTorch's threshold 20, beta 1
            case POW_SCALAR -> Math.pow(x, a);
            case CLAMP -> Double.isNaN(x) ? x : Math.min(Math.max(x, a), b);
            case AFFINE -> a * x + b;
            case LEAKY_RELU -> x > 0 ? x : a * x;
        };
    }

    /** d op(x) / dx, given x and y = op(x). */
    public static double derivative(UnaryOp op, double x, double y, double a, double b) {
        return switch (op) {
            case NEG -> -1.0;
            case EXP -> y;
            case LOG -> 1.0 / x;
            case SQRT -> 0.5 / y;
            case RSQRT -> -0.5 * y * y * y;
            case TANH -> 1.0 - y * y;
            case SIGMOID -> y * (1.0 - y);
            case RELU -> x > 0 ? 1.0 : 0.0;
            case GELU_ERF -> {
                double cdf = MathUtil.normalCdf(x);
                double pdf = Math.exp(-0.5 * x * x) / Math.sqrt(2.0 * Math.PI);
                yield cdf + x * pdf;
            }
            case GELU_TANH -> {
                double inner = SQRT_2_OVER_PI * (x + 0.044715 * x * x * x);
                double t = Math.tanh(inner);
                double dinner = SQRT_2_OVER_PI * (1.0 + 3 * 0.044715 * x * x);
                yield 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * dinner;
            }
            case SILU -> {
                double s = 1.0 / (1.0 + Math.exp(-x));
                yield s * (1.0 + x * (1.0 - s));
            }
            case ABS -> x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0);
            case SQUARE -> 2.0 * x;
            case RECIPROCAL -> -y * y;
            case SIN -> Math.cos(x);
            case COS -> -Math.sin(x);
            case SOFTPLUS -> x > 20 ? 1.0 : 1.0 / (1.0 + Math.exp(-x));
            case POW_SCALAR -> a == 0 ? 0.0 : a * Math.pow(x, a - 1);
            case CLAMP -> (x >= a && x <= b) ? 1.0 : 0.0;
            case AFFINE -> a;
            case LEAKY_RELU -> x > 0 ? 1.0 : a;
        };
    }

    public static double apply(BinaryOp op, double x, double y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
            case POW -> Math.pow(x, y);
            case MAXIMUM -> (Double.isNaN(x) || Double.isNaN(y)) ? Double.NaN : Math.max(x, y);
            case MINIMUM -> (Double.isNaN(x) || Double.isNaN(y)) ? Double.NaN : Math.min(x, y);
            case EQ -> x == y ? 1 : 0;
            case NE -> x != y ? 1 : 0;
            case LT -> x < y ? 1 : 0;
            case LE -> x <= y ? 1 : 0;
            case GT -> x > y ? 1 : 0;
            case GE -> x >= y ? 1 : 0;
        };
    }

    @Override
    public void unary(UnaryOp op, Tensor x, Tensor out, double a, double b) {
        check(out, x);
        DType xt = x.dtype(), ot = out.dtype();
        var xs = x.segment();
        var os = out.segment();
        StridedIndex it = new StridedIndex(out.shape(), x.strides(), out.strides()).start(x.offset(), out.offset());
        for (long i = 0, n = out.numel(); i < n; i++, it.next()) {
            ot.write(os, it.offset(1), apply(op, xt.read(xs, it.offset(0)), a, b));
        }
    }

    @Override
    public void unaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor gradOut, Tensor gradIn, double a, double b) {
        check(gradIn, x, y, gradOut);
        DType t = x.dtype();
        var xs = x.segment();
        var ys = y.segment();
        var gs = gradOut.segment();
        var is = gradIn.segment();
        StridedIndex it = new StridedIndex(gradIn.shape(), x.strides(), y.strides(), gradOut.strides(), gradIn.strides())
                .start(x.offset(), y.offset(), gradOut.offset(), gradIn.offset());
        for (long i = 0, n = gradIn.numel(); i < n; i++, it.next()) {
            double xv = t.read(xs, it.offset(0)), yv = y.dtype().read(ys, it.offset(1));
            double g = gradOut.dtype().read(gs, it.offset(2));
            // ReLU's backward selects (torch's threshold_backward): a NaN or infinite gradient where the unit is off stays out
            double gi = op == UnaryOp.RELU ? (xv > 0 ? g : 0.0) : g * derivative(op, xv, yv, a, b);
            gradIn.dtype().write(is, it.offset(3), gi);
        }
    }

    @Override
    public void binary(BinaryOp op, Tensor x, Tensor y, Tensor out) {
        check(out, x, y);
        var xs = x.segment();
        var ys = y.segment();
        var os = out.segment();
        DType xt = x.dtype(), yt = y.dtype(), ot = out.dtype();
        StridedIndex it = new StridedIndex(out.shape(), x.strides(), y.strides(), out.strides()).start(x.offset(), y.offset(), out.offset());
        for (long i = 0, n = out.numel(); i < n; i++, it.next()) {
            ot.write(os, it.offset(2), apply(op, xt.read(xs, it.offset(0)), yt.read(ys, it.offset(1))));
        }
    }

    @Override
    public void where(Tensor cond, Tensor x, Tensor y, Tensor out) {
        check(out, cond, x, y);
        var cs = cond.segment();
        var xs = x.segment();
        var ys = y.segment();
        var os = out.segment();
        StridedIndex it = new StridedIndex(out.shape(), cond.strides(), x.strides(), y.strides(), out.strides())
                .start(cond.offset(), x.offset(), y.offset(), out.offset());
        for (long i = 0, n = out.numel(); i < n; i++, it.next()) {
            double v = cond.dtype().read(cs, it.offset(0)) != 0 ? x.dtype().read(xs, it.offset(1)) : y.dtype().read(ys, it.offset(2));
            out.dtype().write(os, it.offset(3), v);
        }
    }

    static void check(Tensor out, Tensor... ins) {
        for (Tensor t : ins) {
            if (!Arrays.equals(t.shape(), out.shape())) {
                throw new IllegalArgumentException("operand shape " + Arrays.toString(t.shape()) + " differs from output " + Arrays.toString(out.shape()));
            }
        }
    }

    /** out = silu(gate)·up in double precision. */
    @Override
    public void siluMul(Tensor gate, Tensor up, Tensor out) {
        PointwiseKernels.checkSiluMul(gate, up, out);
        check(out, gate, up);
        var gs = gate.segment();
        var us = up.segment();
        var os = out.segment();
        StridedIndex it = new StridedIndex(out.shape(), gate.strides(), up.strides(), out.strides()).start(gate.offset(), up.offset(), out.offset());
        for (long i = 0, n = out.numel(); i < n; i++, it.next()) {
            double g = gate.dtype().read(gs, it.offset(0));
            out.dtype().write(os, it.offset(2), apply(UnaryOp.SILU, g, 0, 0) * up.dtype().read(us, it.offset(1)));
        }
    }
}
