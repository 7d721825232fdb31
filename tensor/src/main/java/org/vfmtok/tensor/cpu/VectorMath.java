package org.vfmtok.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Float special functions, each a Vector API kernel built from exactly rounded operations (so it gives
 * the same bits interpreted and compiled; see exp below).
 *
 * <p>erfc uses the Chebyshev-fitted form of Numerical Recipes ({@code erfcc}, fractional error below
 * 1.2e-7 for every argument) with the exponent -z² formed exactly, so the normal CDF built on it stays
 * within ~1e-6 relative (measured over [-6, 6], VectorMathTest) even deep in the lower tail, where
 * {@code 1 + erf(x)} would cancel (the GELU of a very negative input). Abramowitz-Stegun 7.1.26 (error
 * 1.5e-7 absolute, not relative) is not good enough there.
 */
public final class VectorMath {
    private static final jdk.incubator.vector.VectorSpecies<Float> F = VectorSupport.F;
    private static final int VL = F.length();
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
        return t.mul(exp(p.sub(zzLo).sub(zzHi)));
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
        return exp(x.mul(x).mul(-0.5f)).mul(INV_SQRT_2PI);
    }

    static FloatVector sigmoid(FloatVector x) {
        FloatVector one = FloatVector.broadcast(x.species(), 1f);
        return one.div(exp(x.neg()).add(1f));
    }

    // ------------------------------------------------------------------ exp, log, tanh
    //
    // Why not VectorOperators.EXP/LOG/TANH: C2 compiles them to SVML intrinsics while the interpreter and
    // C1 fall back to Math.exp per lane, and the two round differently in the last bit. A computation
    // then depends on how warm the JIT is, which broke bit-exact training resume. These are built only
    // from operations IEEE 754 rounds exactly (add, mul, fma, conversions of integral values, bit moves),
    // so every execution mode gives the same bits. Each has a scalar twin with the same steps, for loop
    // tails, so a value does not depend on its position in a row either.

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** 1.5·2^23: adding and subtracting it rounds a float of magnitude below 2^22 to the nearest integer. */
    private static final float ROUNDER = 12582912f;
    private static final int ROUNDER_BITS = Float.floatToRawIntBits(ROUNDER);
    /** exp underflows to 0 below this (exp(-104) < half the smallest subnormal) and overflows above 89. */
    private static final float EXP_LO = -104f, EXP_HI = 89f;
    // Cephes expf: exp(r) ≈ 1 + r + r²·P(r) on |r| <= ln2/2, relative error ~1e-7
    private static final float E0 = 5.0000001201e-1f, E1 = 1.6666665459e-1f, E2 = 4.1665795894e-2f,
            E3 = 8.3334519073e-3f, E4 = 1.3981999507e-3f, E5 = 1.9875691500e-4f;

    /**
     * e^x, within 2 ulp of the true value (subnormal results included; exp(-inf) = 0, NaN stays NaN).
     * Clamping by compare-and-blend rather than max/min: Math.max semantics (NaN, -0) cost C2 several
     * instructions per lane, and a NaN passes the blends untouched and poisons p, so it needs no test.
     * Slower than VectorOperators.EXP (SVML's table-driven exp), which is the price of determinism: this
     * polynomial gives the same bits interpreted and compiled, on every CPU.
     */
    public static FloatVector exp(FloatVector x) {
        FloatVector xc = x.blend(EXP_LO, x.compare(VectorOperators.LT, EXP_LO));
        xc = xc.blend(EXP_HI, xc.compare(VectorOperators.GT, EXP_HI));
        // n = round(x·log2 e), held in the low bits of nr as well
        FloatVector nr = xc.fma(LOG2E, ROUNDER);
        FloatVector n = nr.sub(ROUNDER);
        FloatVector r = madd(n, -LN2_HI, xc);
        r = madd(n, -LN2_LO, r);
        FloatVector p = madd(madd(madd(madd(madd(FloatVector.broadcast(x.species(), E5), r, E4), r, E3), r, E2), r, E1), r, E0);
        p = p.mul(r.mul(r)).add(r).add(1f);
        // 2^n as two factors 2^(n/2)·2^(n-n/2): each a normal float, so results down to the subnormals round once
        IntVector ni = nr.reinterpretAsInts().sub(ROUNDER_BITS);
        IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1), n2 = ni.sub(n1);
        FloatVector s1 = n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(s1).mul(s2);
    }

    /**
     * {@code s[j] = exp(s[j] − shift)} over {@code [s0, s0+n)}, returning the sum; entries at -inf
     * become 0. {@code shift} must be finite. A loop of its own on purpose: inside a large kernel C2 may
     * stop inlining {@link #exp(FloatVector)} (NodeCountInliningCutoff), and a vector passed to a call that
     * is not inlined is boxed on the heap.
     */
    public static float expShift(float[] s, int s0, int n, float shift) {
        int j = 0;
        FloatVector sum = FloatVector.zero(F);
        for (; j + VL <= n; j += VL) {
            FloatVector e = exp(FloatVector.fromArray(F, s, s0 + j).sub(shift));
            e.intoArray(s, s0 + j);
            sum = sum.add(e);
        }
        float[] lanes = Lanes.spill();   // summed from a spill: a vector handed to Lanes.tree is boxed here
        sum.intoArray(lanes, 0);
        float total = Lanes.tree(lanes, 0);
        for (; j < n; j++) {
            float e = exp(s[s0 + j] - shift);
            s[s0 + j] = e;
            total += e;
        }
        return total;
    }

    /** The scalar twin of {@link #exp(FloatVector)}: the same steps, so the same bits. */
    public static float exp(float x) {
        float xc = x < EXP_LO ? EXP_LO : x;
        xc = xc > EXP_HI ? EXP_HI : xc;
        float nr = Math.fma(xc, LOG2E, ROUNDER);
        float n = nr - ROUNDER;
        float r = Math.fma(n, -LN2_HI, xc);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(E5, r, E4), r, E3), r, E2), r, E1), r, E0);
        p = p * (r * r) + r + 1f;
        int ni = Float.floatToRawIntBits(nr) - ROUNDER_BITS, n1 = ni >> 1, n2 = ni - n1;
        return p * Float.intBitsToFloat((n1 + 127) << 23) * Float.intBitsToFloat((n2 + 127) << 23);
    }

    private static final float SQRT_HALF = 0.707106781186547524f;
    // Cephes logf: log(1+f) ≈ f - f²/2 + f³·Q(f) on sqrt(1/2)-1 <= f < sqrt(2)-1
    private static final float[] LOGQ = {
        3.3333331174e-1f, -2.4999993993e-1f, 2.0000714765e-1f, -1.6668057665e-1f, 1.4249322787e-1f,
        -1.2420140846e-1f, 1.1676998740e-1f, -1.1514610310e-1f, 7.0376836292e-2f,
    };

    /** The natural logarithm, within 2 ulp (log(0) = -inf, log(x<0) = NaN, log(inf) = inf). */
    public static FloatVector log(FloatVector x) {
        // subnormals: scale into the normal range first
        VectorMask<Float> tiny = x.compare(VectorOperators.LT, Float.MIN_NORMAL);
        FloatVector xs = x.blend(x.mul(8388608f), tiny); // ·2^23
        IntVector bits = xs.reinterpretAsInts();
        IntVector e = bits.lanewise(VectorOperators.LSHR, 23).sub(126);
        // mantissa in [0.5, 1)
        FloatVector m = bits.and(0x007FFFFF).or(0x3F000000).reinterpretAsFloats();
        FloatVector ef = ((FloatVector) e.convert(VectorOperators.I2F, 0)).sub(FloatVector.zero(x.species()).blend(23f, tiny));
        VectorMask<Float> low = m.compare(VectorOperators.LT, SQRT_HALF);
        ef = ef.sub(FloatVector.zero(x.species()).blend(1f, low));
        FloatVector f = m.add(m.blend(0f, low.not())).sub(1f); // m < sqrt(1/2): 2m-1, else m-1
        FloatVector z = f.mul(f);
        FloatVector q = FloatVector.broadcast(x.species(), LOGQ[8]);
        for (int i = 7; i >= 0; i--) q = madd(q, f, LOGQ[i]);
        FloatVector y = q.mul(f).mul(z);
        y = madd(ef, LN2_LO, y);
        y = madd(z, -0.5f, y);
        FloatVector r = madd(ef, LN2_HI, f.add(y));
        r = r.blend(Float.NEGATIVE_INFINITY, x.compare(VectorOperators.EQ, 0f));
        r = r.blend(Float.NaN, x.compare(VectorOperators.LT, 0f));
        // +inf and NaN map to themselves
        return r.blend(x, x.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY).or(x.test(VectorOperators.IS_NAN)));
    }

    /** The scalar twin of {@link #log(FloatVector)}. */
    public static float log(float x) {
        if (x != x || x == Float.POSITIVE_INFINITY) return x;
        if (x == 0f) return Float.NEGATIVE_INFINITY;
        if (x < 0f) return Float.NaN;
        boolean tiny = x < Float.MIN_NORMAL;
        float xs = tiny ? x * 8388608f : x;
        int bits = Float.floatToRawIntBits(xs);
        float ef = (float) ((bits >>> 23) - 126) - (tiny ? 23f : 0f);
        float m = Float.intBitsToFloat((bits & 0x007FFFFF) | 0x3F000000);
        boolean low = m < SQRT_HALF;
        if (low) ef -= 1f;
        float f = m + (low ? m : 0f) - 1f;
        float z = f * f;
        float q = LOGQ[8];
        for (int i = 7; i >= 0; i--) q = Math.fma(q, f, LOGQ[i]);
        float y = q * f * z;
        y = Math.fma(ef, LN2_LO, y);
        y = Math.fma(z, -0.5f, y);
        return Math.fma(ef, LN2_HI, f + y);
    }

    /** log(1 + y) for y >= 0 (softplus of log1p(e^x)), accurate for tiny y: log(u)·y/(u-1) with u = 1+y. */
    static FloatVector log1pNonNegative(FloatVector y) {
        FloatVector u = y.add(1f);
        FloatVector um1 = u.sub(1f);
        VectorMask<Float> exact = um1.compare(VectorOperators.EQ, 0f);
        FloatVector r = log(u).mul(y).div(um1.blend(1f, exact));
        return r.blend(y, exact).blend(u, u.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY));
    }

    // Cephes tanhf for |x| < 0.625: x + x³·P(x²)
    private static final float T0 = -3.33332819422e-1f, T1 = 1.33314422036e-1f, T2 = -5.37397155531e-2f,
            T3 = 2.06390887954e-2f, T4 = -5.70498872745e-3f;

    /** tanh(x), within a few ulp: a polynomial near 0, 1 - 2/(e^(2|x|)+1) elsewhere. */
    public static FloatVector tanh(FloatVector x) {
        FloatVector ax = x.abs();
        FloatVector big = FloatVector.broadcast(x.species(), 1f).sub(FloatVector.broadcast(x.species(), 2f).div(exp(ax.add(ax)).add(1f)));
        big = big.blend(big.neg(), x.compare(VectorOperators.LT, 0f));
        FloatVector z = x.mul(x);
        FloatVector p = madd(madd(madd(madd(FloatVector.broadcast(x.species(), T4), z, T3), z, T2), z, T1), z, T0);
        FloatVector small = p.mul(z).fma(x, x);
        return big.blend(small, ax.compare(VectorOperators.LT, 0.625f)).blend(x, x.test(VectorOperators.IS_NAN));
    }

    /** a·b + c, rounded once. */
    private static FloatVector madd(FloatVector a, FloatVector b, float c) {
        return a.fma(b, FloatVector.broadcast(a.species(), c));
    }

    /** a·b + c, rounded once. */
    private static FloatVector madd(FloatVector a, float b, FloatVector c) {
        return a.fma(FloatVector.broadcast(a.species(), b), c);
    }
}
