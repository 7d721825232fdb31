package org.vfmtok.vfmtok.model;

import org.vfmtok.nn.Module;
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

    /** x / max(‖x‖₂, 1e-12) along the last dim (F.normalize). */
    public static Tensor l2Normalize(Tensor x) {
        Tensor n = Pointwise.sqrt(Reductions.sum(Pointwise.square(x), new int[] {-1}, true));
        return Pointwise.div(x, Pointwise.clamp(n, 1e-12, Double.POSITIVE_INFINITY));
    }

    /** Code indices (B, T) I64 of z (B, T, c). */
    public Tensor indices(Tensor z) {
        try (Grad.Mode ng = Grad.noGrad()) {
            Tensor zn = l2Normalize(z).reshape(-1, z.size(-1));   // (N, c)
            Tensor en = l2Normalize(embedding);                    // (K, c)
            Tensor zz = Reductions.sum(Pointwise.square(zn), new int[] {1}, true);       // (N, 1)
            Tensor ee = Reductions.sum(Pointwise.square(en), new int[] {1}, false);      // (K)
            Tensor d = Pointwise.sub(Pointwise.add(zz, ee), MatMul.matmul(zn, en.mT()).mul(2.0));
            return Reductions.argmin(d, 1, false).view(z.size(0), z.size(1));
        }
    }

    /** Normalised codebook rows for codes (B, T) → (B, T, c). */
    public Tensor lookup(Tensor codes) {
        int k = embedding.size(0);
        long[] c = codes.toLongArray();
        for (int i = 0; i < c.length; i++) {
            if (c[i] < 0 || c[i] >= k) throw new IllegalArgumentException("code " + c[i] + " at position " + i + " is outside the codebook of " + k);
        }
        Tensor rows = Indexing.embedding(l2Normalize(embedding), codes.reshape(-1));
        return rows.view(codes.size(0), codes.size(1), embedding.size(1));
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
