package org.vfmtok.vfmtok.train;

import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;
import org.vfmtok.vfmtok.model.Quantizer;

/**
 * Codebook care during training, around {@link Quantizer#quantize} (which holds the quantizer's own training
 * path: straight-through vectors, vq and commit losses, the usage ring buffer): the usage metric and the
 * optional dead-code restarts.
 */
public final class VqTraining {
    private VqTraining() {}

    /**
     * Re-seeds every code absent from the usage buffer with a randomly chosen vector of {@code zNormalized}
     * (N, c) plus a little noise (then re-normalised), and marks it used. Not in the official recipe (which
     * trains long enough at scale not to need it); tiny, short runs collapse onto a handful of codes without
     * it. Returns the number of codes re-seeded.
     */
    public static int restartDeadCodes(Quantizer q, Tensor zNormalized, Rng rng) {
        int k = q.embedding.size(0), c = q.embedding.size(1);
        java.util.BitSet used = new java.util.BitSet(k);
        for (long v : q.codebookUsed.toLongArray()) used.set((int) v);
        float[] z = zNormalized.contiguous().toFloatArray();
        int n = z.length / c, restarted = 0;
        if (n == 0) return 0;
        try (Grad.Mode ng = Grad.noGrad()) {
            float[] w = q.embedding.toFloatArray();
            for (int code = used.nextClearBit(0); code < k; code = used.nextClearBit(code + 1)) {
                int src = rng.nextInt(n);
                double norm = 0;
                for (int j = 0; j < c; j++) {
                    double v = z[src * c + j] + 0.01 * rng.nextGaussian();
                    w[code * c + j] = (float) v;
                    norm += v * v;
                }
                norm = Math.max(Math.sqrt(norm), 1e-12);
                for (int j = 0; j < c; j++) w[code * c + j] /= (float) norm;
                restarted++;
            }
            if (restarted > 0) q.embedding.copyFrom(Tensor.of(w, k, c));
        }
        return restarted;
    }

    /** Fraction of the codebook present in the usage buffer (the official "codebook usage"). */
    public static double usage(Quantizer q) {
        long[] buf = q.codebookUsed.toLongArray();
        java.util.BitSet seen = new java.util.BitSet(q.embedding.size(0));
        for (long v : buf) seen.set((int) v);
        return seen.cardinality() / (double) q.embedding.size(0);
    }
}
