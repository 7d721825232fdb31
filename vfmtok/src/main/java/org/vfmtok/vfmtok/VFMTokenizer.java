package org.vfmtok.vfmtok;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.vfmtok.nn.Module;
import org.vfmtok.nn.WeightStorage;
import org.vfmtok.nn.io.AnyCheckpoint;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.NativeMemory;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;
import org.vfmtok.tensor.backend.ResampleKernels;
import org.vfmtok.tensor.ops.Pointwise;
import org.vfmtok.tensor.ops.Resample;
import org.vfmtok.vfmtok.model.TokenizerConfig;
import org.vfmtok.vfmtok.model.VQModel;
import org.vfmtok.vfmtok.vfm.VisionFoundationModel;

/**
 * The VFMTok tokenizer for inference: images in [-1, 1] (B, 3, S, S) ⇄ codes (B, T). It adds the frozen VFM,
 * input checks and no-grad to {@link VQModel}'s stages, the same methods the training loss runs.
 *
 * <pre>{@code
 * VFMTokenizer tok = VFMTokenizer.load(Path.of("vfmtok-tokenizer.pt"), Path.of("dinov2_vitl14_reg4_pretrain.pth"), null);
 * try (Scope s = Scope.open()) {
 *     Tensor codes = tok.encode(images);        // (B, 256) I64
 *     Tensor recon = tok.decode(codes);         // (B, 3, 336, 336) in about [-1, 1]
 * }
 * }</pre>
 *
 * <p>Memory: a tokenizer from {@link #load} or {@link #random} owns its weights; {@link #close} frees
 * them (or, at the latest, the scope current when it was made). Results of encode/decode are allocated in
 * the caller's current scope.
 *
 * <p>Threads: the tokenizer is immutable after loading and may be shared by any number of threads; each
 * call's activations live in the calling thread's current scope.
 */
public final class VFMTokenizer implements AutoCloseable {
    private final TokenizerConfig config;
    private final VisionFoundationModel vfm;
    private final VQModel model;
    /** The scope holding {@link #model}'s weights when this tokenizer made it, else null (the caller's). */
    private final Scope weights;
    private final NativeMemory.Owner memoryOwner;
    private final WeightStorage storage;

    /**
     * A tokenizer over the given models; it takes ownership of {@code vfm} (closes it), not of {@code model}'s memory.
     * Its {@link #weightStorage} is what {@code model}'s matrices are stored as.
     */
    public VFMTokenizer(TokenizerConfig config, VisionFoundationModel vfm, VQModel model) {
        this(config, vfm, model, null, storageOf(model));
    }

    private VFMTokenizer(TokenizerConfig config, VisionFoundationModel vfm, VQModel model, Scope weights, WeightStorage storage) {
        this.config = config;
        this.vfm = vfm;
        this.model = model;
        this.weights = weights;
        this.storage = storage;
        this.memoryOwner = NativeMemory.openOwner();
        if (weights != null) weights.onClose(memoryOwner::close);
        model.eval();
    }

    /** A randomly initialised tokenizer (tests, training from scratch). */
    public static VFMTokenizer random(TokenizerConfig config, long seed) {
        Rng rng = new Rng(seed);
        VisionFoundationModel vfm = config.vfm().create(rng);
        Scope weights = Scope.owned("VFMTokenizer weights");
        VQModel model;
        try (Scope.Entered in = weights.enter()) {
            model = new VQModel(config, rng);
        }
        return new VFMTokenizer(config, vfm, model, weights, WeightStorage.F32);
    }

    /** {@link #random(TokenizerConfig, long)}'s weights stored as {@code storage}: the F32 draws, rounded (inference only). */
    public static VFMTokenizer random(TokenizerConfig config, long seed, WeightStorage storage) {
        if (storage == WeightStorage.F32) return random(config, seed);
        try (VFMTokenizer f32 = random(config, seed)) {
            return f32.withWeights(storage);
        }
    }

    /**
     * How the weight matrices are stored: {@link WeightStorage#F32}, or {@link WeightStorage#BF16} for inference (the
     * Linear and convolution weights of the VFM, the deformable encoder, the decoder ViT and the pixel decoder; norms,
     * biases, embeddings, queries, the codebook and CLIP/SigLIP patch embeddings stay F32). Either way the products
     * accumulate in F32 on F32 activations.
     */
    public WeightStorage weightStorage() { return storage; }

    /**
     * A new tokenizer with these weights (VFM included) stored as {@code target}, rounded to nearest even for BF16, in
     * eval mode; this one is unchanged. The copy owns its memory (close it). A BF16 tokenizer is for inference: its
     * parameters require no gradient and an op that would need one fails.
     */
    public VFMTokenizer withWeights(WeightStorage target) {
        Scope w = Scope.owned("VFMTokenizer weights (" + target.label() + ")");
        VisionFoundationModel v = null;
        try {
            VQModel m;
            try (Scope.Entered in = w.enter()) {
                m = target.build(() -> new VQModel(config, new Rng(0)));
            }
            m.load(model.stateDict(), true);
            if (vfm != null) {
                v = target.build(() -> vfm.config().create(new Rng(0)));
                if (!(v instanceof Module vm)) throw new IllegalStateException("cannot copy a " + vfm.getClass().getSimpleName() + ": not an nn Module");
                vm.load(vfm.stateDict(), true);
                vm.requiresGrad(false);
                vm.eval();
            }
            if (target != WeightStorage.F32) m.requiresGrad(false);
            return new VFMTokenizer(config, v, m, w, target);
        } catch (RuntimeException | Error e) {
            if (v != null) v.close();
            w.close();
            throw e;
        }
    }

    /** The storage of a model's Linear matrices (F32 for one without any). */
    private static WeightStorage storageOf(VQModel model) {
        for (Tensor t : model.parameters()) if (t.dtype() == DType.BF16) return WeightStorage.BF16;
        return WeightStorage.F32;
    }

    /** Frees the weights this tokenizer owns (the VFM's and, when it made it, the VQ model's). Idempotent. */
    @Override
    public void close() {
        if (vfm != null) vfm.close();
        if (weights != null) weights.close();
        memoryOwner.close();
    }

    /**
     * Loads the tokenizer checkpoint (its {@code ema} weights, or {@code model} when there is no EMA, or a
     * bare state dict) and the frozen VFM's weights (any published layout of the config's family: DINOv2
     * .pth or Hugging Face safetensors, CLIP from Hugging Face or open_clip, SigLIP from Hugging Face; null to
     * decode only). {@code config} null means the official architecture. Every tensor's shape is checked.
     */
    public static VFMTokenizer load(Path tokenizer, Path vfmWeights, TokenizerConfig config) throws IOException {
        return load(tokenizer, vfmWeights, config, "ema");
    }

    public static VFMTokenizer load(Path tokenizer, Path vfmWeights, TokenizerConfig config, String which) throws IOException {
        return load(tokenizer, vfmWeights, config, which, WeightStorage.F32);
    }

    /**
     * {@link #load(Path, Path, TokenizerConfig, String)} into models whose weight matrices are stored as {@code storage}
     * (BF16: rounded to nearest even on load, for inference; see {@link #weightStorage}).
     */
    public static VFMTokenizer load(Path tokenizer, Path vfmWeights, TokenizerConfig config, String which, WeightStorage storage) throws IOException {
        TokenizerConfig cfg = config == null ? TokenizerConfig.official() : config;
        Rng rng = new Rng(0);
        Scope weights = Scope.owned("VFMTokenizer weights");
        VQModel model;
        try (Scope.Entered in = weights.enter()) {
            model = storage.build(() -> new VQModel(cfg, rng));
        }
        if (storage != WeightStorage.F32) model.requiresGrad(false);
        // made before the conversions scope opens: a model owned under it would close with it
        VisionFoundationModel vfm = vfmWeights == null ? null : storage.build(() -> cfg.vfm().create(rng));
        try (Scope conversions = Scope.open("VFMTokenizer load")) {
            loadWeights(tokenizer, vfmWeights, cfg, which, model, vfm);
        } catch (IOException | RuntimeException | Error e) {
            weights.close();
            if (vfm != null) vfm.close();
            throw e;
        }
        return new VFMTokenizer(cfg, vfm, model, weights, storage);
    }

    private static void loadWeights(Path tokenizer, Path vfmWeights, TokenizerConfig cfg, String which, VQModel model, VisionFoundationModel vfm) throws IOException {
        try (AnyCheckpoint c = AnyCheckpoint.open(tokenizer)) {
            Map<String, Tensor> sd = c.tensors(which);
            if (sd.isEmpty() && "ema".equals(which)) sd = c.tensors("model");
            if (sd.isEmpty()) sd = c.tensors("");
            sd.keySet().removeIf(k -> k.contains("backbone"));
            try {
                model.load(sd, true);
            } catch (IllegalArgumentException e) {
                throw new IOException(tokenizer + ": " + e.getMessage(), e);
            }
        }
        if (vfm != null) {
            try (AnyCheckpoint c = AnyCheckpoint.open(vfmWeights)) {
                Map<String, Tensor> sd = c.tensors("");
                if (sd.isEmpty()) throw new IOException(vfmWeights + ": no tensors");
                try {
                    vfm.loadPublished(sd);
                } catch (IllegalArgumentException e) {
                    String family = switch (cfg.vfm().familyName()) {
                        case "dinov2" -> "DINOv2";
                        case "clip" -> "CLIP";
                        default -> "SigLIP";
                    };
                    throw new IOException(vfmWeights + ": " + family + " weights do not fit " + cfg.vfm().name() + ": " + e.getMessage(), e);
                }
            }
        }
    }

    public TokenizerConfig config() { return config; }

    public VQModel model() { return model; }

    public VisionFoundationModel vfm() { return vfm; }

    private VisionFoundationModel requireVfm() {
        if (vfm == null) throw new IllegalStateException("this tokenizer was loaded without VFM weights: it can decode but not encode (pass --vfm)");
        return vfm;
    }

    private void checkImages(Tensor images) {
        int s = config.imageSize();
        if (images.dim() != 4 || images.size(1) != 3 || images.size(2) != s || images.size(3) != s) {
            throw new IllegalArgumentException("images must be (B, 3, " + s + ", " + s + ") in [-1, 1], got " + java.util.Arrays.toString(images.shape()));
        }
        if (images.dtype() != DType.F32) throw new IllegalArgumentException("images must be F32, got " + images.dtype());
    }

    /** The frozen VFM's multi-level features (B, G², C) for images in [-1, 1]. */
    public List<Tensor> features(Tensor images) {
        checkImages(images);
        return requireVfm().imageFeatures(images);
    }

    /** Slots before quantisation, (B, T, codeDim) (the pre-quant z). */
    public Tensor preQuant(Tensor images) {
        try (Grad.Mode ng = Grad.noGrad()) {
            return model.encode(features(images));
        }
    }

    /** Token codes (B, T) I64. */
    public Tensor encode(Tensor images) {
        try (Grad.Mode ng = Grad.noGrad()) {
            return model.quantize(preQuant(images)).codes();
        }
    }

    /** The latent grid the pixel decoder reads, (B, dim, G, G). */
    public Tensor decodeLatent(Tensor codes) {
        checkCodes(codes);
        try (Grad.Mode ng = Grad.noGrad()) {
            return model.decodeLatent(model.lookup(codes));
        }
    }

    /** Images (B, 3, S, S), about [-1, 1], from codes (B, T). */
    public Tensor decode(Tensor codes) {
        checkCodes(codes);
        try (Grad.Mode ng = Grad.noGrad()) {
            return model.decode(model.lookup(codes));
        }
    }

    /** decode_codes_to_img: decode, bicubic resize to {@code size} if needed, ×127.5 + 128, clamp, truncate: (B, size, size, 3) U8. */
    public Tensor decodeToUint8(Tensor codes, int size) {
        try (Grad.Mode ng = Grad.noGrad()) {
            Tensor img = decode(codes);
            if (size != config.imageSize()) {
                img = Resample.interpolate(img, new int[] {size, size}, ResampleKernels.Mode.BICUBIC, false, false);
            }
            return toUint8(img);
        }
    }

    /** x·127.5 + 128, clamp [0, 255], truncate to U8, NCHW → NHWC. */
    public static Tensor toUint8(Tensor images) {
        Tensor v = Pointwise.clamp(Pointwise.affine(images, 127.5, 128.0), 0, 255);
        return v.permute(0, 2, 3, 1).contiguous().to(DType.U8);
    }

    /** encode then decode. */
    public Tensor reconstruct(Tensor images) { return decode(encode(images)); }

    private void checkCodes(Tensor codes) {
        if (codes.dim() != 2 || codes.size(1) != config.tokens() || codes.dtype().isFloating()) {
            throw new IllegalArgumentException("codes must be integer (B, " + config.tokens() + "), got " + codes.dtype() + java.util.Arrays.toString(codes.shape()));
        }
    }
}
