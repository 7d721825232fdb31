package org.vfmtok.tensor.cpu;

import static jdk.incubator.vector.VectorOperators.*;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.PointwiseKernels;
import org.vfmtok.tensor.cpu.LineLoop.Line;

/**
 * Vector API elementwise kernels for F32 (comparisons write BOOL); other dtypes go to the reference.
 * {@link LineLoop} handles layouts, threads and tails; the kernels here are one loop each over whole
 * vectors of contiguous lines. The op switch sits inside the loop on purpose: the Vector API only
 * compiles to SIMD when the operator is a constant at the call, and C2 prunes the cases never taken.
 */
public final class CpuPointwise implements PointwiseKernels {
    private static final VectorSpecies<Float> F = VectorSupport.F;
    private static final int VL = F.length();
    /** Bytes with as many lanes as F, for BOOL operands; null when F is too narrow (then the reference runs). */
    private static final VectorSpecies<Byte> B = VL >= 8 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(VL * 8)) : null;
    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2.0 / Math.PI);
    private static final float GELU_C = 0.044715f;

    private final PointwiseKernels reference;

    public CpuPointwise(PointwiseKernels reference) {
        this.reference = reference;
    }

    private static boolean allF32(Tensor... ts) {
        for (Tensor t : ts) if (t.dtype() != DType.F32 || !t.device().isCpu()) return false;
        return true;
    }

    @Override
    public void unary(UnaryOp op, Tensor x, Tensor out, double a, double b) {
        if (!allF32(x, out)) {
            reference.unary(op, x, out, a, b);
            return;
        }
        checkShapes(out, x);
        float fa = (float) a, fb = (float) b;
        LineLoop.run((in, o, n) -> unaryLine(op, fa, fb, in[0], o, n), out, x);
    }

    @Override
    public void unaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor gradOut, Tensor gradIn, double a, double b) {
        if (!allF32(x, y, gradOut, gradIn)) {
            reference.unaryBackward(op, x, y, gradOut, gradIn, a, b);
            return;
        }
        checkShapes(gradIn, x, y, gradOut);
        float fa = (float) a, fb = (float) b;
        LineLoop.run((in, o, n) -> backwardLine(op, fa, fb, in[0], in[1], in[2], o, n), gradIn, x, y, gradOut);
    }

    @Override
    public void binary(BinaryOp op, Tensor x, Tensor y, Tensor out) {
        boolean compare = op.ordinal() >= BinaryOp.EQ.ordinal();
        boolean fast = allF32(x, y) && (compare ? out.dtype() == DType.BOOL && B != null : out.dtype() == DType.F32);
        if (!fast) {
            reference.binary(op, x, y, out);
            return;
        }
        checkShapes(out, x, y);
        if (compare) LineLoop.run((in, o, n) -> compareLine(op, in[0], in[1], o, n), out, x, y);
        else LineLoop.run((in, o, n) -> binaryLine(op, in[0], in[1], o, n), out, x, y);
    }

    @Override
    public void where(Tensor cond, Tensor x, Tensor y, Tensor out) {
        if (B == null || cond.dtype() != DType.BOOL || !allF32(x, y, out)) {
            reference.where(cond, x, y, out);
            return;
        }
        checkShapes(out, cond, x, y);
        LineLoop.run((in, o, n) -> whereLine(in[0], in[1], in[2], o, n), out, cond, x, y);
    }

    // ------------------------------------------------------------------ line kernels

    private static void unaryLine(UnaryOp op, float a, float b, Line x, Line out, int n) {
        // GELU and SiLU get compiled loops of their own: inside the big switch below C2 declined to inline
        // normalCdf ("callee is too large") and, for SiLU, the exp under sigmoid, so every vector was boxed
        // (boxed vectors make a line several times slower and allocate on every call, which a decode step must not).
        if (op == UnaryOp.GELU_ERF) {
            geluErfLine(x, out, n);
            return;
        }
        if (op == UnaryOp.SILU) {
            siluLine(x, out, n);
            return;
        }
        for (int i = 0; i < n; i += VL) {
            FloatVector v = x.f(i);
            switch (op) {
                case NEG -> out.store(v.neg(), i);
                case EXP -> out.store(VectorMath.exp(v), i);
                case LOG -> out.store(VectorMath.log(v), i);
                case SQRT -> out.store(v.sqrt(), i);
                case RSQRT -> out.store(FloatVector.broadcast(F, 1f).div(v.sqrt()), i);
                case TANH -> out.store(VectorMath.tanh(v), i);
                case SIGMOID -> out.store(VectorMath.sigmoid(v), i);
                case RELU -> out.store(v.max(0f), i);
                case GELU_ERF -> out.store(v.mul(VectorMath.normalCdf(v)), i);
                case GELU_TANH -> out.store(geluTanh(v), i);
                case SILU -> out.store(v.mul(VectorMath.sigmoid(v)), i);
                case ABS -> out.store(v.abs(), i);
                case SQUARE -> out.store(v.mul(v), i);
                case RECIPROCAL -> out.store(FloatVector.broadcast(F, 1f).div(v), i);
                // sin, cos and pow stay Vector API intrinsics (SVML when compiled, Math per lane when not, which
                // can differ in the last bit); no model or training path uses them, unlike exp/log/tanh above
                case SIN -> out.store(v.lanewise(SIN), i);
                case COS -> out.store(v.lanewise(COS), i);
                case SOFTPLUS -> out.store(VectorMath.log1pNonNegative(VectorMath.exp(v)).blend(v, v.compare(GT, 20f)), i);
                case POW_SCALAR -> out.store(v.pow(a), i);
                case CLAMP -> out.store(v.max(a).min(b), i);
                case AFFINE -> out.store(v.fma(a, b), i);
                case LEAKY_RELU -> out.store(v.mul(a).blend(v, v.compare(GT, 0f)), i);
            }
        }
    }

    /**
     * out = silu(gate)·up. Contiguous F32 runs on the calling thread without allocating (a decode step's
     * feed-forward: a few rows, less work than a hand-over to the workers); the same bits as {@code SILU} then
     * {@code MUL} through {@link #unary} and {@link #binary}, the last partial vector masked through the same
     * lane arithmetic.
     */
    @Override
    public void siluMul(Tensor gate, Tensor up, Tensor out) {
        PointwiseKernels.checkSiluMul(gate, up, out);
        if (!FastPath.denseF32(gate) || !FastPath.denseF32(up) || !FastPath.denseF32(out)) {
            reference.siluMul(gate, up, out);
            return;
        }
        siluMul(gate.segment(), gate.byteOffset(), up.segment(), up.byteOffset(), out.segment(), out.byteOffset(), Math.toIntExact(gate.numel()));
    }

    /** o[i] = silu(a[i])·b[i] over n contiguous floats at byte offsets ao, bo, oo. */
    static void siluMul(java.lang.foreign.MemorySegment a, long ao, java.lang.foreign.MemorySegment b, long bo, java.lang.foreign.MemorySegment o, long oo, int n) {
        for (int i = 0; i < n; i += VL) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector v = FloatVector.fromMemorySegment(F, a, ao + 4L * i, LineLoop.LE, m);
            FloatVector g = FloatVector.fromMemorySegment(F, b, bo + 4L * i, LineLoop.LE, m);
            v.mul(VectorMath.sigmoid(v)).mul(g).intoMemorySegment(o, oo + 4L * i, LineLoop.LE, m);
        }
    }

    private static void siluLine(Line x, Line out, int n) {
        for (int i = 0; i < n; i += VL) {
            FloatVector v = x.f(i);
            out.store(v.mul(VectorMath.sigmoid(v)), i);
        }
    }

    private static void geluErfLine(Line x, Line out, int n) {
        for (int i = 0; i < n; i += VL) {
            FloatVector v = x.f(i);
            out.store(v.mul(VectorMath.normalCdf(v)), i);
        }
    }

    private static FloatVector geluTanh(FloatVector v) {
        FloatVector inner = v.mul(v).mul(v).mul(GELU_C).add(v).mul(SQRT_2_OVER_PI);
        return VectorMath.tanh(inner).add(1f).mul(v).mul(0.5f);
    }

    /** gradIn = gradOut · op'(x), using y = op(x) where that is cheaper. */
    private static void backwardLine(UnaryOp op, float a, float b, Line x, Line y, Line g, Line out, int n) {
        for (int i = 0; i < n; i += VL) {
            FloatVector gv = g.f(i);
            switch (op) {
                case NEG -> out.store(gv.neg(), i);
                case EXP -> out.store(gv.mul(y.f(i)), i);
                case LOG -> out.store(gv.div(x.f(i)), i);
                case SQRT -> out.store(gv.mul(0.5f).div(y.f(i)), i);
                case RSQRT -> {
                    FloatVector yv = y.f(i);
                    out.store(gv.mul(yv.mul(yv).mul(yv).mul(-0.5f)), i);
                }
                case TANH -> {
                    FloatVector yv = y.f(i);
                    out.store(gv.mul(yv.mul(yv).neg().add(1f)), i);
                }
                case SIGMOID -> {
                    FloatVector yv = y.f(i);
                    out.store(gv.mul(yv.mul(yv.neg().add(1f))), i);
                }
                // a select, not a product (torch's threshold_backward): a NaN or infinite gradient
                // arriving where the unit is off stays out, as LPIPS's norm of an all-zero feature sends one
                case RELU -> out.store(FloatVector.zero(F).blend(gv, x.f(i).compare(GT, 0f)), i);
                case GELU_ERF -> {
                    FloatVector xv = x.f(i);
                    out.store(gv.mul(xv.fma(VectorMath.normalPdf(xv), VectorMath.normalCdf(xv))), i);
                }
                case GELU_TANH -> {
                    FloatVector xv = x.f(i);
                    FloatVector x2 = xv.mul(xv);
                    FloatVector t = VectorMath.tanh(x2.mul(xv).mul(GELU_C).add(xv).mul(SQRT_2_OVER_PI));
                    FloatVector dInner = x2.fma(3 * GELU_C, 1f).mul(SQRT_2_OVER_PI);
                    FloatVector d = t.add(1f).mul(0.5f).add(xv.mul(0.5f).mul(t.mul(t).neg().add(1f)).mul(dInner));
                    out.store(gv.mul(d), i);
                }
                case SILU -> {
                    FloatVector xv = x.f(i);
                    FloatVector s = VectorMath.sigmoid(xv);
                    out.store(gv.mul(s.mul(xv.mul(s.neg().add(1f)).add(1f))), i);
                }
                case ABS -> {
                    FloatVector xv = x.f(i);
                    FloatVector sign = FloatVector.zero(F).blend(1f, xv.compare(GT, 0f)).blend(-1f, xv.compare(LT, 0f));
                    out.store(gv.mul(sign), i);
                }
                case SQUARE -> out.store(gv.mul(x.f(i).mul(2f)), i);
                case RECIPROCAL -> {
                    FloatVector yv = y.f(i);
                    out.store(gv.mul(yv.mul(yv).neg()), i);
                }
                case SIN -> out.store(gv.mul(x.f(i).lanewise(COS)), i);
                case COS -> out.store(gv.mul(x.f(i).lanewise(SIN).neg()), i);
                case SOFTPLUS -> {
                    FloatVector xv = x.f(i);
                    out.store(gv.mul(VectorMath.sigmoid(xv).blend(1f, xv.compare(GT, 20f))), i);
                }
                case POW_SCALAR -> {
                    if (a == 0f) out.store(gv.mul(0f), i);
                    else out.store(gv.mul(x.f(i).pow(a - 1f).mul(a)), i);
                }
                case CLAMP -> {
                    FloatVector xv = x.f(i);
                    VectorMask<Float> inside = xv.compare(GE, a).and(xv.compare(LE, b));
                    out.store(gv.mul(FloatVector.zero(F).blend(1f, inside)), i);
                }
                case AFFINE -> out.store(gv.mul(a), i);
                case LEAKY_RELU -> out.store(gv.mul(FloatVector.broadcast(F, a).blend(1f, x.f(i).compare(GT, 0f))), i);
            }
        }
    }

    private static void binaryLine(BinaryOp op, Line x, Line y, Line out, int n) {
        for (int i = 0; i < n; i += VL) {
            FloatVector xv = x.f(i), yv = y.f(i);
            FloatVector r = switch (op) {
                case ADD -> xv.add(yv);
                case SUB -> xv.sub(yv);
                case MUL -> xv.mul(yv);
                case DIV -> xv.div(yv);
                case POW -> xv.pow(yv);
                case MAXIMUM -> xv.max(yv);
                case MINIMUM -> xv.min(yv);
                default -> throw new IllegalStateException(op.name());
            };
            out.store(r, i);
        }
    }

    private static void compareLine(BinaryOp op, Line x, Line y, Line out, int n) {
        ByteVector one = ByteVector.broadcast(B, (byte) 1), zero = ByteVector.zero(B);
        for (int i = 0; i < n; i += VL) {
            FloatVector xv = x.f(i), yv = y.f(i);
            VectorMask<Float> m = switch (op) {
                case EQ -> xv.compare(EQ, yv);
                case NE -> xv.compare(NE, yv);
                case LT -> xv.compare(LT, yv);
                case LE -> xv.compare(LE, yv);
                case GT -> xv.compare(GT, yv);
                case GE -> xv.compare(GE, yv);
                default -> throw new IllegalStateException(op.name());
            };
            zero.blend(one, m.cast(B)).intoMemorySegment(out.seg, out.off + i, LineLoop.LE);
        }
    }

    private static void whereLine(Line cond, Line x, Line y, Line out, int n) {
        boolean constant = cond.bcast;
        boolean constantValue = constant && cond.seg.get(java.lang.foreign.ValueLayout.JAVA_BYTE, cond.off) != 0;
        VectorMask<Float> all = F.maskAll(constantValue);
        for (int i = 0; i < n; i += VL) {
            VectorMask<Float> m = constant ? all
                    : ByteVector.fromMemorySegment(B, cond.seg, cond.off + i, LineLoop.LE).compare(NE, (byte) 0).cast(F);
            out.store(y.f(i).blend(x.f(i), m), i);
        }
    }

    private static void checkShapes(Tensor out, Tensor... ins) {
        for (Tensor t : ins) {
            if (!java.util.Arrays.equals(t.shape(), out.shape())) {
                throw new IllegalArgumentException("operand shape " + java.util.Arrays.toString(t.shape())
                        + " differs from output " + java.util.Arrays.toString(out.shape()));
            }
        }
    }
}
