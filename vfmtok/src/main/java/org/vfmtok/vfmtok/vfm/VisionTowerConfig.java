package org.vfmtok.vfmtok.vfm;

/**
 * Architecture of a Hugging Face CLIP or SigLIP vision tower (transformers {@code CLIPVisionTransformer},
 * {@code SiglipVisionTransformer}; the fixed-resolution SigLIP2 checkpoints use the latter). The two share the
 * layer layout (pre-norm, q/k/v/out_proj attention, fc1/fc2 MLP) and differ in what the family fixes:
 * <table>
 * <caption>family differences</caption>
 * <tr><th></th><th>CLIP (OpenAI)</th><th>SigLIP / SigLIP2</th></tr>
 * <tr><td>class token</td><td>yes, position row 0</td><td>none</td></tr>
 * <tr><td>patch conv bias</td><td>no</td><td>yes</td></tr>
 * <tr><td>pre-norm of the tokens</td><td>{@code pre_layrnorm}</td><td>none</td></tr>
 * <tr><td>MLP activation</td><td>quick_gelu x·σ(1.702x)</td><td>gelu (tanh)</td></tr>
 * <tr><td>LayerNorm eps</td><td>1e-5</td><td>1e-6</td></tr>
 * <tr><td>mean / std</td><td>OpenAI's</td><td>0.5 / 0.5</td></tr>
 * </table>
 *
 * @param levels             block indices (0-based) whose outputs are returned: block i's output is Hugging
 *                           Face's {@code hidden_states[i + 1]}
 * @param normLast           whether the last level goes through {@code post_layernorm} (SigLIP's
 *                           {@code last_hidden_state} does; CLIP's does not)
 * @param pretrainImageSize  the checkpoint's image side (its position table is (side/patch)² [+1] rows)
 * @param inputSize          side the images are resized to before the tower (the tokenizer's kornia resize),
 *                           0 to take them as given
 */
public record VisionTowerConfig(Family family, String name, int embedDim, int depth, int numHeads, int mlpHidden, int patchSize,
                                int pretrainImageSize, double lnEps, int[] levels, boolean normLast, int inputSize) implements VfmConfig {

    public enum Family {
        CLIP(new double[] {0.48145466, 0.4578275, 0.40821073}, new double[] {0.26862954, 0.26130258, 0.27577711}),
        SIGLIP(new double[] {0.5, 0.5, 0.5}, new double[] {0.5, 0.5, 0.5});

        final double[] mean;
        final double[] std;

        Family(double[] mean, double[] std) {
            this.mean = mean;
            this.std = std;
        }

        boolean hasClassToken() { return this == CLIP; }
    }

    public VisionTowerConfig {
        if (embedDim % numHeads != 0) throw new IllegalArgumentException(name + ": width " + embedDim + " not divisible by " + numHeads + " heads");
        if (levels.length == 0) throw new IllegalArgumentException(name + ": no feature levels");
        for (int k = 0; k < levels.length; k++) {
            if (levels[k] < 0 || levels[k] >= depth) throw new IllegalArgumentException(name + ": feature level " + levels[k] + " outside the " + depth + " blocks");
            if (k > 0 && levels[k] <= levels[k - 1]) throw new IllegalArgumentException(name + ": feature levels must ascend, got " + java.util.Arrays.toString(levels));
        }
        // no multiple-of-patch rule: the patch conv (padding "valid") drops the pixels past the last whole patch,
        // which SigLIP so400m/14 at 384 relies on (27 patches of 14 = 378 px)
        if (pretrainImageSize < patchSize) throw new IllegalArgumentException(name + ": image size " + pretrainImageSize + " is smaller than the patch " + patchSize);
        if (inputSize < 0 || (inputSize > 0 && inputSize < patchSize)) throw new IllegalArgumentException(name + ": input size " + inputSize + " is smaller than the patch " + patchSize);
    }

    /** Side of the checkpoint's position grid: whole patches only (the conv floors). */
    public int pretrainGrid() { return pretrainImageSize / patchSize; }

    @Override public String familyName() { return family == Family.CLIP ? "clip" : "siglip"; }

    @Override public VisionTower create(org.vfmtok.tensor.Rng rng) { return new VisionTower(this, rng); }

    @Override public VisionTowerConfig withLevels(int[] newLevels) { return withLevels(newLevels, normLast); }

    public VisionTowerConfig withLevels(int[] newLevels, boolean newNormLast) {
        return new VisionTowerConfig(family, name, embedDim, depth, numHeads, mlpHidden, patchSize, pretrainImageSize, lnEps, newLevels, newNormLast, inputSize);
    }

    public VisionTowerConfig withInputSize(int side) {
        return new VisionTowerConfig(family, name, embedDim, depth, numHeads, mlpHidden, patchSize, pretrainImageSize, lnEps, levels, normLast, side);
    }

    private static VisionTowerConfig preset(Family f, String name, int dim, int depth, int heads, int mlp, int patch, int image) {
        // four levels spread over the depth, the last one as the family's last_hidden_state; input at the
        // checkpoint's own resolution, so the position table is used as trained
        return new VisionTowerConfig(f, name, dim, depth, heads, mlp, patch, image, f == Family.CLIP ? 1e-5 : 1e-6,
                Dinov2Config.evenLevels(depth, 4), f == Family.SIGLIP, image);
    }

    /**
     * The released towers by their Hugging Face names (or short names): openai/clip-vit-large-patch14 (224) and
     * -336; google/siglip2-base-patch16-{224,256,384,512}; google/siglip2-so400m-patch14-{224,384} (and the
     * same names with siglip- instead of siglip2-, whose towers have the same layout).
     */
    public static VisionTowerConfig named(String name) {
        String n = name.replace("openai/", "").replace("google/", "");
        if (n.equals("clip-vit-large-patch14") || n.equals("clip_vit_l14")) return preset(Family.CLIP, name, 1024, 24, 16, 4096, 14, 224);
        if (n.equals("clip-vit-large-patch14-336") || n.equals("clip_vit_l14_336")) return preset(Family.CLIP, name, 1024, 24, 16, 4096, 14, 336);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("siglip2?-(base-patch16|so400m-patch14)-(\\d+)").matcher(n);
        if (m.matches()) {
            int side = Integer.parseInt(m.group(2));
            boolean base = m.group(1).startsWith("base");
            return base ? preset(Family.SIGLIP, name, 768, 12, 12, 3072, 16, side) : preset(Family.SIGLIP, name, 1152, 27, 16, 4304, 14, side);
        }
        throw new IllegalArgumentException("unknown vision tower '" + name + "' (expected openai/clip-vit-large-patch14[-336], "
                + "google/siglip2-base-patch16-<size> or google/siglip2-so400m-patch14-<size>)");
    }
}
