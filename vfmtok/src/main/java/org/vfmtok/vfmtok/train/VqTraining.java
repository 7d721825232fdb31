package org.vfmtok.vfmtok.train;

import org.vfmtok.nn.loss.Loss;
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
    public record Result(Tensor quantized, Tensor vqLoss, Tensor commitLoss, long[] codes) {}

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
        return new Result(st, vq, commit, codes);
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

    /** Fraction of the codebook present in the usage buffer (the official "codebook usage"). */
    public static double usage(Quantizer q) {
        long[] buf = q.codebookUsed.toLongArray();
        java.util.BitSet seen = new java.util.BitSet(q.embedding.size(0));
        for (long v : buf) seen.set((int) v);
        return seen.cardinality() / (double) q.embedding.size(0);
    }
}
