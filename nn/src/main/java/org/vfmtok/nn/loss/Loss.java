package org.vfmtok.nn.loss;

import java.util.Arrays;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.Losses;
import org.vfmtok.tensor.ops.Pointwise;
import org.vfmtok.tensor.ops.Reductions;

/**
 * The training losses of the tokenizer and the AR models, as PyTorch computes them (mean reductions).
 * Each returns a 0-d tensor that carries autograd.
 */
public final class Loss {
    private Loss() {}

    /** F.mse_loss: mean((x − y)²). */
    public static Tensor mse(Tensor x, Tensor y) {
        sameShape("mse", x, y);
        return Reductions.mean(Pointwise.square(Pointwise.sub(x, y)), null, false);
    }

    /** F.l1_loss: mean(|x − y|). */
    public static Tensor l1(Tensor x, Tensor y) {
        sameShape("l1", x, y);
        return Reductions.mean(Pointwise.abs(Pointwise.sub(x, y)), null, false);
    }

    /** F.cross_entropy over (N, C) logits and integer targets, with ignore index and label smoothing. */
    public static Tensor crossEntropy(Tensor logits, Tensor target, int ignoreIndex, double labelSmoothing) {
        return Losses.crossEntropy(logits, target, ignoreIndex, labelSmoothing);
    }

    /**
     * nn.CosineSimilarity(dim, eps): x·y / max(‖x‖·‖y‖, eps), as PyTorch 1.13 computes it
     * (sqrt(clamp_min(‖x‖²·‖y‖², eps²))).
     */
    public static Tensor cosineSimilarity(Tensor x, Tensor y, int dim, double eps) {
        sameShape("cosine similarity", x, y);
        int[] d = {dim};
        Tensor dot = Reductions.sum(Pointwise.mul(x, y), d, false);
        Tensor nx = Reductions.sum(Pointwise.square(x), d, false);
        Tensor ny = Reductions.sum(Pointwise.square(y), d, false);
        Tensor denom = Pointwise.sqrt(Pointwise.clamp(Pointwise.mul(nx, ny), eps * eps, Double.POSITIVE_INFINITY));
        return Pointwise.div(dot, denom);
    }

    /** VFMTok's semantic loss: mean(1 − cos(pred, target)) along {@code dim} (eps 1e-6). */
    public static Tensor cosineDistance(Tensor pred, Tensor target, int dim) {
        return Reductions.mean(Pointwise.affine(cosineSimilarity(pred, target, dim, 1e-6), -1.0, 1.0), null, false);
    }

    /** Hinge discriminator loss: 0.5·(mean(relu(1 − D(real))) + mean(relu(1 + D(fake)))). */
    public static Tensor hingeD(Tensor logitsReal, Tensor logitsFake) {
        Tensor real = Reductions.mean(Pointwise.relu(Pointwise.affine(logitsReal, -1.0, 1.0)), null, false);
        Tensor fake = Reductions.mean(Pointwise.relu(Pointwise.affine(logitsFake, 1.0, 1.0)), null, false);
        return Pointwise.add(real, fake).mul(0.5);
    }

    /** Non-saturating generator loss: mean(softplus(−D(fake))). */
    public static Tensor softplusG(Tensor logitsFake) {
        return Reductions.mean(Pointwise.softplus(Pointwise.neg(logitsFake)), null, false);
    }

    /** Non-saturating discriminator loss: mean(softplus(−D(real))) + mean(softplus(D(fake))). */
    public static Tensor softplusD(Tensor logitsReal, Tensor logitsFake) {
        return Pointwise.add(Reductions.mean(Pointwise.softplus(Pointwise.neg(logitsReal)), null, false),
                Reductions.mean(Pointwise.softplus(logitsFake), null, false));
    }

    private static void sameShape(String what, Tensor x, Tensor y) {
        if (!Arrays.equals(x.shape(), y.shape())) {
            throw new IllegalArgumentException(what + ": shapes " + Arrays.toString(x.shape()) + " and " + Arrays.toString(y.shape()) + " differ");
        }
    }
}
