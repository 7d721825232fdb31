package org.vfmtok.eval.gen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Cholesky route of tr (Σ₁Σ₂)^½ agrees with the square-root route on positive definite covariances. */
class FrechetDistanceRoutesTest {
    /** A covariance of n random correlated samples in d dimensions (positive definite when n > d). */
    private static double[] covariance(long seed, int n, int d) {
        Random r = new Random(seed);
        float[] x = new float[n * d];
        for (int i = 0; i < n; i++) {
            double common = r.nextGaussian();
            for (int j = 0; j < d; j++) x[i * d + j] = (float) (r.nextGaussian() * (1 + j % 3) + common * 0.5 + j * 0.01);
        }
        return ActivationStatistics.of(x, n, d).sigma();
    }

    @Test
    void choleskyRouteMatchesSquareRootRoute() {
        int d = 48;
        double[] s1 = covariance(1, 200, d), s2 = covariance(2, 300, d);
        double bySqrt = FrechetDistance.traceSqrtProductBySqrt(s1, s2, d);
        assertEquals(bySqrt, FrechetDistance.traceSqrtProduct(s1, s2, d), 1e-10 * bySqrt);
        assertEquals(FrechetDistance.traceSqrtProductBySqrt(s2, s1, d), FrechetDistance.traceSqrtProduct(s2, s1, d), 1e-10 * bySqrt);
    }
}
