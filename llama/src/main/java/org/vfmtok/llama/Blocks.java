package org.vfmtok.llama;

import org.vfmtok.nn.Module;
import org.vfmtok.nn.layers.RMSNorm;
import org.vfmtok.tensor.DType;

/** The submodules of {@link GPT}, registered in the official order so that state-dict keys match §2.2. */
final class Blocks {
    private Blocks() {}

    /** {@code cls_embedding}: table (num_classes [+ 1 null row], dim) under {@code embedding_table}. */
    static final class LabelEmbedder extends Module {
        final Weight table;

        LabelEmbedder(int rows, int dim) {
            table = register("embedding_table", new Weight(rows, dim));
        }
    }

    /** {@code attention}: fused {@code wqkv} (3·dim, dim) with rows [q; k; v], and {@code wo} (dim, dim). */
    static final class Attention extends Module {
        final Weight wqkv;
        final Weight wo;

        Attention(int dim, DType matrices) {
            wqkv = register("wqkv", new Weight(3 * dim, dim, matrices));
            wo = register("wo", new Weight(dim, dim, matrices));
        }
    }

    /** {@code feed_forward}: w2(SiLU(w1·x) ⊙ w3·x); w1, w3 (ffn, dim), w2 (dim, ffn). */
    static final class FeedForward extends Module {
        final Weight w1;
        final Weight w3;
        final Weight w2;

        FeedForward(int dim, int hidden, DType matrices) {
            w1 = register("w1", new Weight(hidden, dim, matrices));
            w3 = register("w3", new Weight(hidden, dim, matrices));
            w2 = register("w2", new Weight(dim, hidden, matrices));
        }
    }

    /** {@code layers.i}: pre-norm attention and SwiGLU. */
    static final class Block extends Module {
        final Attention attention;
        final FeedForward feedForward;
        final RMSNorm attentionNorm;
        final RMSNorm ffnNorm;

        /** {@code matrices}: the storage type of the linear weights (norm scales stay F32). */
        Block(GPTConfig c, DType matrices) {
            attention = register("attention", new Attention(c.dim(), matrices));
            feedForward = register("feed_forward", new FeedForward(c.dim(), c.ffnDim(), matrices));
            attentionNorm = register("attention_norm", new RMSNorm(c.dim(), c.normEps()));
            ffnNorm = register("ffn_norm", new RMSNorm(c.dim(), c.normEps()));
        }
    }
}
