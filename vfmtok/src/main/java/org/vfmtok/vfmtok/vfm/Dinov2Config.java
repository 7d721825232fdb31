package org.vfmtok.vfmtok.vfm;

/**
 * Architecture of a DINOv2 ViT (facebookresearch/dinov2 {@code vision_transformer.py}) as VFMTok vendors
 * it: patch 14, LayerScale, LayerNorm eps 1e-6, pos-embed trained at {@code pretrainImageSize} (518 → 37²+1
 * rows), optional register tokens, MLP (exact GELU) or fused SwiGLU feed-forward (ViT-g).
 *
 * @param levels block indices whose outputs are returned; the last is taken after the final norm
 * @param interpolateAntialias {@code interpolate_antialias} of the pos-embed resize (true for the
 *        register models, false for the original ones: {@code backbones.py})
 * @param interpolateOffset {@code interpolate_offset}: the resize's scale factor is (grid + offset)/pretrain
 *        grid (0.0 for the register models, 0.1 for the original ones)
 * @param inputSize side the images are resized to before the ViT ({@code SelfSupervisedCondtionEmbedder}'s
 *        kornia resize: 336 in VFMTok, {@code height}/{@code width} in VFMTok2), 0 to take them as given
 */
public record Dinov2Config(String name, int embedDim, int depth, int numHeads, int patchSize, int numRegisters,
                           boolean swiglu, int mlpHidden, int pretrainImageSize, double lnEps, int[] levels,
                           boolean interpolateAntialias, double interpolateOffset, int inputSize) implements VfmConfig {

    public Dinov2Config {
        // named by their JSON keys (the "vfm" block of a tokenizer config): a zero would otherwise be a bare "/ by zero"
        atLeast(name, 1, "embed_dim", embedDim);
        atLeast(name, 1, "depth", depth);
        atLeast(name, 1, "num_heads", numHeads);
        atLeast(name, 1, "patch_size", patchSize);
        atLeast(name, 0, "num_registers", numRegisters);
        atLeast(name, 1, "mlp_hidden", mlpHidden);
        atLeast(name, 1, "img_size_pretrain", pretrainImageSize);
        if (embedDim % numHeads != 0) throw new IllegalArgumentException(name + ": embed dim " + embedDim + " not divisible by " + numHeads + " heads");
        if (levels.length == 0) throw new IllegalArgumentException(name + ": no feature levels");
        for (int l : levels) {
            if (l < 0 || l >= depth) throw new IllegalArgumentException(name + ": feature level " + l + " outside the " + depth + " blocks");
        }
        if (inputSize < 0) throw new IllegalArgumentException(name + ": input size " + inputSize + " is negative");
        if (inputSize > 0 && inputSize % patchSize != 0) {
            // DINOv2's PatchEmbed asserts this too: the official code cannot run such a model either
            throw new IllegalArgumentException(name + ": VFM input size " + inputSize + " is not a multiple of the patch " + patchSize);
        }
    }

    private static void atLeast(String name, int min, String key, int value) {
        if (value < min) throw new IllegalArgumentException(name + ": 'vfm." + key + "' must be at least " + min + ", got " + value);
    }

    /** The register models' pos-embed resize (antialiased, offset 0) and no input resize. */
    public Dinov2Config(String name, int embedDim, int depth, int numHeads, int patchSize, int numRegisters,
                        boolean swiglu, int mlpHidden, int pretrainImageSize, double lnEps, int[] levels) {
        this(name, embedDim, depth, numHeads, patchSize, numRegisters, swiglu, mlpHidden, pretrainImageSize, lnEps, levels, true, 0.0, 0);
    }

    @Override public String familyName() { return "dinov2"; }

    @Override public Dinov2 create(org.vfmtok.tensor.Rng rng) { return new Dinov2(this, rng); }

    public int headDim() { return embedDim / numHeads; }

    public int pretrainGrid() { return pretrainImageSize / patchSize; }

    @Override public Dinov2Config withLevels(int[] newLevels) {
        return new Dinov2Config(name, embedDim, depth, numHeads, patchSize, numRegisters, swiglu, mlpHidden, pretrainImageSize, lnEps,
                newLevels, interpolateAntialias, interpolateOffset, inputSize);
    }

    public Dinov2Config withInputSize(int side) {
        return new Dinov2Config(name, embedDim, depth, numHeads, patchSize, numRegisters, swiglu, mlpHidden, pretrainImageSize, lnEps,
                levels, interpolateAntialias, interpolateOffset, side);
    }

    /** Evenly spaced levels ending at the last block: [5, 11, 17, 23] for 24 blocks. */
    public static int[] evenLevels(int depth, int count) {
        int[] l = new int[count];
        for (int i = 0; i < count; i++) l[i] = (i + 1) * depth / count - 1;
        return l;
    }

    /**
     * The levels VFMTok's {@code forward_features_levels(x, levels=[5, 11, 17, 23])} returns for a ViT of
     * {@code depth} blocks: the outputs of the blocks in {@code levels[:-1]} that exist, then the final-normed
     * output of the LAST block, whatever {@code levels[-1]} says (the official loop runs every block).
     */
    public static int[] officialLevels(int[] levels, int depth) {
        java.util.List<Integer> out = new java.util.ArrayList<>();
        for (int k = 0; k < levels.length - 1; k++) {
            if (levels[k] >= 0 && levels[k] < depth) out.add(levels[k]);
        }
        out.add(depth - 1);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static Dinov2Config preset(String name, int dim, int depth, int heads, boolean swiglu, int registers) {
        int hidden = dim * 4;
        if (swiglu) hidden = org.vfmtok.nn.layers.SwiGLUFused.hiddenFor(hidden);
        // backbones.py: the register models resize their pos-embed antialiased with offset 0, the original ones
        // without antialias and with offset 0.1
        boolean reg = registers > 0;
        return new Dinov2Config(name, dim, depth, heads, 14, registers, swiglu, hidden, 518, 1e-6, evenLevels(depth, 4),
                reg, reg ? 0.0 : 0.1, 0);
    }

    /** vit_small / vit_base / vit_large / vit_giant2, patch 14, with or without 4 registers. */
    public static Dinov2Config named(String arch) {
        boolean reg = arch.endsWith("_reg") || arch.endsWith("_reg4");
        String base = arch.replace("dinov2_", "").replace("_reg4", "").replace("_reg", "");
        int r = reg ? 4 : 0;
        return switch (base) {
            case "vits14", "vit_small" -> preset(arch, 384, 12, 6, false, r);
            case "vitb14", "vit_base" -> preset(arch, 768, 12, 12, false, r);
            case "vitl14", "vit_large" -> preset(arch, 1024, 24, 16, false, r);
            case "vitg14", "vit_giant2" -> preset(arch, 1536, 40, 24, true, r);
            default -> throw new IllegalArgumentException("unknown DINOv2 architecture '" + arch
                    + "' (expected dinov2_vit{s,b,l,g}14 with optional _reg or _reg4)");
        };
    }

    /** The VFMTok default: DINOv2-L/14 with 4 registers, levels [5, 11, 17, 23]. */
    public static Dinov2Config vfmtokDefault() { return named("dinov2_vitl14_reg4"); }
}
