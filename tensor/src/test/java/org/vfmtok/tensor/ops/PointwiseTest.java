package org.vfmtok.tensor.ops;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.PointwiseKernels.BinaryOp;
import org.vfmtok.tensor.backend.PointwiseKernels.UnaryOp;
import org.vfmtok.tensor.testing.Compare;
import org.vfmtok.tensor.testing.GradCheck;

class PointwiseTest {
    private static final double ATOL = 1e-6, RTOL = 1e-5;

    private static double a(UnaryOp op) {
        return switch (op) {
            case POW_SCALAR -> 2.5;
            case CLAMP -> -0.5;
            case AFFINE -> 1.5;
            case LEAKY_RELU -> 0.1;
            default -> 0;
        };
    }

    private static double b(UnaryOp op) {
        return switch (op) {
            case CLAMP -> 0.7;
            case AFFINE -> -0.25;
            default -> 0;
        };
    }

    /** Inputs inside the op's domain, spread wide enough to reach tails and thresholds. */
    private static Supplier<Double> domain(UnaryOp op, SplittableRandom rng) {
        return switch (op) {
            case LOG, SQRT, RSQRT, POW_SCALAR, RECIPROCAL -> () -> 0.05 + 3 * rng.nextDouble();
            case SOFTPLUS -> () -> 50 * (rng.nextDouble() - 0.5);
            case GELU_ERF, GELU_TANH, SIGMOID, SILU, TANH -> () -> 16 * (rng.nextDouble() - 0.5);
            default -> () -> 4 * (rng.nextDouble() - 0.5);
        };
    }

    @Test
    void unaryMatchesReferenceOnEveryLayout() {
        var rng = new SplittableRandom(1);
        for (UnaryOp op : UnaryOp.values()) {
            for (int[] shape : Views.SHAPES) {
                for (Views.Case c : Views.layouts(rng, shape, domain(op, rng))) {
                    Compare.backends(op + " " + c.name(), () -> Pointwise.unary(op, c.t(), a(op), b(op)), ATOL, RTOL);
                }
            }
        }
    }

    @Test
    void unaryBackwardMatchesReference() {
        var rng = new SplittableRandom(2);
        for (UnaryOp op : UnaryOp.values()) {
            for (int[] shape : new int[][] {{3}, {1037}, {5, 33}}) {
                for (Views.Case c : Views.layouts(rng, shape, domain(op, rng))) {
                    Tensor g = Views.fill(Tensor.empty(DType.F32, shape), () -> rng.nextDouble() - 0.5);
                    Compare.backends(op + "' " + c.name(), () -> {
                        Tensor x = c.t().detach().requiresGrad(true);
                        Pointwise.unary(op, x, a(op), b(op)).backward(g);
                        return x.grad();
                    }, ATOL, RTOL);
                }
            }
        }
    }

    @Test
    void geluTailsAndErfKeepRelativeAccuracy() {
        // deep negative inputs: 1 + erf(x/√2) would cancel; the result must stay accurate relative to itself
        // (beyond x = -6 the float rounding of exp's argument, ~x²/2, bounds the relative error near 1e-5)
        Tensor far = Tensor.of(new float[] {-9, -8, -7});
        Compare.backends("gelu far tail", () -> Pointwise.gelu(far), 1e-30, 1e-5);
        double[] xs = {-6, -5.5, -4, -2, -0.5, -1e-3, 0, 1e-3, 0.5, 2, 4, 7};
        Tensor x32 = Tensor.of(xs).to(DType.F32);
        Compare.backends("gelu tails", () -> Pointwise.gelu(x32), 1e-30, 3e-6);
        Compare.backends("gelu' tails", () -> {
            Tensor xx = x32.detach().requiresGrad(true);
            Pointwise.gelu(xx).sum().backward();
            return xx.grad();
        }, 1e-30, 3e-6);
    }

    private static final BinaryOp[] ARITH = {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV, BinaryOp.POW, BinaryOp.MAXIMUM, BinaryOp.MINIMUM};

    @Test
    void binaryWithBroadcastingMatchesReference() {
        var rng = new SplittableRandom(3);
        Supplier<Double> pos = () -> 0.2 + 2 * rng.nextDouble();
        int[][][] pairs = {
            {{7, 33}, {7, 33}}, {{1037}, {1037}}, {{64, 130}, {130}}, {{64, 130}, {64, 1}}, {{5, 33}, {1}},
            {{2, 3, 17}, {3, 1}}, {{2, 3, 17}, {2, 1, 17}}, {{3}, {2, 1}}, {{1}, {4, 5}}, {{4, 1, 6}, {1, 5, 1}},
        };
        for (BinaryOp op : ARITH) {
            for (int[][] p : pairs) {
                for (Views.Case ca : Views.layouts(rng, p[0], pos)) {
                    Tensor b = Views.fill(Tensor.empty(DType.F32, p[1]), pos);
                    Compare.backends(op + " " + ca.name() + " with " + Views.str(p[1]), () -> Pointwise.binary(op, ca.t(), b), ATOL, RTOL);
                    Compare.backends(op + " " + Views.str(p[1]) + " with " + ca.name(), () -> Pointwise.binary(op, b, ca.t()), ATOL, RTOL);
                }
            }
        }
        // both operands transposed
        Tensor x = Init.randn(rng, 40, 33).mT(), y = Init.randn(rng, 40, 33).mT();
        Compare.backends("add transposed", () -> x.add(y), ATOL, RTOL);
    }

    @Test
    void binaryBackwardMatchesReference() {
        var rng = new SplittableRandom(4);
        Tensor a = Views.fill(Tensor.empty(DType.F32, 17, 33), () -> 0.2 + 2 * rng.nextDouble());
        Tensor b = Views.fill(Tensor.empty(DType.F32, 33), () -> 0.2 + 2 * rng.nextDouble());
        for (BinaryOp op : ARITH) {
            for (int which = 0; which < 2; which++) {
                int w = which;
                Compare.backends(op + " grad " + w, () -> {
                    Tensor aa = a.detach().requiresGrad(true), bb = b.detach().requiresGrad(true);
                    Pointwise.binary(op, aa, bb).sum().backward();
                    return w == 0 ? aa.grad() : bb.grad();
                }, 1e-5, 1e-5);
            }
        }
    }

    @Test
    void inPlaceAddAndBinary() {
        var rng = new SplittableRandom(5);
        Tensor base = Init.randn(rng, 9, 37);
        Tensor bias = Init.randn(rng, 37);
        Compare.backends("addInPlace", () -> {
            Tensor d = base.copy();
            Pointwise.addInPlace(d, bias);
            return d;
        }, 0, 0);
        Compare.backends("mul_ transposed dst", () -> {
            Tensor d = base.copy().mT(); // non-contiguous destination
            Pointwise.binaryInPlace(BinaryOp.MUL, d, bias.narrow(0, 0, 9));
            return d.contiguous();
        }, 0, 0);
    }

    @Test
    void comparisonsWhereAndMaskedFill() {
        var rng = new SplittableRandom(6);
        Tensor x = Views.fill(Tensor.empty(DType.F32, 13, 35), () -> (double) rng.nextInt(5));
        Tensor y = Views.fill(Tensor.empty(DType.F32, 35), () -> (double) rng.nextInt(5));
        for (BinaryOp op : new BinaryOp[] {BinaryOp.EQ, BinaryOp.NE, BinaryOp.LT, BinaryOp.LE, BinaryOp.GT, BinaryOp.GE}) {
            Compare.backends(op.name(), () -> Pointwise.compare(op, x, y).to(DType.F32), 0, 0);
            Compare.backends(op + " transposed", () -> Pointwise.compare(op, x.mT(), y.unsqueeze(1)).to(DType.F32), 0, 0);
        }
        Tensor mask = Pointwise.compare(BinaryOp.GT, x, y);
        Compare.backends("where", () -> Pointwise.where(mask, x, y), 0, 0);
        Compare.backends("where transposed", () -> Pointwise.where(mask.mT(), x.mT(), Tensor.scalar(-1)), 0, 0);
        Compare.backends("maskedFill row mask", () -> Pointwise.maskedFill(x, mask.narrow(0, 0, 1), -1e9), 0, 0);
        Tensor filled = Pointwise.maskedFill(x, mask, -7);
        float[] xf = x.toFloatArray(), mf = mask.to(DType.F32).toFloatArray(), ff = filled.toFloatArray();
        for (int i = 0; i < xf.length; i++) assertEquals(mf[i] != 0 ? -7f : xf[i], ff[i]);
    }

    @Test
    void nanPropagatesLikeTheReference() {
        Tensor x = Tensor.of(new float[] {Float.NaN, 1, -1, Float.NaN, 0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, Float.NaN});
        Tensor y = Tensor.of(new float[] {0, Float.NaN, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
        for (UnaryOp op : new UnaryOp[] {UnaryOp.RELU, UnaryOp.CLAMP, UnaryOp.LEAKY_RELU, UnaryOp.ABS, UnaryOp.GELU_ERF}) {
            Compare.backends("NaN " + op, () -> Pointwise.unary(op, x, a(op), b(op)), 0, 1e-6);
        }
        Compare.backends("NaN max", () -> Pointwise.maximum(x, y), 0, 0);
        Compare.backends("NaN min", () -> Pointwise.minimum(x, y), 0, 0);
    }

    /**
     * ReLU's backward is a select, as torch's threshold_backward: a NaN or infinite gradient where the unit is off
     * (LPIPS's channel norm of an all-zero feature sends one) gives 0 there, not NaN; where it is on it passes.
     */
    @Test
    void reluBackwardSelectsTheGradient() {
        float[] xs = new float[19], gs = new float[19];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = i % 3 == 0 ? 0f : (i % 3 == 1 ? -1f - i : 1f + i);
            gs[i] = i % 4 == 0 ? Float.NaN : (i % 4 == 1 ? Float.POSITIVE_INFINITY : 0.5f * i);
        }
        for (var backend : new org.vfmtok.tensor.backend.Backend[] {Compare.fast(), org.vfmtok.tensor.backend.Backends.scalar()}) {
            float[] grad = org.vfmtok.tensor.backend.Backends.using(backend, () -> {
                Tensor x = Tensor.of(xs).requiresGrad(true);
                Pointwise.relu(x).backward(Tensor.of(gs));
                return x.grad();
            }).toFloatArray();
            for (int i = 0; i < xs.length; i++) {
                float want = xs[i] > 0 ? gs[i] : 0f;
                assertEquals(want, grad[i], 0f, backend.getClass().getSimpleName() + ": relu grad at x = " + xs[i] + " with incoming " + gs[i]);
            }
        }
    }

    @Test
    void gradientsOfEveryOpInDoublePrecision() {
        var rng = new SplittableRandom(7);
        for (UnaryOp op : UnaryOp.values()) {
            Tensor x = Views.fill(Tensor.empty(DType.F64, 3, 4), domain(op, rng)).requiresGrad(true);
            if (op == UnaryOp.RELU || op == UnaryOp.ABS || op == UnaryOp.LEAKY_RELU || op == UnaryOp.CLAMP) {
                // keep clear of the kinks, where finite differences are meaningless
                double[] v = x.toDoubleArray();
                for (int i = 0; i < v.length; i++) {
                    if (Math.abs(v[i]) < 0.05) v[i] += 0.2;
                    if (op == UnaryOp.CLAMP && (Math.abs(v[i] + 0.5) < 0.05 || Math.abs(v[i] - 0.7) < 0.05)) v[i] += 0.13;
                }
                x = Tensor.of(v, 3, 4).requiresGrad(true);
            }
            GradCheck.check(op.name(), in -> Pointwise.unary(op, in[0], a(op), b(op)), x);
        }
        Tensor a = Views.fill(Tensor.empty(DType.F64, 3, 4), () -> 0.5 + rng.nextDouble()).requiresGrad(true);
        Tensor row = Views.fill(Tensor.empty(DType.F64, 4), () -> 0.5 + rng.nextDouble()).requiresGrad(true);
        Tensor col = Views.fill(Tensor.empty(DType.F64, 3, 1), () -> 0.5 + rng.nextDouble()).requiresGrad(true);
        for (BinaryOp op : ARITH) {
            GradCheck.check(op + " row-broadcast", in -> Pointwise.binary(op, in[0], in[1]), a, row);
            GradCheck.check(op + " col-broadcast", in -> Pointwise.binary(op, in[0].mT(), in[1].mT()), a, col);
        }
        // ties split the gradient in half
        Tensor t1 = Tensor.of(new double[] {1, 2, 3, 4}).requiresGrad(true);
        Tensor t2 = Tensor.of(new double[] {1, 5, 3, 0}).requiresGrad(true);
        Pointwise.maximum(t1, t2).sum().backward();
        assertArrayEquals(new double[] {0.5, 0, 0.5, 1}, t1.grad().toDoubleArray());
        assertArrayEquals(new double[] {0.5, 1, 0.5, 0}, t2.grad().toDoubleArray());
        Tensor cond = Pointwise.compare(BinaryOp.GT, Init.randn(rng, DType.F64, 3, 1), Tensor.zeros(DType.F64, 1));
        GradCheck.check("where broadcast", in -> Pointwise.where(cond, in[0], in[1]), a, row);
        GradCheck.check("maskedFill", in -> Pointwise.maskedFill(in[0], cond, 3.0), a);
    }

    @Test
    void clearErrors() {
        Tensor f = Tensor.zeros(2, 3);
        Tensor d = Tensor.zeros(DType.F64, 2, 3);
        var e1 = assertThrows(IllegalArgumentException.class, () -> f.add(d));
        assertTrue(e1.getMessage().contains("F32") && e1.getMessage().contains("F64"), e1.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> f.add(Tensor.zeros(4)));
        assertTrue(e2.getMessage().contains("[2, 3]") && e2.getMessage().contains("[4]"), e2.getMessage());
        var e3 = assertThrows(IllegalArgumentException.class, () -> Pointwise.exp(Tensor.ofInts(new int[] {1, 2})));
        assertTrue(e3.getMessage().contains("I32"), e3.getMessage());
        var e4 = assertThrows(IllegalArgumentException.class, () -> Pointwise.where(f, f, f));
        assertTrue(e4.getMessage().contains("BOOL"), e4.getMessage());
    }

    @Test
    void largeTensorsUseThreadsAndStayCorrect() {
        var rng = new SplittableRandom(8);
        Tensor x = Init.randn(rng, 300, 1001);
        Tensor bias = Init.randn(rng, 1001);
        Compare.backends("big gelu", () -> Pointwise.gelu(x), ATOL, RTOL);
        Compare.backends("big bias add", () -> x.add(bias), 0, 0);
        Compare.backends("big per-row mul", () -> x.mul(x.narrow(1, 0, 1)), 0, 0);
    }
}
