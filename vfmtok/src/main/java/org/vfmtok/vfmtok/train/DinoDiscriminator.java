package org.vfmtok.vfmtok.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vfmtok.nn.Module;
import org.vfmtok.nn.UnaryModule;
import org.vfmtok.nn.io.AnyCheckpoint;
import org.vfmtok.nn.layers.ModuleList;
import org.vfmtok.nn.layers.SNConv1d;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;
import org.vfmtok.tensor.backend.ResampleKernels;
import org.vfmtok.tensor.ops.Conv;
import org.vfmtok.tensor.ops.Indexing;
import org.vfmtok.tensor.ops.Pointwise;
import org.vfmtok.tensor.ops.Reductions;
import org.vfmtok.tensor.ops.Resample;
import org.vfmtok.vfmtok.vfm.Dinov2;
import org.vfmtok.vfmtok.vfm.Dinov2Config;

/**
 * VFMTok's DINO discriminator ({@code discriminator_dino.py::DinoDisc}, from VAR / StyleGAN-T; spec §1.8).
 * A frozen DINO ViT (officially ViT-S/16 at 224 px, not part of the state dict) gives five activations — the
 * embedded tokens and the outputs of blocks 2, 5, 8, 11, each as patch tokens plus the CLS token, (B, C, N) —
 * and each goes through its own trainable head:
 * <pre>
 *   [SNConv1d(C, C, k=1, circular), BatchNormLocal(virtual batch 8, eps 1e-6), LeakyReLU 0.2]
 *   → Residual([same block with k=9]) (sum·1/√2) → SNConv1d(C, 1, k=1)
 * </pre>
 * Logits of the heads are concatenated to (B, 5·N). Keys: {@code heads.{h}.0.0.weight_orig},
 * {@code heads.{h}.0.1.weight}, {@code heads.{h}.1.fn.0.weight_orig}, {@code heads.{h}.2.weight_orig}, ...
 * Inputs in [-1, 1] are mapped to ImageNet normalisation and brought to the ViT's resolution: in training a
 * random crop half the time, else an area resize (bicubic when smaller).
 */
public final class DinoDiscriminator extends Module {
    /** Architecture: the frozen ViT, its input side, the blocks tapped, the residual kernel and the BatchNormLocal virtual batch. */
    public record Config(Dinov2Config vit, int inputSize, int[] keyBlocks, int kernel, int virtualBatch) {
        /** The official ViT-S/16 at 224 px, blocks 2, 5, 8, 11, kernel 9, virtual batch 8. */
        public static Config official() {
            return new Config(new Dinov2Config("dino_vits16", 384, 12, 6, 16, 0, false, 1536, 224, 1e-6, new int[] {11}),
                    224, new int[] {2, 5, 8, 11}, 9, 8);
        }
    }

    final ModuleList<Head> heads;
    private final Dinov2 dino;
    private final Config config;
    private Rng rng;

    public DinoDiscriminator(Config config, Dinov2 frozenVit, Rng rng) {
        this.config = config;
        this.dino = frozenVit;
        this.rng = rng;
        dino.requiresGrad(false);
        dino.eval();
        int c = config.vit().embedDim();
        heads = register("heads", new ModuleList<>());
        for (int i = 0; i <= config.keyBlocks().length; i++) heads.add(new Head(c, config.kernel(), config.virtualBatch(), rng));
    }

    private boolean randomCrops = true;

    /** Whether training takes a random crop half the time when the input is larger than the ViT's (default on). */
    public void randomCrops(boolean on) { this.randomCrops = on; }

    /** The generator of the random crops (the trainer's, for exact resume). */
    public void setRng(Rng r) { this.rng = r; }

    /**
     * Loads DINO v1 weights ({@code dino_deitsmall16_pretrain.pth}: cls_token, pos_embed, patch_embed.*,
     * blocks.*, norm.*) into a frozen ViT, zeroing the key part of every qkv bias as the official loader does.
     */
    public static Dinov2 loadDino(Path file, Dinov2Config vit) throws IOException {
        Dinov2 d = new Dinov2(vit, new Rng(0));
        org.vfmtok.nn.LoadReport report;
        try (AnyCheckpoint c = AnyCheckpoint.open(file)) {
            Map<String, Tensor> sd = new LinkedHashMap<>(c.tensors(""));
            sd.keySet().removeIf(k -> k.startsWith("head.") || k.startsWith("fc."));
            report = d.load(sd, false);   // copies the weights before the file closes
        }
        List<String> missing = new ArrayList<>(report.missing());
        missing.removeIf(k -> k.equals("mask_token") || k.endsWith("ls1.gamma") || k.endsWith("ls2.gamma"));
        if (!missing.isEmpty() || !report.unexpected().isEmpty()) {
            throw new IOException(file + ": not a DINO " + vit.name() + " checkpoint: missing " + missing + ", unexpected " + report.unexpected());
        }
        try (Grad.Mode ng = Grad.noGrad()) {
            int dim = vit.embedDim();
            for (var e : d.stateDict().entrySet()) {
                if (e.getKey().endsWith("attn.qkv.bias")) e.getValue().narrow(0, dim, dim).fill(0.0);
            }
        }
        return d;
    }

    /** Logits (B, heads·N) for images (B, 3, S, S) in [-1, 1]. */
    public Tensor forward(Tensor images) {
        int b = images.size(0);
        Tensor x = dino.normalize(resize(images));
        List<Tensor> acts = dino.hiddenStates(x, config.keyBlocks());
        int skip = 1 + config.vit().numRegisters();
        Tensor[] logits = new Tensor[acts.size()];
        for (int i = 0; i < acts.size(); i++) {
            Tensor a = acts.get(i);
            Tensor tokens = Pointwise.add(a.narrow(1, skip, a.size(1) - skip), a.narrow(1, 0, 1)); // patches + CLS
            logits[i] = heads.get(i).forward(tokens.transpose(1, 2).contiguous()).reshape(b, -1);
        }
        return Indexing.concat(1, logits);
    }

    Tensor resize(Tensor x) {
        int s = x.size(2), t = config.inputSize();
        if (s == t && x.size(3) == t) return x;
        if (s < t) return Resample.interpolate(x, new int[] {t, t}, ResampleKernels.Mode.BICUBIC, false, false);
        if (isTraining() && randomCrops && rng.nextBoolean()) {
            int top = rng.nextInt(s - t + 1), left = rng.nextInt(x.size(3) - t + 1);
            return x.narrow(2, top, t).narrow(3, left, t);
        }
        if (s % t == 0 && x.size(3) == s) {   // area resize by an integer factor: mean of f×f blocks
            int f = s / t;
            return Reductions.mean(x.contiguous().view(x.size(0), 3, t, f, t, f), new int[] {3, 5}, false);
        }
        return Resample.interpolate(x, new int[] {t, t}, ResampleKernels.Mode.BILINEAR, false, true);
    }

    /** One head: block(k=1), Residual(block(k)), SNConv1d(C, 1, 1). */
    static final class Head extends UnaryModule {
        final SBlock first;
        final Residual residual;
        final SNConv1d out;

        Head(int c, int kernel, int virtualBatch, Rng rng) {
            first = register("0", new SBlock(c, 1, virtualBatch, rng));
            residual = register("1", new Residual(new SBlock(c, kernel, virtualBatch, rng)));
            out = register("2", new SNConv1d(c, 1, 1, 0, Conv.PaddingMode.ZEROS, rng));
        }

        @Override public Tensor forward(Tensor x) { return out.forward(residual.forward(first.forward(x))); }
    }

    /** (fn(x) + x)/√2 around any layer. */
    static final class Residual extends UnaryModule {
        final UnaryModule fn;

        Residual(UnaryModule fn) { this.fn = register("fn", fn); }

        @Override public Tensor forward(Tensor x) { return Pointwise.add(fn.forward(x), x).mul(1.0 / Math.sqrt(2)); }
    }

    /** make_block: SpectralConv1d (circular padding k/2), BatchNormLocal, LeakyReLU(0.2). */
    static final class SBlock extends UnaryModule {
        final SNConv1d conv;
        final BatchNormLocal norm;

        SBlock(int c, int kernel, int virtualBatch, Rng rng) {
            conv = register("0", new SNConv1d(c, c, kernel, kernel / 2, Conv.PaddingMode.CIRCULAR, rng));
            norm = register("1", new BatchNormLocal(c, virtualBatch, 1e-6));
            register("2", new LeakyRelu());
        }

        @Override public Tensor forward(Tensor x) { return Pointwise.leakyRelu(norm.forward(conv.forward(x)), 0.2); }
    }

    static final class LeakyRelu extends Module {}

    /**
     * BatchNorm over virtual batches of {@code virtualBatch} samples, always with the batch statistics (no
     * running estimates): x viewed as (G, B/G, C, L) as VAR does, mean and biased
     * variance over dims 1 and 3 — then the affine weight and bias per channel.
     */
    static final class BatchNormLocal extends Module {
        final Tensor weight;
        final Tensor bias;
        final int virtualBatch;
        final double eps;

        BatchNormLocal(int c, int virtualBatch, double eps) {
            this.virtualBatch = virtualBatch;
            this.eps = eps;
            weight = parameter("weight", Tensor.ones(c));
            bias = parameter("bias", Tensor.zeros(c));
        }

        Tensor forward(Tensor x) {
            int b = x.size(0), c = x.size(1), l = x.size(2);
            int g = (b + virtualBatch - 1) / virtualBatch;
            if (b % g != 0) throw new IllegalArgumentException("BatchNormLocal: batch " + b + " does not split into " + g + " virtual batches");
            Tensor v = x.contiguous().view(g, b / g, c, l);
            Tensor mean = Reductions.mean(v, new int[] {1, 3}, true);
            Tensor var = Reductions.var(v, new int[] {1, 3}, 0, true);
            Tensor n = Pointwise.div(Pointwise.sub(v, mean), Pointwise.sqrt(var.add(eps)));
            n = Pointwise.add(Pointwise.mul(n, weight.view(1, 1, c, 1)), bias.view(1, 1, c, 1));
            return n.view(b, c, l);
        }
    }
}
