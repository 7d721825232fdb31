package org.vfmtok.vfmtok.model;

import org.vfmtok.nn.Module;
import org.vfmtok.nn.loss.Loss;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;
import org.vfmtok.tensor.ops.Indexing;
import org.vfmtok.tensor.ops.MatMul;
import org.vfmtok.tensor.ops.Pointwise;
import org.vfmtok.tensor.ops.Reductions;

/**
 * The l2-normalised vector quantizer (spec §1.5, LlamaGen's VectorQuantizer): z and the codebook rows are
 * normalised, d = Σz² + Σe² − 2·z·eᵀ in float32, index = argmin (first on ties), the quantised vector is
 * the normalised codebook row. Keys: embedding.weight (K, c), codebook_used (usage ring buffer, 65536 entries officially).
 */
public final class Quantizer extends Module {
    public final Tensor embedding;
    public final Tensor codebookUsed;

    public Quantizer(int size, int dim, int usageLength, Rng rng) {
        Holder h = register("embedding", new Holder(size, dim, rng));
        embedding = h.weight;
        codebookUsed = buffer("codebook_used", Tensor.zeros(DType.I64, usageLength));
    }

    /**
     * One quantisation of z: its codes, z normalised and the codebook rows it snapped to. The training
     * terms are derived on demand, so inference pays only for the codes and rows.
     *
     * @param codes      (B, T) I64, the nearest codebook entries
     * @param normalized (B, T, c) F.normalize(z), with z's gradient
     * @param rows       (B, T, c) the normalised codebook rows of {@code codes} (= {@link #lookup}), with the codebook's gradient
     */
    public record Quantized(Tensor codes, Tensor normalized, Tensor rows) {
        /** z + sg(z_q − z): the rows' values with z's gradient (what the decoder reads in training). */
        public Tensor straightThrough() { return Pointwise.add(normalized, Pointwise.sub(rows, normalized).detach()); }

        /** mean((z_q − sg(z))²): pulls the codebook towards the encoder. */
        public Tensor vqLoss() { return Loss.mse(rows, normalized.detach()); }

        /** β·mean((sg(z_q) − z)²): pulls the encoder towards the codebook (β = 0.25 officially). */
        public Tensor commitLoss(double beta) { return Loss.mse(rows.detach(), normalized).mul(beta); }
    }

    /** x / max(‖x‖₂, 1e-12) along the last dim (F.normalize). */
    public static Tensor l2Normalize(Tensor x) {
        Tensor n = Pointwise.sqrt(Reductions.sum(Pointwise.square(x), new int[] {-1}, true));
        return Pointwise.div(x, Pointwise.clamp(n, 1e-12, Double.POSITIVE_INFINITY));
    }

    /**
     * Quantises z (B, T, c) (VectorQuantizer.forward). In training mode the codes also enter the usage ring
     * buffer, as officially; in eval mode nothing is written.
     */
    public Quantized quantize(Tensor z) {
        Tensor zn = l2Normalize(z);                    // (B, T, c)
        Tensor en = l2Normalize(embedding);            // (K, c)
        Tensor codes = nearest(zn, en);                // (B, T)
        Tensor rows = rows(en, codes);                 // (B, T, c)
        if (isTraining()) recordUsage(codes.toLongArray());
        return new Quantized(codes, zn, rows);
    }

    /** Code indices (B, T) I64 of z (B, T, c). */
    public Tensor indices(Tensor z) {
        return nearest(l2Normalize(z), l2Normalize(embedding));
    }

    /** Normalised codebook rows for codes (B, T) → (B, T, c) (decode_from_indices' lookup); codes are range-checked. */
    public Tensor lookup(Tensor codes) {
        int k = embedding.size(0);
        long[] c = codes.toLongArray();
        for (int i = 0; i < c.length; i++) {
            if (c[i] < 0 || c[i] >= k) throw new IllegalArgumentException("code " + c[i] + " at position " + i + " is outside the codebook of " + k);
        }
        return rows(l2Normalize(embedding), codes);
    }

    /** argmin_k ‖zn − en_k‖², computed as Σz² + Σe² − 2·z·eᵀ: zn (B, T, c), en (K, c) → (B, T) I64, no grad. */
    private static Tensor nearest(Tensor zn, Tensor en) {
        try (Grad.Mode ng = Grad.noGrad()) {
            Tensor z = zn.reshape(-1, zn.size(-1));                                     // (N, c)
            Tensor zz = Reductions.sum(Pointwise.square(z), new int[] {1}, true);       // (N, 1)
            Tensor ee = Reductions.sum(Pointwise.square(en), new int[] {1}, false);     // (K)
            Tensor d = Pointwise.sub(Pointwise.add(zz, ee), MatMul.matmul(z, en.mT()).mul(2.0)); // (N, K)
            return Reductions.argmin(d, 1, false).view(zn.size(0), zn.size(1));
        }
    }

    /** Rows of the normalised codebook en (K, c) at codes (B, T) → (B, T, c). */
    private static Tensor rows(Tensor en, Tensor codes) {
        return Indexing.embedding(en, codes.reshape(-1)).view(codes.size(0), codes.size(1), en.size(1));
    }

    /** codebook_used[:-n] = codebook_used[n:]; codebook_used[-n:] = codes (the official ring buffer). */
    void recordUsage(long[] codes) {
        try (Grad.Mode ng = Grad.noGrad()) {
            long[] buf = codebookUsed.toLongArray();
            int len = buf.length, n = Math.min(codes.length, len);
            System.arraycopy(buf, n, buf, 0, len - n);
            System.arraycopy(codes, codes.length - n, buf, len - n, n);
            codebookUsed.copyFrom(Tensor.ofLongs(buf, len));
        }
    }

    /** The parameter holder that gives the key "embedding.weight" (nn.Embedding in the official code). */
    static final class Holder extends Module {
        final Tensor weight;

        Holder(int size, int dim, Rng rng) {
            Tensor w = Init.uniform(Tensor.empty(DType.F32, size, dim), rng, -1.0 / size, 1.0 / size);
            try (Grad.Mode ng = Grad.noGrad()) {
                w = l2Normalize(w).contiguous();
            }
            weight = parameter("weight", w);
        }
    }
}
