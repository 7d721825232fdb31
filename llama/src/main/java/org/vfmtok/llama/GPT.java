package org.vfmtok.llama;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.vfmtok.nn.LoadReport;
import org.vfmtok.nn.Module;
import org.vfmtok.nn.StateDictException;
import org.vfmtok.nn.WeightStorage;
import org.vfmtok.nn.io.AnyCheckpoint;
import org.vfmtok.nn.layers.Dropout;
import org.vfmtok.nn.layers.ModuleList;
import org.vfmtok.nn.layers.RMSNorm;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.NativeMemory;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;
import org.vfmtok.tensor.ops.Attention;
import org.vfmtok.tensor.ops.Indexing;
import org.vfmtok.tensor.ops.Losses;
import org.vfmtok.tensor.ops.MatMul;
import org.vfmtok.tensor.ops.Pointwise;

/**
 * LlamaGen's class-conditional GPT ({@code autoregressive/models/gpt.py::Transformer}, c2i): a class token then
 * image tokens, pre-norm blocks with 2D RoPE attention and SwiGLU, no biases. State-dict keys are the
 * official ones (MODEL-SPEC §2.2), so {@link #load} reads released checkpoints strictly.
 *
 * <p>{@link #forward} is the full-sequence (training) forward with autograd; in training mode it applies
 * class-label dropout to the null class, token dropout (also on the class embedding), residual and FFN
 * dropout. Sampling goes through {@link KVDecoder} and {@link Generator}, which share these weights.
 *
 * <p>Memory: the weights live in a scope the model owns ({@link Scope#owned}), freed by {@link #close}
 * (or, at the latest, when the scope current at construction closes). After close every use fails.
 *
 * <p>Threads: a GPT in eval mode is immutable and may be shared by any number of threads; per-call state
 * (KV caches, scratch) lives in a {@link KVDecoder} or {@link Generator}, one per thread. Training
 * (forward with dropout, optimiser steps) is single-threaded.
 */
public final class GPT extends Module implements AutoCloseable {
    public final GPTConfig config;
    final Blocks.LabelEmbedder clsEmbedding;
    final Weight tokEmbeddings;
    final ModuleList<Blocks.Block> layers = new ModuleList<>();
    final RMSNorm norm;
    final Weight output;
    final Rope2D rope;

    private final Rng dropoutRng;
    private final Dropout tokDropout, residDropout, ffnDropout;
    private final Scope weights;
    private final WeightStorage storage;

    /** Uninitialised weights (to load a checkpoint into); see {@link #random} and {@link #initialize}. */
    public GPT(GPTConfig config) {
        this(config, new Rng(0x5EEDL));
    }

    /** Uninitialised weights; {@code dropoutRng} drives the training-mode dropouts. */
    public GPT(GPTConfig config, Rng dropoutRng) {
        this(config, dropoutRng, WeightStorage.F32);
    }

    /**
     * Uninitialised weights whose linear matrices (attention, SwiGLU, output head) are stored as {@code storage};
     * embedding tables and norm scales stay F32. A {@link WeightStorage#BF16} model is for inference: its
     * parameters do not require gradients. Loading (or {@link #initialize}) rounds F32 values into it.
     */
    public GPT(GPTConfig config, Rng dropoutRng, WeightStorage storage) {
        this.config = config;
        this.dropoutRng = dropoutRng;
        this.storage = storage;
        DType matrices = storage.dtype();
        weights = Scope.owned("GPT weights");
        try (Scope.Entered in = weights.enter()) {
            clsEmbedding = register("cls_embedding", new Blocks.LabelEmbedder(config.classRows(), config.dim()));
            tokEmbeddings = register("tok_embeddings", new Weight(config.vocabSize(), config.dim()));
            register("layers", layers);
            for (int i = 0; i < config.nLayer(); i++) layers.add(new Blocks.Block(config, matrices));
            norm = register("norm", new RMSNorm(config.dim(), config.normEps()));
            output = register("output", new Weight(config.vocabSize(), config.dim(), matrices));
            rope = new Rope2D(config.grid(), config.headDim(), config.ropeBase());
            // registered (no state) so that train()/eval() reach them; PyTorch keeps resid/ffn dropout inside the blocks
            tokDropout = register("tok_dropout", new Dropout(config.tokenDropoutP(), dropoutRng));
            residDropout = register("resid_dropout", new Dropout(config.residDropoutP(), dropoutRng));
            ffnDropout = register("ffn_dropout", new Dropout(config.ffnDropoutP(), dropoutRng));
        } catch (RuntimeException | Error e) {
            weights.close();
            throw e;
        }
        NativeMemory.Owner owner = NativeMemory.openOwner();
        weights.onClose(owner::close); // also when the enclosing scope closes the weights
        if (storage != WeightStorage.F32) requiresGrad(false);
    }

    /** How the linear matrices are stored. */
    public WeightStorage weightStorage() { return storage; }

    /**
     * A new model with these weights stored as {@code target} (rounded to nearest even for BF16), in eval mode; this
     * model is unchanged. The copy owns its memory (close it); it belongs to the scope current at the call.
     */
    public GPT withWeights(WeightStorage target) {
        GPT g = new GPT(config, new Rng(0x5EEDL), target);
        try {
            g.load(stateDict(), true);
        } catch (RuntimeException | Error e) {
            g.close();
            throw e;
        }
        g.eval();
        return g;
    }

    /** Frees the weights (and everything else allocated in the model's scope, e.g. optimiser state). Idempotent. */
    @Override
    public void close() {
        weights.close();
    }

    /** Whether {@link #close} has run. */
    public boolean isClosed() { return weights.isClosed(); }

    /** The official initialisation with a seed: Linear/Embedding N(0, initializer_range), norms 1, output 0. */
    public static GPT random(GPTConfig config, long seed) {
        GPT g = new GPT(config, new Rng(seed ^ 0xD40D0D0DL));
        g.initialize(seed, false);
        return g;
    }

    /**
     * Fills every weight: norms with 1, {@code output.weight} with 0 (official) or, when {@code randomOutput}, with
     * N(0, std) like the others (benchmarks: zero logits would make sampling trivial). Deterministic for a
     * seed whatever the thread count (each block of 64K values has its own generator).
     */
    public void initialize(long seed, boolean randomOutput) {
        int index = 0;
        try (Grad.Mode ng = Grad.noGrad()) {
            for (var e : namedParameters().entrySet()) {
                Tensor t = e.getValue();
                String name = e.getKey();
                if (name.endsWith("norm.weight")) t.fill(1.0);
                else if (name.equals("output.weight") && !randomOutput) t.fill(0.0);
                else fillNormal(t, seed, index, config.initStd());
                index++;
            }
        }
    }

    private static void fillNormal(Tensor t, long seed, int param, double std) {
        if (!t.isContiguous()) throw new IllegalStateException("weights are contiguous");
        long s = seed * 0x9E3779B97F4A7C15L + param * 0xBF58476D1CE4E5B9L;
        if (t.dtype() == DType.F32) {
            Init.normalInBlocks(t, s, std);
            return;
        }
        try (Scope draw = Scope.open("GPT init")) {   // the same draws as an F32 model, rounded into the stored type
            Tensor f = Tensor.empty(DType.F32, t.shape());
            Init.normalInBlocks(f, s, std);
            t.copyFrom(f);
        }
    }

    public Rope2D rope() { return rope; }

    public int layerCount() { return layers.size(); }

    // ------------------------------------------------------------------ full-sequence forward

    /**
     * Logits (B, 1 + L, V) of one causal forward of [class token, tok_emb(codes)]: {@code classes} (B) integer
     * labels (the null class {@code numClasses} allowed), {@code codes} (B, L) integer, L ≤ grid² − 1 (or null
     * for the class token alone). Position t's logits predict code t.
     */
    public Tensor forward(Tensor classes, Tensor codes) {
        int b = classes.size(0);
        checkLabels(classes, config.classRows(), "class");
        Tensor labels = isTraining() ? dropLabels(classes) : classes;
        Tensor h = Indexing.embedding(clsEmbedding.table.weight, labels).unsqueeze(1);          // (B, 1, D)
        if (codes != null && codes.size(1) > 0) {
            if (codes.dim() != 2 || codes.size(0) != b) {
                throw new IllegalArgumentException("codes must be (B, L) with B = " + b + ", got " + Arrays.toString(codes.shape()));
            }
            checkLabels(codes, config.vocabSize(), "code");
            Tensor tok = Indexing.embedding(tokEmbeddings.weight, codes.flatten()).view(b, codes.size(1), config.dim());
            h = Indexing.concat(1, h, tok);
        }
        if (h.size(1) > rope.positions()) {
            throw new IllegalArgumentException("sequence of " + h.size(1) + " tokens is longer than 1 + grid² = " + rope.positions());
        }
        h = tokDropout.forward(h);
        for (Blocks.Block layer : layers) h = block(layer, h);
        return linear(norm.forward(h), output);
    }

    /** Mean cross-entropy of predicting {@code codes} (B, N) from [class, codes[:, :N−1]] (the training loss). */
    public Tensor loss(Tensor classes, Tensor codes) {
        int n = codes.size(1);
        Tensor logits = forward(classes, codes.narrow(1, 0, n - 1));
        return Losses.crossEntropy(logits.reshape(-1, config.vocabSize()), codes.flatten());
    }

    private Tensor block(Blocks.Block layer, Tensor x) {
        int b = x.size(0), len = x.size(1), d = config.dim(), heads = config.nHead(), hd = config.headDim();
        Tensor qkv = linear(layer.attentionNorm.forward(x), layer.attention.wqkv);               // (B, L, 3D)
        Tensor q = rope.apply(qkv.narrow(2, 0, d).reshape(b, len, heads, hd));
        Tensor k = rope.apply(qkv.narrow(2, d, d).reshape(b, len, heads, hd));
        Tensor v = qkv.narrow(2, 2 * d, d).reshape(b, len, heads, hd);
        Tensor att = Attention.scaledDotProductAttention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), null, true);
        Tensor h = Pointwise.add(x, residDropout.forward(linear(att.transpose(1, 2).reshape(b, len, d), layer.attention.wo)));
        Blocks.FeedForward f = layer.feedForward;
        Tensor xn = layer.ffnNorm.forward(h);
        Tensor gated = Pointwise.mul(Pointwise.silu(linear(xn, f.w1)), linear(xn, f.w3));
        return Pointwise.add(h, ffnDropout.forward(linear(gated, f.w2)));
    }

    /**
     * x·wᵀ: through autograd when a gradient is wanted (or off the CPU), else the backend's row product
     * ({@link org.vfmtok.tensor.backend.GemmKernels#linearRows}), which streams w once without packing it.
     */
    private static Tensor linear(Tensor x, Weight w) {
        if (Grad.needed(x, w.weight) || !x.device().isCpu()) return MatMul.linear(x, w.weight, null);
        Tensor flat = x.contiguous().reshape(-1, x.size(-1));
        int[] shape = x.shape();
        shape[shape.length - 1] = w.weight.size(0);
        Tensor out = Tensor.empty(x.dtype(), flat.size(0), w.weight.size(0));
        var gemm = flat.backend().gemm();
        gemm.linearRows(flat, w.weight, out, false, gemm.linearWorkspace());
        return out.view(shape);
    }

    /** Each label becomes the null class with probability class_dropout_prob (training). */
    private Tensor dropLabels(Tensor classes) {
        if (config.classDropoutProb() <= 0) return classes;
        long[] l = classes.toLongArray();
        for (int i = 0; i < l.length; i++) if (dropoutRng.nextDouble() < config.classDropoutProb()) l[i] = config.numClasses();
        return Tensor.ofLongs(l, l.length);
    }

    long[] dropLabelsForTest(Tensor classes) { return dropLabels(classes).toLongArray(); }

    static void checkLabels(Tensor t, int size, String what) {
        if (t.dtype().isFloating()) throw new IllegalArgumentException(what + " indices must be integer, got " + t.dtype());
        for (long v : t.toLongArray()) {
            if (v < 0 || v >= size) throw new IllegalArgumentException(what + " index " + v + " is out of range [0, " + size + ")");
        }
    }

    // ------------------------------------------------------------------ checkpoints

    /**
     * Loads a training checkpoint ({@code {"model", "ema"?, ...}}: the {@code ema} weights when present, as the
     * official sampler does) or a bare state dict, .pt or .safetensors, strictly. {@code which} "model" or "ema"
     * forces one. A checkpoint of another size fails naming the first mismatching keys and their shapes.
     */
    public static GPT load(Path file, GPTConfig config, String which) throws IOException {
        return load(file, config, which, WeightStorage.F32);
    }

    /** {@link #load(Path, GPTConfig, String)} into a model whose linear matrices are stored as {@code storage} (rounded on load). */
    public static GPT load(Path file, GPTConfig config, String which, WeightStorage storage) throws IOException {
        GPT g = null;
        Scope caller = Scope.current(); // the model belongs where it was before: not to the conversions scope
        // conversions of checkpoint tensors die here; the weights are in the model's own scope
        try (Scope conversions = Scope.open("GPT load"); AnyCheckpoint c = AnyCheckpoint.open(file)) {
            String used = which;
            Map<String, Tensor> sd;
            if (which == null || which.isEmpty() || which.equals("auto")) {
                used = "ema";
                sd = c.tensors("ema");
                if (sd.isEmpty()) {
                    used = "model";
                    sd = c.tensors("model");
                }
                if (sd.isEmpty()) {
                    used = "state dict";
                    sd = c.tensors("");
                }
            } else {
                sd = c.tensors(which);
                if (sd.isEmpty()) throw new IOException(file + ": no '" + which + "' weights in this checkpoint");
            }
            if (sd.isEmpty()) throw new IOException(file + ": no tensors");
            checkShapes(file, used, sd, config); // before the model is allocated: a wrong config costs nothing
            g = caller.run(() -> new GPT(config, new Rng(0x5EEDL), storage));
            try {
                g.load(sd, true);
            } catch (StateDictException e) {
                throw new IOException(file + " (" + used + " weights) does not fit " + config + ": " + summary(e.report()) + describe(sd), e);
            }
        } catch (IOException | RuntimeException | Error e) {
            if (g != null) g.close();
            throw e;
        }
        g.eval();
        return g;
    }

    /**
     * Compares the shapes that fix a GPT's size (embeddings, layer count, SwiGLU width, class rows) with
     * {@code config}, from the checkpoint's header alone, so that a mistaken {@code --gpt-config} (a dim of a
     * million) fails naming the key and both shapes instead of allocating the model first.
     */
    static void checkShapes(Path file, String used, Map<String, Tensor> sd, GPTConfig config) throws IOException {
        Map<String, int[]> expected = new java.util.LinkedHashMap<>();
        expected.put("tok_embeddings.weight", new int[] {config.vocabSize(), config.dim()});
        expected.put("output.weight", new int[] {config.vocabSize(), config.dim()});
        expected.put("cls_embedding.embedding_table.weight", new int[] {config.classRows(), config.dim()});
        expected.put("layers.0.attention.wqkv.weight", new int[] {3 * config.dim(), config.dim()});
        expected.put("layers.0.feed_forward.w1.weight", new int[] {config.ffnDim(), config.dim()});
        for (var e : expected.entrySet()) {
            Tensor t = sd.get(e.getKey());
            if (t != null && !java.util.Arrays.equals(t.shape(), e.getValue())) {
                throw new IOException(file + " (" + used + " weights) does not fit " + config + " (checked before allocating it): shape mismatch "
                        + e.getKey() + ": checkpoint " + java.util.Arrays.toString(t.shape()) + ", model " + java.util.Arrays.toString(e.getValue()) + describe(sd));
            }
        }
        int layers = 0;
        while (sd.containsKey("layers." + layers + ".attention.wqkv.weight")) layers++;
        if (layers > 0 && layers != config.nLayer()) {
            String keys = layers < config.nLayer()
                    ? "missing keys: layers." + layers + ".* to layers." + (config.nLayer() - 1) + ".*"
                    : "unexpected keys: layers." + config.nLayer() + ".* to layers." + (layers - 1) + ".*";
            throw new IOException(file + " (" + used + " weights) does not fit " + config + ": the file has " + layers + " layers, the config "
                    + config.nLayer() + " (" + keys + ")" + describe(sd));
        }
    }

    public static GPT load(Path file, GPTConfig config) throws IOException { return load(file, config, "auto"); }

    private static String summary(LoadReport r) {
        List<String> parts = new ArrayList<>();
        if (!r.shapeMismatches().isEmpty()) parts.add(first("shape mismatches", r.shapeMismatches()));
        if (!r.missing().isEmpty()) parts.add(first("missing keys", r.missing()));
        if (!r.unexpected().isEmpty()) parts.add(first("unexpected keys", r.unexpected()));
        return String.join("; ", parts);
    }

    private static String first(String title, List<String> items) {
        int n = Math.min(3, items.size());
        return title + " (" + items.size() + "): " + String.join(", ", items.subList(0, n)) + (items.size() > n ? ", ..." : "");
    }

    /** What the checkpoint looks like: dim, vocab and layer count, and the preset of that dim if any. */
    static String describe(Map<String, Tensor> sd) {
        Tensor tok = sd.get("tok_embeddings.weight");
        if (tok == null || tok.dim() != 2) return "";
        int layers = 0;
        while (sd.containsKey("layers." + layers + ".attention.wqkv.weight")) layers++;
        int dim = tok.size(1);
        String guess = "";
        for (String p : GPTConfig.presetNames()) {
            GPTConfig c = GPTConfig.preset(p);
            if (c.dim() == dim && c.nLayer() == layers) guess = " — looks like " + p;
        }
        return " (the checkpoint has dim " + dim + ", vocab " + tok.size(0) + ", " + layers + " layers" + guess + ")";
    }
}
