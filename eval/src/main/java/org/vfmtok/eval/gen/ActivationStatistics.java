package org.vfmtok.eval.gen;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * The mean and covariance of a set of feature vectors, in float64 as numpy computes them
 * ({@code np.mean(acts, axis=0)}, {@code np.cov(acts, rowvar=False)}: divisor n - 1).
 *
 * @param mu    the mean, length d
 * @param sigma the covariance, d x d row-major
 */
public record ActivationStatistics(double[] mu, double[] sigma) {
    /** Rows per chunk of the covariance accumulation (bounds the float64 copy of the activations). */
    private static final int CHUNK_ROWS = 2048;

    public ActivationStatistics {
        if ((long) mu.length * mu.length != sigma.length) {
            throw new IllegalArgumentException("statistics: mu has " + mu.length + " entries but sigma has "
                    + sigma.length + " (expected " + ((long) mu.length * mu.length) + ")");
        }
    }

    /** The feature dimension d. */
    public int dim() {
        return mu.length;
    }

    /**
     * Statistics of n activation rows of length d (row-major float32, widened to float64 as {@code np.cov}
     * does). The covariance is accumulated chunk by chunk as Σ (x − μ)ᵀ(x − μ) with EJML's symmetric inner
     * product, then divided by n − 1.
     */
    public static ActivationStatistics of(float[] acts, int n, int d) {
        if (n < 2) throw new IllegalArgumentException("statistics need at least 2 feature vectors, got " + n);
        if ((long) n * d != acts.length) throw new IllegalArgumentException("statistics: " + acts.length + " values for " + n + " x " + d);
        double[] mu = new double[d];
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) mu[j] += acts[i * d + j];
        for (int j = 0; j < d; j++) mu[j] /= n;
        DMatrixRMaj sum = new DMatrixRMaj(d, d);
        DMatrixRMaj part = new DMatrixRMaj(d, d);
        for (int r0 = 0; r0 < n; r0 += CHUNK_ROWS) {
            int rows = Math.min(CHUNK_ROWS, n - r0);
            DMatrixRMaj x = new DMatrixRMaj(rows, d);
            double[] xd = x.data;
            for (int i = 0; i < rows; i++) for (int j = 0; j < d; j++) xd[i * d + j] = acts[(r0 + i) * d + j] - mu[j];
            CommonOps_DDRM.multInner(x, part);
            CommonOps_DDRM.addEquals(sum, part);
        }
        CommonOps_DDRM.divide(sum, n - 1);
        return new ActivationStatistics(mu, sum.data);
    }
}
