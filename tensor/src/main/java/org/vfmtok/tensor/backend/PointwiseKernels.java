package org.vfmtok.tensor.backend;

import org.vfmtok.tensor.Tensor;

/**
 * Elementwise kernels. Inputs are views already broadcast (expanded, stride 0 where broadcast) to the
 * output's shape, with any strides; {@code out} is contiguous unless stated. Floating inputs and
 * output share one dtype; comparisons write BOOL (or the output's dtype).
 */
public interface PointwiseKernels {
    /** Unary ops; {@code a} and {@code b} are the op's scalar parameters (see {@link UnaryOp}). */
    enum UnaryOp {
        NEG, EXP, LOG, SQRT, RSQRT, TANH, SIGMOID, RELU, GELU_ERF, GELU_TANH, SILU, ABS, SQUARE,
        RECIPROCAL, SIN, COS, SOFTPLUS,
        /** x^a. */
        POW_SCALAR,
        /** min(max(x, a), b). */
        CLAMP,
        /** a·x + b. */
        AFFINE,
        /** x if x > 0 else a·x. */
        LEAKY_RELU
    }

    enum BinaryOp { ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM, EQ, NE, LT, LE, GT, GE }

    void unary(UnaryOp op, Tensor x, Tensor out, double a, double b);

    /** gradIn = gradOut · d op(x)/dx, with y = op(x) available for ops whose derivative uses it. */
    void unaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor gradOut, Tensor gradIn, double a, double b);

    void binary(BinaryOp op, Tensor x, Tensor y, Tensor out);

    /** out = cond ? x : y; {@code cond} is BOOL (nonzero = true). */
    void where(Tensor cond, Tensor x, Tensor y, Tensor out);

    /**
     * {@code out = silu(gate)·up} (the SwiGLU gate), all three of one shape and dtype; {@code out} may be
     * {@code gate}. Same bits as {@code SILU} then {@code MUL}. For contiguous F32 on the CPU it runs on the
     * calling thread and allocates nothing (a decode step's few rows).
     */
    void siluMul(Tensor gate, Tensor up, Tensor out);

    /** The check of {@link #siluMul}: one shape (compared size by size, so that the check allocates nothing). */
    static void checkSiluMul(Tensor gate, Tensor up, Tensor out) {
        boolean same = gate.dim() == up.dim() && gate.dim() == out.dim();
        for (int d = 0; same && d < gate.dim(); d++) same = gate.size(d) == up.size(d) && gate.size(d) == out.size(d);
        if (!same) {
            throw new IllegalArgumentException("siluMul: gate " + java.util.Arrays.toString(gate.shape()) + ", up " + java.util.Arrays.toString(up.shape())
                    + ", out " + java.util.Arrays.toString(out.shape()) + " (need one shape)");
        }
    }
}
