package org.vfmtok.tensor.util;

/** Special functions the JDK lacks, to double precision. */
public final class MathUtil {
    private MathUtil() {}

    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;

    /** The error function, accurate to about 1e-15 (series below 2.5, continued fraction above). */
    public static double erf(double x) {
        if (Double.isNaN(x)) return x;
        double ax = Math.abs(x);
        double r;
        if (ax < 2.5) {
            double x2 = ax * ax, term = ax, sum = ax;
            for (int n = 1; n < 200; n++) {
                term *= -x2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
            }
            r = TWO_OVER_SQRT_PI * sum;
        } else if (ax > 6.0) {
            r = 1.0;
        } else {
            r = 1.0 - erfcLarge(ax);
        }
        return x < 0 ? -r : r;
    }

    /** The complementary error function 1 - erf(x), keeping relative accuracy in the upper tail. */
    public static double erfc(double x) {
        if (Double.isNaN(x)) return x;
        if (x < 2.5) return 1.0 - erf(x);
        if (x > 27.0) return 0.0; // below the smallest double
        return erfcLarge(x);
    }

    /** The standard normal CDF Φ(x) = erfc(-x/√2)/2, accurate in both tails. */
    public static double normalCdf(double x) {
        return 0.5 * erfc(-x / Math.sqrt(2.0));
    }

    /** erfc(x) for x >= 2.5 by Lentz's continued fraction. */
    private static double erfcLarge(double x) {
        // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))))
        double f = x;
        double tiny = 1e-300, c = f, d = 0;
        for (int n = 1; n < 300; n++) {
            double an = n / 2.0;
            d = x + an * d;
            d = Math.abs(d) < tiny ? tiny : d;
            c = x + an / c;
            c = Math.abs(c) < tiny ? tiny : c;
            d = 1 / d;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-16) break;
        }
        return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
    }
}
