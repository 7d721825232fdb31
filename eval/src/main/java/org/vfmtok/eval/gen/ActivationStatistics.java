package org.vfmtok.eval.gen;

/**
 * The mean and covariance of a set of feature vectors, in float64 as numpy computes them
 * ({@code np.mean(acts, axis=0)}, {@code np.cov(acts, rowvar=False)}: divisor n - 1).
 *
 * @param mu    the mean, length d
 * @param sigma the covariance, d x d row-major
 */
public record ActivationStatistics(double[] mu, double[] sigma) {
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
}
