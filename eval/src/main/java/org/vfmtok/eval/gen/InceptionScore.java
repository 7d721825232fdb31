package org.vfmtok.eval.gen;

import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.MatMul;

/**
 * ADM's Inception Score ({@code Evaluator.compute_inception_score}, after improved-gan): class probabilities
 * softmax(pool3 · Wᵀ) with the final layer's weight W and no bias; for each consecutive split of
 * {@code splitSize} samples (the last one may be shorter), exp(mean over the split of KL(p(y|x) ‖ p(y))),
 * with p(y) the split's mean; the score is the mean over splits. ADM's split size is 5000, so its 50,000
 * samples make 10 splits. Computed in float64 (ADM: float32 softmax, numpy float32 logs).
 */
public final class InceptionScore {
    /** ADM's split size. */
    public static final int ADM_SPLIT_SIZE = 5000;
    /** Rows of pool3 per logits product (bounds the temporary tensors). */
    private static final int ROWS_PER_PRODUCT = 4096;

    private InceptionScore() {}

    /**
     * Class probabilities of n rows: softmax(pool3 · fcWeightᵀ), n x classes row-major. The logits are a float32
     * matrix product on the tensor backend (as ADM's TF graph computes them), the softmax is float64.
     */
    public static double[] probabilities(float[] pool3, int n, float[] fcWeight, int classes) {
        int d = pool3.length / Math.max(n, 1);
        if ((long) classes * d != fcWeight.length || (long) n * d != pool3.length) {
            throw new IllegalArgumentException("inception score: fc weight of " + fcWeight.length + " values for " + classes
                    + " classes and " + pool3.length + " pool3 values for " + n + " samples");
        }
        double[] probs = new double[n * classes];
        try (Scope s = Scope.open("inception score")) {
            Tensor wt = Tensor.of(fcWeight, classes, d).mT();
            for (int r0 = 0; r0 < n; r0 += ROWS_PER_PRODUCT) {
                int rows = Math.min(ROWS_PER_PRODUCT, n - r0);
                float[] chunk = java.util.Arrays.copyOfRange(pool3, r0 * d, (r0 + rows) * d);
                float[] logits = MatMul.matmul(Tensor.of(chunk, rows, d), wt).contiguous().toFloatArray();
                for (int i = 0; i < rows; i++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int k = 0; k < classes; k++) max = Math.max(max, logits[i * classes + k]);
                    double z = 0;
                    for (int k = 0; k < classes; k++) z += Math.exp(logits[i * classes + k] - max);
                    for (int k = 0; k < classes; k++) probs[(r0 + i) * classes + k] = Math.exp(logits[i * classes + k] - max) / z;
                }
            }
        }
        return probs;
    }

    /**
     * The score of n probability rows. Fewer samples than one split is refused: a "score" of a handful of
     * samples is not comparable with anyone's (set {@code splitSize} for small sets, e.g. n / 10).
     */
    public static double score(double[] probs, int n, int classes, int splitSize) {
        if (splitSize < 1) throw new IllegalArgumentException("inception score: split size must be positive, got " + splitSize);
        if (n < splitSize) {
            throw new IllegalArgumentException("inception score: " + n + " samples are fewer than one split of " + splitSize
                    + " (ADM splits 50,000 samples into 10 splits of " + ADM_SPLIT_SIZE + "; choose a smaller split size for small sets)");
        }
        double total = 0;
        int splits = 0;
        for (int s0 = 0; s0 < n; s0 += splitSize) {
            int rows = Math.min(splitSize, n - s0);
            double[] mean = new double[classes];
            for (int i = s0; i < s0 + rows; i++) for (int k = 0; k < classes; k++) mean[k] += probs[i * classes + k];
            for (int k = 0; k < classes; k++) mean[k] /= rows;
            double kl = 0;
            for (int i = s0; i < s0 + rows; i++) {
                double row = 0;
                for (int k = 0; k < classes; k++) {
                    double p = probs[i * classes + k];
                    if (p > 0) row += p * (Math.log(p) - Math.log(mean[k]));
                }
                kl += row;
            }
            total += Math.exp(kl / rows);
            splits++;
        }
        return total / splits;
    }
}
