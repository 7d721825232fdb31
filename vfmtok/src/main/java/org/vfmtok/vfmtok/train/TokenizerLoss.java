package org.vfmtok.vfmtok.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vfmtok.nn.loss.Loss;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.Pointwise;
import org.vfmtok.vfmtok.model.Quantizer;
import org.vfmtok.vfmtok.model.VQModel;
import org.vfmtok.vfmtok.vfm.VisionFoundationModel;

/**
 * The tokenizer's generator objective (spec §1.8), one batch at a time:
 * <pre>
 *   2·MSE(x, x̂) + w_p·LPIPS(x, x̂) + (vq + β·commit) + w_s·mean(1 − cos(pred_vfm, VFM_last(x)))
 *   + w_g(step)·softplus(−D(x̂))
 * </pre>
 * Optionally ({@link Weights#codebookRestartEvery}, off in the official recipe) codes unused for a while are
 * re-seeded from the batch's encoder outputs. The frozen VFM runs under no-grad; its last level (after the final norm) is the semantic target of the
 * decoder's VFM branch. LPIPS and the discriminator are optional (null: off). When a discriminator is
 * present and its weight is non-zero, its hinge step runs first on this batch (real x, detached x̂), then the
 * generator term is computed against the updated discriminator: the official loop alternates G then D, and
 * one step of offset between the two does not change what either learns.
 */
public final class TokenizerLoss {
    /** Loss weights and the GAN schedule; {@link #official()} is VFMTok's. */
    public record Weights(double reconstruction, double perceptual, double semantic, double codebook, double beta,
                          double gan, long ganStart, int codebookRestartEvery) {
        /** VFMTok's weights (no dead-code restarts). */
        public static Weights official() { return new Weights(1.0, 1.0, 1.0, 1.0, 0.25, 0.5, 20000, 0); }

        public double ganAt(long step) { return step >= ganStart ? gan : 0.0; }
    }

    /** One batch's outcome: the generator loss (with grad), the reconstruction (detached) and the logged parts. */
    public record Output(Tensor loss, Tensor reconstruction, Map<String, Double> parts, long[] codes) {}

    private final VQModel model;
    private final VisionFoundationModel vfm;
    private final Lpips lpips;
    private final DiscriminatorStep disc;
    private final Weights weights;
    private org.vfmtok.nn.dist.Communicator comm = org.vfmtok.nn.dist.Communicator.single();

    public TokenizerLoss(VQModel model, VisionFoundationModel vfm, Lpips lpips, DiscriminatorStep disc, Weights weights) {
        String mismatch = model.config.semanticTargetMismatch();
        if (weights.semantic() > 0 && mismatch != null) {
            throw new IllegalArgumentException("the semantic loss compares the decoder's VFM branch with the VFM's last level, but " + mismatch
                    + " (set the semantic weight to 0 or fix the config)");
        }
        this.model = model;
        this.vfm = vfm;
        this.lpips = lpips;
        this.disc = disc;
        this.weights = weights;
    }

    /**
     * Data-parallel: after a dead-code restart (which each rank would make from its own batch) rank 0's
     * codebook is broadcast, so the replicas stay equal. Returns this.
     */
    public TokenizerLoss distributed(org.vfmtok.nn.dist.Communicator c) {
        this.comm = java.util.Objects.requireNonNull(c);
        return this;
    }

    public VQModel model() { return model; }

    public Weights weights() { return weights; }

    /** The frozen VFM's features of images in [-1, 1], without grad. */
    public List<Tensor> features(Tensor images) {
        return vfm.imageFeatures(images);
    }

    /**
     * One batch through {@link VQModel#forward} (its training forward when the model is in training mode) and
     * the loss terms on what it returns.
     */
    public Output forward(Tensor images, long step) {
        List<Tensor> feats = features(images);
        VQModel.Output f = model.forward(feats, weights.semantic() > 0);
        Quantizer.Quantized q = f.quantized();
        Tensor rec = f.reconstruction();
        int every = weights.codebookRestartEvery();
        // re-seeds only codes this batch did not pick (its codes are in the usage buffer now): nothing this step
        // computed, value or gradient, depends on those rows
        int restarted = every > 0 && step > 0 && step % every == 0
                ? VqTraining.restartDeadCodes(model.slotQuantize, q.normalized().detach().reshape(-1, model.config.codeDim()), new Rng(step * 0x9E3779B97F4A7C15L))
                : 0;
        if (every > 0 && step > 0 && step % every == 0 && comm.worldSize() > 1) {
            try (var ng = org.vfmtok.tensor.autograd.Grad.noGrad()) {
                comm.broadcast(model.slotQuantize.embedding, 0);
            }
        }
        Map<String, Double> parts = new LinkedHashMap<>();
        if (every > 0) parts.put("codes_restarted", (double) restarted);

        Tensor mse = Loss.mse(rec, images);
        Tensor total = mse.mul(2.0 * weights.reconstruction());
        parts.put("mse", mse.item());
        if (lpips != null && weights.perceptual() > 0) {
            Tensor p = lpips.forward(images, rec);
            parts.put("lpips", p.item());
            total = Pointwise.add(total, p.mul(weights.perceptual()));
        }
        Tensor vq = q.vqLoss(), commit = q.commitLoss(weights.beta());
        Tensor codebook = Pointwise.add(vq, commit);
        parts.put("vq", vq.item());
        parts.put("commit", commit.item());
        total = Pointwise.add(total, codebook.mul(weights.codebook()));
        if (weights.semantic() > 0) {
            Tensor sem = Loss.cosineDistance(f.predictedFeatures(), feats.get(feats.size() - 1), 2);
            parts.put("semantic", sem.item());
            total = Pointwise.add(total, sem.mul(weights.semantic()));
        }
        double g = weights.ganAt(step);
        if (disc != null && g > 0) {
            parts.put("d_loss", disc.step(images, rec.detach(), g));
            Tensor gen = Loss.softplusG(disc.logits(rec));
            parts.put("g_loss", gen.item());
            total = Pointwise.add(total, gen.mul(g));
        }
        return new Output(total, rec.detach(), parts, q.codes().toLongArray());
    }
}
