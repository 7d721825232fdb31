package org.vfmtok.vfmtok.train;

import org.vfmtok.nn.loss.Loss;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;
import org.vfmtok.tensor.ops.Indexing;
import org.vfmtok.tensor.ops.Pointwise;
import org.vfmtok.vfmtok.model.Quantizer;

/**
 * The training path of the l2-normalised quantizer (LlamaGen's {@code VectorQuantizer.forward}, spec §1.5):
 * z and the codebook are normalised, z_q is the nearest normalised row, vq = mean((z_q − sg(z))²),
 * commit = β·mean((sg(z_q) − z)²), and the decoder receives the straight-through z + sg(z_q − z). The usage
 * ring buffer {@code codebook_used} is shifted and appended with this batch's codes.
 */
public final class VqTraining {
    private VqTraining() {}

    /** What one quantisation step gives: the straight-through vectors, the two losses and the codes. */
    public record Result(Tensor quantized, Tensor vqLoss, Tensor commitLoss, long[] codes, Tensor normalized) {}

    public static Result quantize(Quantizer q, Tensor z, double beta) {
        int b = z.size(0), t = z.size(1), c = z.size(2);
        Tensor zn = Quantizer.l2Normalize(z);
        Tensor idx = q.indices(z);                                        // (B, T), no grad
        Tensor rows = Indexing.embedding(Quantizer.l2Normalize(q.embedding), idx.reshape(-1)).view(b, t, c);
        Tensor vq = Loss.mse(rows, zn.detach());
        Tensor commit = Loss.mse(rows.detach(), zn).mul(beta);
        Tensor st = Pointwise.add(zn, Pointwise.sub(rows, zn).detach());
        long[] codes = idx.toLongArray();
        if (q.isTraining()) recordUsage(q, codes);
        return new Result(st, vq, commit, codes, zn.detach());
    }

    /** codebook_used[:-n] = codebook_used[n:]; codebook_used[-n:] = codes (the official ring buffer). */
    static void recordUsage(Quantizer q, long[] codes) {
        try (Grad.Mode ng = Grad.noGrad()) {
            long[] buf = q.codebookUsed.toLongArray();
            int len = buf.length, n = Math.min(codes.length, len);
            System.arraycopy(buf, n, buf, 0, len - n);
            System.arraycopy(codes, codes.length - n, buf, len - n, n);
            q.codebookUsed.copyFrom(Tensor.ofLongs(buf, len));
        }
    }

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
