package org.vfmtok.vfmtok.vfm;

import java.util.ArrayList;
import java.util.List;
import org.vfmtok.nn.Module;
import org.vfmtok.nn.UnaryModule;
import org.vfmtok.nn.layers.LayerNorm;
import org.vfmtok.nn.layers.Linear;
import org.vfmtok.nn.layers.ModuleList;
import org.vfmtok.nn.layers.MultiHeadAttention;
import org.vfmtok.tensor.NativeMemory;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.ResampleKernels;
import org.vfmtok.tensor.ops.Indexing;
import org.vfmtok.tensor.ops.MatMul;
import org.vfmtok.tensor.ops.Pointwise;
import org.vfmtok.tensor.ops.Resample;

/**
 * A frozen CLIP or SigLIP vision tower ({@link VisionTowerConfig}), Hugging Face state-dict names without
 * the {@code vision_model.} prefix ({@link VisionTowerWeights} converts the published layouts):
 * embeddings.{class_embedding (CLIP), patch_embedding.weight [+ .bias], position_embedding.weight},
 * pre_layrnorm (CLIP), encoder.layers.{i}.{layer_norm1, self_attn.{q,k,v,out}_proj, layer_norm2, mlp.fc1,
 * mlp.fc2}, post_layernorm.
 *
 * <p>Forward (modeling_clip.py / modeling_siglip.py): patches → [CLS +] tokens + position table (resized by
 * size-based bicubic when the grid differs, as {@code interpolate_pos_encoding}) → [pre_layrnorm] → layers;
 * features are the patch tokens after the configured blocks, the last optionally through post_layernorm.
 *
 * <p>Memory and threads as {@link Dinov2}: the model owns its weights ({@link #close}); a loaded model is
 * immutable and may be shared by threads; activations live in the caller's current scope.
 */
public final class VisionTower extends Module implements VisionFoundationModel {
    public final VisionTowerConfig config;
    final Embeddings embeddings;
    final LayerNorm preLayrnorm;   // CLIP only
    final Encoder encoder;
    final LayerNorm postLayernorm;
    private final Scope weights;

    public VisionTower(VisionTowerConfig config, Rng rng) {
        this.config = config;
        int d = config.embedDim();
        weights = Scope.owned(config.name() + " weights");
        try (Scope.Entered in = weights.enter()) {
            embeddings = register("embeddings", new Embeddings(config));
            preLayrnorm = config.family().hasClassToken() ? register("pre_layrnorm", new LayerNorm(d, config.lnEps())) : null;
            encoder = register("encoder", new Encoder(config, rng));
            postLayernorm = register("post_layernorm", new LayerNorm(d, config.lnEps()));
        } catch (RuntimeException | Error e) {
            weights.close();
            throw e;
        }
        NativeMemory.Owner owner = NativeMemory.openOwner();
        weights.onClose(owner::close);
        requiresGrad(false);
        eval();
    }

    @Override public void close() { weights.close(); }

    @Override public VisionTowerConfig config() { return config; }

    /** Hugging Face or open_clip names ({@link VisionTowerWeights}). */
    @Override public void loadPublished(java.util.Map<String, Tensor> weights) {
        load(VisionTowerWeights.toTowerNames(weights, config.family()), true);
    }

    @Override public int featureDim() { return config.embedDim(); }

    @Override public int gridSize(int imageSize) { return config.vitInputSize(imageSize) / config.patchSize(); }

    /** The input resize ({@link InputResize}), then [-1, 1] → [0, 1] → the family's mean/std. */
    @Override
    public Tensor normalize(Tensor images) {
        double[] mean = config.family().mean, std = config.family().std;
        Tensor x = Pointwise.affine(Pointwise.clamp(InputResize.apply(images, config.inputSize(), config.name()), -1, 1), 0.5, 0.5);
        Tensor m = Tensor.of(new float[] {(float) mean[0], (float) mean[1], (float) mean[2]}, 1, 3, 1, 1).to(images.dtype());
        Tensor s = Tensor.of(new float[] {(float) std[0], (float) std[1], (float) std[2]}, 1, 3, 1, 1).to(images.dtype());
        return Pointwise.div(Pointwise.sub(x, m), s);
    }

    @Override
    public List<Tensor> features(Tensor images) {
        Tensor x = embeddings.forward(images);                       // (B, [1 +] n, D)
        if (preLayrnorm != null) x = preLayrnorm.forward(x);
        int skip = config.family().hasClassToken() ? 1 : 0, n = x.size(1) - skip;
        int[] levels = config.levels();
        List<Tensor> out = new ArrayList<>();
        for (int i = 0, k = 0; i <= levels[levels.length - 1]; i++) {
            x = encoder.layers.get(i).forward(x);
            if (levels[k] != i) continue;
            boolean last = k == levels.length - 1;
            Tensor f = last && config.normLast() ? postLayernorm.forward(x) : x;
            out.add(f.narrow(1, skip, n).contiguous());
            k++;
        }
        return out;
    }

    /** Patch embedding, class token, position table. */
    static final class Embeddings extends Module {
        final Tensor classEmbedding;   // (D), CLIP only
        final Tensor patchWeight;      // (D, 3, p, p)
        final Tensor patchBias;        // (D), SigLIP only
        final Tensor positionTable;    // ([1 +] g², D)
        private final VisionTowerConfig c;

        Embeddings(VisionTowerConfig c) {
            this.c = c;
            int d = c.embedDim(), p = c.patchSize(), g = c.pretrainGrid(), cls = c.family().hasClassToken() ? 1 : 0;
            classEmbedding = cls == 1 ? parameter("class_embedding", Tensor.zeros(d)) : null;
            PatchEmbedding pe = register("patch_embedding", new PatchEmbedding(d, p, cls == 0));
            patchWeight = pe.weight;
            patchBias = pe.bias;
            positionTable = register("position_embedding", new Table(g * g + cls, d)).weight;
        }

        Tensor forward(Tensor images) {
            int b = images.size(0), p = c.patchSize(), d = c.embedDim();
            if (images.dim() != 4 || images.size(1) != 3 || images.size(2) < p || images.size(3) < p) {
                throw new IllegalArgumentException(c.name() + ": input must be (B, 3, H, W) with H and W at least the patch " + p + ", got "
                        + java.util.Arrays.toString(images.shape()));
            }
            int gh = images.size(2) / p, gw = images.size(3) / p;
            if (gh * p != images.size(2) || gw * p != images.size(3)) {
                images = images.narrow(2, 0, gh * p).narrow(3, 0, gw * p); // the conv's valid padding: partial patches dropped
            }
            Tensor cols = images.reshape(b, 3, gh, p, gw, p).permute(0, 2, 4, 1, 3, 5).reshape(b, gh * gw, 3 * p * p);
            Tensor x = MatMul.linear(cols, patchWeight.reshape(d, -1), patchBias);     // (B, n, D), the conv's (c, kh, kw) order
            boolean cls = classEmbedding != null;
            int g = c.pretrainGrid(), off = cls ? 1 : 0;
            Tensor grid = resizeGrid(positionTable.narrow(0, off, g * g), g, gh, gw);  // (gh·gw, D)
            if (cls) {
                x = Indexing.concat(1, classEmbedding.reshape(1, 1, d).expand(b, 1, d), x);
                grid = Indexing.concat(0, positionTable.narrow(0, 0, 1), grid);
            }
            return Pointwise.add(x, grid.reshape(1, grid.size(0), d));
        }

        /** interpolate_pos_encoding: (g², D) → (gh·gw, D) by size-based bicubic, align_corners False; as is when equal. */
        static Tensor resizeGrid(Tensor table, int g, int gh, int gw) {
            if (gh == g && gw == g) return table;
            int d = table.size(1);
            Tensor img = table.reshape(1, g, g, d).permute(0, 3, 1, 2);
            Tensor r = Resample.interpolate(img, new int[] {gh, gw}, ResampleKernels.Mode.BICUBIC, false, false);
            return r.permute(0, 2, 3, 1).reshape(gh * gw, d);
        }
    }

    /** The patch conv's parameters (applied as unfold + matmul in {@link Embeddings#forward}: the patches do not overlap). */
    static final class PatchEmbedding extends Module {
        final Tensor weight;
        final Tensor bias;

        PatchEmbedding(int d, int p, boolean withBias) {
            weight = parameter("weight", Tensor.zeros(d, 3, p, p));
            bias = withBias ? parameter("bias", Tensor.zeros(d)) : null;
        }
    }

    /** nn.Embedding's weight (only its table is read: the positions are all used, in order). */
    static final class Table extends Module {
        final Tensor weight;

        Table(int rows, int d) { weight = parameter("weight", Tensor.zeros(rows, d)); }
    }

    static final class Encoder extends Module {
        final ModuleList<Layer> layers;

        Encoder(VisionTowerConfig c, Rng rng) {
            layers = register("layers", new ModuleList<>());
            for (int i = 0; i < c.depth(); i++) layers.add(new Layer(c, rng));
        }
    }

    /** CLIPEncoderLayer / SiglipEncoderLayer: x + attn(layer_norm1 x), then x + mlp(layer_norm2 x). */
    static final class Layer extends UnaryModule {
        final LayerNorm layerNorm1;
        final MultiHeadAttention selfAttn;
        final LayerNorm layerNorm2;
        final Mlp mlp;

        Layer(VisionTowerConfig c, Rng rng) {
            int d = c.embedDim();
            layerNorm1 = register("layer_norm1", new LayerNorm(d, c.lnEps()));
            selfAttn = register("self_attn", new MultiHeadAttention(d, c.numHeads(), true, false, rng));
            layerNorm2 = register("layer_norm2", new LayerNorm(d, c.lnEps()));
            mlp = register("mlp", new Mlp(d, c.mlpHidden(), c.family(), rng));
        }

        @Override public Tensor forward(Tensor x) {
            x = Pointwise.add(x, selfAttn.forward(layerNorm1.forward(x)));
            return Pointwise.add(x, mlp.forward(layerNorm2.forward(x)));
        }
    }

    /** fc1 → quick_gelu (CLIP) or tanh-GELU (SigLIP) → fc2. */
    static final class Mlp extends UnaryModule {
        final Linear fc1;
        final Linear fc2;
        private final VisionTowerConfig.Family family;

        Mlp(int d, int hidden, VisionTowerConfig.Family family, Rng rng) {
            this.family = family;
            fc1 = register("fc1", new Linear(d, hidden, true, rng));
            fc2 = register("fc2", new Linear(hidden, d, true, rng));
        }

        @Override public Tensor forward(Tensor x) {
            Tensor h = fc1.forward(x);
            h = family == VisionTowerConfig.Family.CLIP ? Pointwise.mul(h, Pointwise.sigmoid(Pointwise.affine(h, 1.702, 0))) : Pointwise.geluTanh(h);
            return fc2.forward(h);
        }
    }
}
