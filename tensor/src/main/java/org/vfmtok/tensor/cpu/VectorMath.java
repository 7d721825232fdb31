package org.vfmtok.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Float special functions the Vector API lacks (exp, log, tanh... are intrinsics already).
 *
 * <p>erfc uses the Chebyshev-fitted form of Numerical Recipes ({@code erfcc}, fractional error below
 * 1.2e-7 for every argument) with the exponent -z² formed exactly, so the normal CDF built on it stays
 * within ~1e-6 relative (measured over [-6, 6], VectorMathTest) even deep in the lower tail, where
 * {@code 1 + erf(x)} would cancel (the GELU of a very negative input). Abramowitz-Stegun 7.1.26 (error
 * 1.5e-7 absolute, not relative) is not good enough there.
 */
final class VectorMath {
    private VectorMath() {}

    private static final float INV_SQRT2 = (float) (1.0 / Math.sqrt(2.0));
    private static final float INV_SQRT_2PI = (float) (1.0 / Math.sqrt(2.0 * Math.PI));
    private static final float[] ERFC = {
        -1.26551223f, 1.00002368f, 0.37409196f, 0.09678418f, -0.18628806f,
        0.27886807f, -1.13520398f, 1.48851587f, -0.82215223f, 0.17087277f,
    };

    /**
     * erfc(z) for z >= 0, given z² as an unevaluated sum {@code zzHi + zzLo}: the exponent -z² dominates
     * the relative error in the tail, so callers form it exactly (an fma remainder) instead of squaring a
     * rounded z.
     */
    static FloatVector erfcNonNegative(FloatVector z, FloatVector zzHi, FloatVector zzLo) {
        FloatVector t = FloatVector.broadcast(z.species(), 1f).div(z.fma(FloatVector.broadcast(z.species(), 0.5f), FloatVector.broadcast(z.species(), 1f)));
        FloatVector p = FloatVector.broadcast(z.species(), ERFC[9]);
        for (int i = 8; i >= 0; i--) p = p.fma(t, FloatVector.broadcast(z.species(), ERFC[i]));
        return t.mul(p.sub(zzLo).sub(zzHi).lanewise(VectorOperators.EXP));
    }

    /** The standard normal CDF Φ(x) = erfc(-x/√2)/2, accurate to ~1e-6 relative for |x| <= 6. */
    static FloatVector normalCdf(FloatVector x) {
        FloatVector xx = x.mul(x);
        FloatVector xxLo = x.fma(x, xx.neg()); // x*x - round(x*x), exactly
        // z = |x|/√2 and z² = x²/2 (halving is exact)
        FloatVector half = erfcNonNegative(x.abs().mul(INV_SQRT2), xx.mul(0.5f), xxLo.mul(0.5f)).mul(0.5f);
        // x <= 0: Φ = erfc(|x|/√2)/2; otherwise Φ = 1 - erfc(|x|/√2)/2
        return half.blend(half.neg().add(1f), x.compare(VectorOperators.GT, 0f));
    }

    /** erf(x), accurate to ~2e-7 relative (series near 0, erfc elsewhere). */
    static FloatVector erf(FloatVector x) {
        FloatVector ax = x.abs();
        FloatVector xx = x.mul(x);
        FloatVector viaErfc = erfcNonNegative(ax, xx, x.fma(x, xx.neg())).neg().add(1f);
        // Taylor series 2/√π Σ (-1)^n x^(2n+1) / (n! (2n+1)), enough terms for |x| <= 0.5
        FloatVector x2 = xx;
        FloatVector s = FloatVector.broadcast(x.species(), (float) (-1.0 / (5040 * 15)));
        s = s.fma(x2, FloatVector.broadcast(x.species(), (float) (1.0 / (720 * 13))));
        s = s.fma(x2, FloatVector.broadcast(x.species(), (float) (-1.0 / (120 * 11))));
        s = s.fma(x2, FloatVector.broadcast(x.species(), (float) (1.0 / (24 * 9))));
        s = s.fma(x2, FloatVector.broadcast(x.species(), (float) (-1.0 / (6 * 7))));
        s = s.fma(x2, FloatVector.broadcast(x.species(), (float) (1.0 / (2 * 5))));
        s = s.fma(x2, FloatVector.broadcast(x.species(), (float) (-1.0 / 3)));
        s = s.fma(x2, FloatVector.broadcast(x.species(), 1f));
        FloatVector series = s.mul(ax).mul((float) (2.0 / Math.sqrt(Math.PI)));
        FloatVector r = viaErfc.blend(series, ax.compare(VectorOperators.LT, 0.5f));
        return r.blend(r.neg(), x.compare(VectorOperators.LT, 0f));
    }

    /** The standard normal density. */
    static FloatVector normalPdf(FloatVector x) {
        return x.mul(x).mul(-0.5f).lanewise(VectorOperators.EXP).mul(INV_SQRT_2PI);
    }

    static FloatVector sigmoid(FloatVector x) {
        FloatVector one = FloatVector.broadcast(x.species(), 1f);
        return one.div(x.neg().lanewise(VectorOperators.EXP).add(1f));
    }
}
