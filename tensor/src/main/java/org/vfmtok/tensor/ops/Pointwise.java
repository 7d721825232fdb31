package org.vfmtok.tensor.ops;

import java.util.Arrays;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Shapes;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;
import org.vfmtok.tensor.backend.PointwiseKernels;
import org.vfmtok.tensor.backend.PointwiseKernels.BinaryOp;
import org.vfmtok.tensor.backend.PointwiseKernels.UnaryOp;

/**
 * Elementwise operations with broadcasting and autograd. Operands must share a dtype (no silent
 * promotion; the error names both) and a device.
 */
public final class Pointwise {
    private Pointwise() {}

    // ------------------------------------------------------------------ binary

    public static Tensor add(Tensor a, Tensor b) { return binary(BinaryOp.ADD, a, b); }

    public static Tensor sub(Tensor a, Tensor b) { return binary(BinaryOp.SUB, a, b); }

    public static Tensor mul(Tensor a, Tensor b) { return binary(BinaryOp.MUL, a, b); }

    public static Tensor div(Tensor a, Tensor b) { return binary(BinaryOp.DIV, a, b); }

    public static Tensor pow(Tensor a, Tensor b) { return binary(BinaryOp.POW, a, b); }

    public static Tensor maximum(Tensor a, Tensor b) { return binary(BinaryOp.MAXIMUM, a, b); }

    public static Tensor minimum(Tensor a, Tensor b) { return binary(BinaryOp.MINIMUM, a, b); }

    /** Comparison, BOOL result, never differentiable. */
    public static Tensor compare(BinaryOp op, Tensor a, Tensor b) {
        checkOperands(op.name(), a, b);
        int[] shape = Shapes.broadcast(a.shape(), b.shape());
        Tensor out = Tensor.empty(DType.BOOL, a.device(), shape);
        kernels(a).binary(op, a.detach().expand(shape), b.detach().expand(shape), out);
        return out;
    }

    public static Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        if (op.ordinal() >= BinaryOp.EQ.ordinal()) return compare(op, a, b);
        checkOperands(op.name(), a, b);
        int[] shape = Shapes.broadcast(a.shape(), b.shape());
        Tensor out = Tensor.empty(a.dtype(), a.device(), shape);
        kernels(a).binary(op, a.detach().expand(shape), b.detach().expand(shape), out);
        int[] as = a.shape(), bs = b.shape();
        return Grad.track(out, op.name(), new Tensor[] {a, b}, g -> {
            Tensor ga = null, gb = null;
            boolean wa = a.requiresGrad(), wb = b.requiresGrad();
            switch (op) {
                case ADD -> { ga = wa ? g : null; gb = wb ? g : null; }
                case SUB -> { ga = wa ? g : null; gb = wb ? neg(g) : null; }
                case MUL -> { ga = wa ? mul(g, b) : null; gb = wb ? mul(g, a) : null; }
                case DIV -> {
                    ga = wa ? div(g, b) : null;
                    gb = wb ? neg(div(mul(g, out), b)) : null;
                }
                case POW -> {
                    ga = wa ? mul(g, mul(b, pow(a, affine(b, 1.0, -1.0)))) : null;
                    gb = wb ? mul(g, mul(out, log(a))) : null;
                }
                case MAXIMUM, MINIMUM -> {
                    // ties split the gradient in half, as PyTorch does
                    BinaryOp wins = op == BinaryOp.MAXIMUM ? BinaryOp.GT : BinaryOp.LT;
                    Tensor share = add(compare(wins, a, b).to(g.dtype()), compare(BinaryOp.EQ, a, b).to(g.dtype()).mul(0.5));
                    ga = wa ? mul(g, share) : null;
                    gb = wb ? mul(g, affine(share, -1.0, 1.0)) : null;
                }
                default -> throw new IllegalStateException(op.name());
            }
            return new Tensor[] {ga == null ? null : Reductions.sumTo(ga, as), gb == null ? null : Reductions.sumTo(gb, bs)};
        });
    }

    /** dst += src (src broadcast to dst), in place, outside autograd. */
    public static void addInPlace(Tensor dst, Tensor src) {
        checkOperands("add_", dst, src);
        Tensor d = dst.detach();
        kernels(dst).binary(BinaryOp.ADD, d, src.detach().expand(dst.shape()), d);
    }

    /** dst = op(dst, src), in place, outside autograd. */
    public static void binaryInPlace(BinaryOp op, Tensor dst, Tensor src) {
        checkOperands(op.name(), dst, src);
        Tensor d = dst.detach();
        kernels(dst).binary(op, d, src.detach().expand(dst.shape()), d);
    }

    // ------------------------------------------------------------------ unary

    public static Tensor neg(Tensor x) { return unary(UnaryOp.NEG, x, 0, 0); }
    public static Tensor exp(Tensor x) { return unary(UnaryOp.EXP, x, 0, 0); }
    public static Tensor log(Tensor x) { return unary(UnaryOp.LOG, x, 0, 0); }
    public static Tensor sqrt(Tensor x) { return unary(UnaryOp.SQRT, x, 0, 0); }
    public static Tensor rsqrt(Tensor x) { return unary(UnaryOp.RSQRT, x, 0, 0); }
    public static Tensor tanh(Tensor x) { return unary(UnaryOp.TANH, x, 0, 0); }
    public static Tensor sigmoid(Tensor x) { return unary(UnaryOp.SIGMOID, x, 0, 0); }
    public static Tensor relu(Tensor x) { return unary(UnaryOp.RELU, x, 0, 0); }
    /** GELU, exact (erf) form. */
    public static Tensor gelu(Tensor x) { return unary(UnaryOp.GELU_ERF, x, 0, 0); }
    /** GELU, tanh approximation. */
    public static Tensor geluTanh(Tensor x) { return unary(UnaryOp.GELU_TANH, x, 0, 0); }
    public static Tensor silu(Tensor x) { return unary(UnaryOp.SILU, x, 0, 0); }
    public static Tensor abs(Tensor x) { return unary(UnaryOp.ABS, x, 0, 0); }
    public static Tensor square(Tensor x) { return unary(UnaryOp.SQUARE, x, 0, 0); }
    public static Tensor reciprocal(Tensor x) { return unary(UnaryOp.RECIPROCAL, x, 0, 0); }
    public static Tensor sin(Tensor x) { return unary(UnaryOp.SIN, x, 0, 0); }
    public static Tensor cos(Tensor x) { return unary(UnaryOp.COS, x, 0, 0); }
    public static Tensor softplus(Tensor x) { return unary(UnaryOp.SOFTPLUS, x, 0, 0); }
    public static Tensor pow(Tensor x, double exponent) { return unary(UnaryOp.POW_SCALAR, x, exponent, 0); }
    public static Tensor clamp(Tensor x, double min, double max) { return unary(UnaryOp.CLAMP, x, min, max); }
    /** scale·x + shift. */
    public static Tensor affine(Tensor x, double scale, double shift) { return unary(UnaryOp.AFFINE, x, scale, shift); }
    public static Tensor leakyRelu(Tensor x, double slope) { return unary(UnaryOp.LEAKY_RELU, x, slope, 0); }

    public static Tensor unary(UnaryOp op, Tensor x, double a, double b) {
        if (!x.dtype().isFloating()) throw new IllegalArgumentException(op + " needs a floating tensor, got " + x.dtype());
        Tensor out = Tensor.empty(x.dtype(), x.device(), x.shape());
        kernels(x).unary(op, x, out, a, b);
        return Grad.track(out, op.name(), x, g -> {
            Tensor gi = Tensor.empty(g.dtype(), g.device(), g.shape());
            kernels(x).unaryBackward(op, x, out, g, gi, a, b);
            return new Tensor[] {gi};
        });
    }

    // ------------------------------------------------------------------ selection

    /** cond ? a : b with broadcasting; differentiable in a and b. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        if (cond.dtype() != DType.BOOL) throw new IllegalArgumentException("where() condition must be BOOL, got " + cond.dtype());
        checkOperands("where", a, b);
        checkDevices("where", cond, a, b);
        int[] shape = Shapes.broadcast(Shapes.broadcast(cond.shape(), a.shape()), b.shape());
        Tensor out = Tensor.empty(a.dtype(), a.device(), shape);
        kernels(a).where(cond.detach().expand(shape), a.detach().expand(shape), b.detach().expand(shape), out);
        int[] as = a.shape(), bs = b.shape();
        return Grad.track(out, "Where", new Tensor[] {a, b}, g -> {
            Tensor zero = Tensor.full(g.dtype(), g.device(), 0.0, 1);
            Tensor ga = a.requiresGrad() ? Reductions.sumTo(where(cond, g, zero), as) : null;
            Tensor gb = b.requiresGrad() ? Reductions.sumTo(where(cond, zero, g), bs) : null;
            return new Tensor[] {ga, gb};
        });
    }

    /** x with {@code value} where mask is true. */
    public static Tensor maskedFill(Tensor x, Tensor mask, double value) {
        return where(mask, Tensor.full(x.dtype(), x.device(), value, 1), x);
    }

    static PointwiseKernels kernels(Tensor t) { return t.backend().pointwise(); }

    static void checkOperands(String op, Tensor a, Tensor b) {
        if (a.dtype() != b.dtype()) {
            throw new IllegalArgumentException(op + ": dtypes differ (" + a.dtype() + " and " + b.dtype() + "); convert one with to()");
        }
        checkDevices(op, a, b);
    }

    /**
     * All operands (nulls skipped) on one device; the error names each operand's device, e.g.
     * "add: tensors on different devices (operand 0 on cuda:0, operand 1 on cpu); move them to one device with to(Device)".
     */
    public static void checkDevices(String op, Tensor... ts) {
        org.vfmtok.tensor.Device first = null;
        boolean mixed = false;
        for (Tensor t : ts) {
            if (t == null) continue;
            if (first == null) first = t.device();
            else mixed |= !t.device().equals(first);
        }
        if (!mixed) return;
        StringBuilder sb = new StringBuilder(op + ": tensors on different devices (");
        for (int i = 0; i < ts.length; i++) {
            if (ts[i] == null) continue;
            if (sb.charAt(sb.length() - 1) != '(') sb.append(", ");
            sb.append("operand ").append(i).append(" on ").append(ts[i].device());
        }
        throw new IllegalArgumentException(sb.append("); move them to one device with to(Device)").toString());
    }

    static String str(int[] s) { return Arrays.toString(s); }
}
