package org.vfmtok.vfmtok.vfm;

import java.util.ArrayList;
import java.util.List;
import org.vfmtok.nn.Module;
import org.vfmtok.nn.UnaryModule;
import org.vfmtok.nn.layers.Conv2d;
import org.vfmtok.nn.layers.FusedQkvAttention;
import org.vfmtok.nn.layers.LayerNorm;
import org.vfmtok.nn.layers.Linear;
import org.vfmtok.nn.layers.ModuleList;
import org.vfmtok.nn.layers.SwiGLUFused;
import org.vfmtok.tensor.NativeMemory;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.Indexing;
import org.vfmtok.tensor.ops.MatMul;
import org.vfmtok.tensor.ops.Pointwise;

/**
 * DINOv2 vision transformer, frozen, as VFMTok vendors it. State-dict keys are those of the official
 * {@code dinov2_vit*14*_pretrain.pth} files: cls_token, pos_embed, register_tokens, mask_token,
 * patch_embed.proj.*, blocks.{i}.{norm1, attn.qkv, attn.proj, ls1.gamma, norm2, mlp.*, ls2.gamma}, norm.*.
 *
 * <p>Token layout: [CLS, R1..Rr, P1..Pn] with the position embedding added to CLS and the patches before
 * the registers are inserted; the pos-embed grid trained at 518 px (37²) is resized to the input's grid by
 * antialiased bicubic interpolation with the scale factor grid/37 (spec §1.2).
 *
 * <p>Memory and threads: the weights live in a scope the model owns, freed by {@link #close} (or at the
 * latest with the scope current at construction). The frozen model is immutable and may be shared by any
 * number of threads; every forward allocates its activations in the caller's current scope.
 */
public final class Dinov2 extends Module implements VisionFoundationModel {
    private static final double[] MEAN = {0.485, 0.456, 0.406};
    private static final double[] STD = {0.229, 0.224, 0.225};

    public final Dinov2Config config;
    final Tensor clsToken;      // (1, 1, D)
    final Tensor posEmbed;      // (1, 1 + G², D)
    final Tensor registerTokens; // (1, R, D) or null
    final Tensor maskToken;     // (1, D), training-time masking only
    final PatchEmbed patchEmbed;
    final ModuleList<Block> blocks;
    final LayerNorm norm;
    private final Scope weights;

    public Dinov2(Dinov2Config config, Rng rng) {
        this.config = config;
        int d = config.embedDim(), g = config.pretrainGrid();
        weights = Scope.owned("DINOv2 weights");
        try (Scope.Entered in = weights.enter()) {
            clsToken = parameter("cls_token", Tensor.zeros(1, 1, d));
            posEmbed = parameter("pos_embed", Tensor.zeros(1, 1 + g * g, d));
            registerTokens = config.numRegisters() > 0 ? parameter("register_tokens", Tensor.zeros(1, config.numRegisters(), d)) : null;
            maskToken = parameter("mask_token", Tensor.zeros(1, d));
            patchEmbed = register("patch_embed", new PatchEmbed(config, rng));
            blocks = register("blocks", new ModuleList<>());
            for (int i = 0; i < config.depth(); i++) blocks.add(new Block(config, rng));
            norm = register("norm", new LayerNorm(d, config.lnEps()));
        } catch (RuntimeException | Error e) {
            weights.close();
            throw e;
        }
        NativeMemory.Owner owner = NativeMemory.openOwner();
        weights.onClose(owner::close); // also when the enclosing scope closes the weights
        requiresGrad(false);
        eval();
    }

    /** Frees the weights. Idempotent; the model must not be used afterwards. */
    @Override
    public void close() {
        weights.close();
    }

    @Override public Dinov2Config config() { return config; }

    /** The original {@code .pth} names or Hugging Face's ({@link Dinov2Weights}). */
    @Override public void loadPublished(java.util.Map<String, Tensor> weights) { load(Dinov2Weights.toOriginalNames(weights), true); }

    @Override public int featureDim() { return config.embedDim(); }

    @Override public int gridSize(int imageSize) { return config.vitInputSize(imageSize) / config.patchSize(); }

    /**
     * The VFMTok preprocessing: the input resize to {@link Dinov2Config#inputSize} when set ({@link InputResize}),
     * then [-1, 1] → [0, 1] → ImageNet mean/std, per channel.
     */
    @Override
    public Tensor normalize(Tensor images) {
        Tensor x = Pointwise.affine(Pointwise.clamp(InputResize.apply(images, config.inputSize(), config.name()), -1, 1), 0.5, 0.5);
        Tensor mean = Tensor.of(new float[] {(float) MEAN[0], (float) MEAN[1], (float) MEAN[2]}, 1, 3, 1, 1).to(images.dtype());
        Tensor std = Tensor.of(new float[] {(float) STD[0], (float) STD[1], (float) STD[2]}, 1, 3, 1, 1).to(images.dtype());
        return Pointwise.div(Pointwise.sub(x, mean), std);
    }

    /** Position embedding for a grid of {@code gh} x {@code gw} patches: (1, 1 + gh·gw, D). */
    Tensor positionEmbedding(int gh, int gw) {
        return PosEmbed.resize(posEmbed, config.pretrainGrid(), gh, gw, config.interpolateOffset(), config.interpolateAntialias());
    }

    /** Tokens after the embedding stage: (B, 1 + R + n, D). */
    Tensor embed(Tensor images) {
        int b = images.size(0), p = config.patchSize();
        if (images.dim() != 4 || images.size(1) != 3 || images.size(2) % p != 0 || images.size(3) % p != 0) {
            throw new IllegalArgumentException("DINOv2 input must be (B, 3, H, W) with H and W multiples of " + p + ", got "
                    + java.util.Arrays.toString(images.shape()));
        }
        int gh = images.size(2) / p, gw = images.size(3) / p;
        Tensor x = patchEmbed.forward(images); // (B, n, D)
        x = Indexing.concat(1, clsToken.expand(b, 1, config.embedDim()), x);
        x = Pointwise.add(x, positionEmbedding(gh, gw));
        if (registerTokens != null) {
            x = Indexing.concat(1, x.narrow(1, 0, 1), registerTokens.expand(b, config.numRegisters(), config.embedDim()),
                    x.narrow(1, 1, gh * gw));
        }
        return x;
    }

    /**
     * Features at the configured block indices, patch tokens only: outputs of the blocks (raw residual
     * stream), except the last level, which is taken after the final LayerNorm.
     */
    @Override
    public List<Tensor> features(Tensor images) {
        int[] levels = config.levels();
        int skip = 1 + config.numRegisters();
        Tensor x = embed(images);
        int n = x.size(1) - skip;
        List<Tensor> out = new ArrayList<>();
        int last = levels[levels.length - 1];
        for (int i = 0; i <= last; i++) {
            x = blocks.get(i).forward(x);
            for (int l = 0; l < levels.length; l++) {
                if (levels[l] != i) continue;
                Tensor f = l == levels.length - 1 ? norm.forward(x) : x;
                out.add(f.narrow(1, skip, n).contiguous());
            }
        }
        return out;
    }

    /**
     * The full token sequences (B, 1 + R + n, D), without the final norm: first the embedding output (with
     * position embedding), then the output of each block in {@code blockIndices} (ascending). Differentiable
     * with respect to the input (the DINO discriminator passes the generator's gradient through it).
     */
    public List<Tensor> hiddenStates(Tensor normalizedImages, int[] blockIndices) {
        List<Tensor> out = new ArrayList<>();
        Tensor x = embed(normalizedImages);
        out.add(x);
        int last = blockIndices.length == 0 ? -1 : blockIndices[blockIndices.length - 1];
        for (int i = 0, k = 0; i <= last; i++) {
            x = blocks.get(i).forward(x);
            if (k < blockIndices.length && blockIndices[k] == i) {
                out.add(x);
                k++;
            }
        }
        return out;
    }

    /** patch_embed.proj: a 14×14/14 convolution, computed as unfold + matmul (patches do not overlap). */
    static final class PatchEmbed extends Module {
        final Conv2d proj;
        final int patch;

        PatchEmbed(Dinov2Config c, Rng rng) {
            patch = c.patchSize();
            proj = register("proj", new Conv2d(3, c.embedDim(), patch, patch, 0, rng));
        }

        Tensor forward(Tensor images) {
            int b = images.size(0), gh = images.size(2) / patch, gw = images.size(3) / patch;
            Tensor cols = images.reshape(b, 3, gh, patch, gw, patch).permute(0, 2, 4, 1, 3, 5)
                    .reshape(b, gh * gw, 3 * patch * patch); // (B, n, 3·p·p) in the weight's (c, kh, kw) order
            Tensor w = proj.weight.reshape(proj.weight.size(0), -1);
            return MatMul.linear(cols, w, proj.bias);
        }
    }

    /** One pre-norm block with LayerScale: x + γ1·attn(norm1 x), then x + γ2·mlp(norm2 x). */
    static final class Block extends UnaryModule {
        final LayerNorm norm1;
        final FusedQkvAttention attn;
        final LayerScale ls1;
        final LayerNorm norm2;
        final UnaryModule mlp;
        final LayerScale ls2;

        Block(Dinov2Config c, Rng rng) {
            int d = c.embedDim();
            norm1 = register("norm1", new LayerNorm(d, c.lnEps()));
            attn = register("attn", new FusedQkvAttention(d, c.numHeads(), true, false, "qkv", "proj", rng)); // rows [q; k; v], head-major
            ls1 = register("ls1", new LayerScale(d));
            norm2 = register("norm2", new LayerNorm(d, c.lnEps()));
            mlp = register("mlp", c.swiglu() ? new SwiGLUFused(d, c.mlpHidden(), rng) : new Mlp(d, c.mlpHidden(), rng));
            ls2 = register("ls2", new LayerScale(d));
        }

        @Override public Tensor forward(Tensor x) {
            x = Pointwise.add(x, ls1.forward(attn.forward(norm1.forward(x))));
            Tensor h = norm2.forward(x);
            return Pointwise.add(x, ls2.forward(mlp.forward(h)));
        }
    }

    static final class LayerScale extends UnaryModule {
        final Tensor gamma;

        LayerScale(int d) { gamma = parameter("gamma", Tensor.ones(d)); }

        @Override public Tensor forward(Tensor x) { return Pointwise.mul(x, gamma); }
    }

    /** mlp.fc1 → exact GELU → mlp.fc2. */
    static final class Mlp extends UnaryModule {
        final Linear fc1;
        final Linear fc2;

        Mlp(int d, int hidden, Rng rng) {
            fc1 = register("fc1", new Linear(d, hidden, true, rng));
            fc2 = register("fc2", new Linear(hidden, d, true, rng));
        }

        @Override public Tensor forward(Tensor x) { return fc2.forward(Pointwise.gelu(fc1.forward(x))); }
    }
}
