package org.vfmtok.vfmtok.train;

import org.vfmtok.nn.init.Initializers;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.vfmtok.vfm.Dinov2;
import org.vfmtok.vfmtok.vfm.Dinov2Config;
import org.vfmtok.vfmtok.vfm.VfmConfig;
import org.vfmtok.vfmtok.vfm.VisionFoundationModel;
import org.vfmtok.vfmtok.vfm.VisionTower;
import org.vfmtok.vfmtok.vfm.VisionTowerConfig;

/**
 * A frozen, randomly initialised DINOv2-shaped ViT: the stand-in VFM when no real weights are at hand (the
 * demo, tests). Random ViT features still encode local colour and layout, which is what the tokenizer's
 * sampler and semantic target need to train end to end; with real DINOv2 weights they also carry semantics.
 * Token and position embeddings get N(0, 0.02) (DINOv2's own init) instead of the loader's zeros, LayerScale
 * 0.1 and no patch-embedding bias.
 */
public final class RandomVfm {
    private RandomVfm() {}

    public static Dinov2 create(Dinov2Config config, long seed) {
        Rng rng = new Rng(seed);
        Dinov2 vfm = new Dinov2(config, rng);
        try (org.vfmtok.tensor.autograd.Grad.Mode ng = org.vfmtok.tensor.autograd.Grad.noGrad()) {
        vfm.stateDict().forEach((k, t) -> {
            if (k.equals("pos_embed") || k.equals("cls_token") || k.equals("register_tokens")) Initializers.truncNormal(t, rng, 0, 0.02, -2, 2);
            // small LayerScale keeps the residual stream close to the patch embedding: random blocks at full
            // strength mix all tokens towards one direction (rank collapse) and wash out where things are
            else if (k.endsWith(".gamma")) t.fill(0.1);
            else if (k.equals("patch_embed.proj.bias")) t.fill(0.0);
        });
        }
        vfm.requiresGrad(false);
        vfm.eval();
        return vfm;
    }

    /** A random frozen model of any family: {@link #create(Dinov2Config, long)} for DINOv2, the same idea for a CLIP / SigLIP tower. */
    public static VisionFoundationModel create(VfmConfig config, long seed) {
        return switch (config) {
            case Dinov2Config d -> create(d, seed);
            case VisionTowerConfig t -> tower(t, seed);
        };
    }

    private static VisionTower tower(VisionTowerConfig config, long seed) {
        Rng rng = new Rng(seed);
        VisionTower vfm = new VisionTower(config, rng);
        int p = config.patchSize();
        try (org.vfmtok.tensor.autograd.Grad.Mode ng = org.vfmtok.tensor.autograd.Grad.noGrad()) {
            vfm.stateDict().forEach((k, t) -> {
                if (k.equals("embeddings.class_embedding") || k.equals("embeddings.position_embedding.weight")) Initializers.truncNormal(t, rng, 0, 0.02, -2, 2);
                else if (k.equals("embeddings.patch_embedding.weight")) Initializers.truncNormal(t, rng, 0, 1 / Math.sqrt(3.0 * p * p), -2, 2);
                // the residual branches at a tenth of their weight, for the reason given for DINOv2's LayerScale
                else if (k.endsWith("out_proj.weight") || k.endsWith("fc2.weight")) t.copyFrom(t.mul(0.1));
            });
        }
        vfm.requiresGrad(false);
        vfm.eval();
        return vfm;
    }

    /** A tiny DINOv2-like config for small images: patch p, width, depth, heads, four levels spread over the depth. */
    public static Dinov2Config tinyConfig(int imageSize, int patch, int width, int depth, int heads) {
        int[] levels = Dinov2Config.evenLevels(depth, Math.min(4, depth));
        return new Dinov2Config("random-vit", width, depth, heads, patch, 0, false, 4 * width, imageSize, 1e-6, levels);
    }

    static boolean isFrozen(Tensor t) { return !t.requiresGrad(); }
}
