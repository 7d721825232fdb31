package org.vfmtok.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.vfmtok.llama.GPT;
import org.vfmtok.llama.GPTConfig;
import org.vfmtok.llama.ImageGenerator;
import org.vfmtok.vfmtok.VFMTokenizer;
import org.vfmtok.vfmtok.model.TokenizerConfig;
import org.vfmtok.vfmtok.train.TokenizerConfigs;

/**
 * What the service serves: a GPT and a tokenizer that fit together (checked), the class names shown on the
 * page (ImageNet's 1000 when the model has 1000 classes, else "class N"), and a banner line saying where the
 * weights came from. Owns the models: {@link #close} frees them.
 */
public final class ServedModels implements AutoCloseable {
    private final GPT gpt;
    private final VFMTokenizer tokenizer;
    private final ImageGenerator images;
    private final List<String> classNames;
    private final String banner;
    private final boolean random;
    /** Closed after the models (what a caller handed over with {@link #alsoClose}). */
    private final java.util.List<AutoCloseable> alsoOwned = new java.util.ArrayList<>();

    public ServedModels(GPT gpt, VFMTokenizer tokenizer, List<String> classNames, String banner, boolean random) {
        this.gpt = gpt;
        this.tokenizer = tokenizer;
        this.images = new ImageGenerator(gpt, tokenizer);   // checks that the GPT drives this tokenizer
        this.classNames = classNames != null ? List.copyOf(classNames) : defaultNames(gpt.config.numClasses());
        if (this.classNames.size() != gpt.config.numClasses()) {
            throw new IllegalArgumentException(this.classNames.size() + " class names for a GPT with " + gpt.config.numClasses() + " classes");
        }
        this.banner = banner;
        this.random = random;
    }

    /**
     * Random weights of the demo's size (the demo's tokenizer geometry and GPT width, with ImageNet's 1000
     * classes so that the page's class list is the real one): lets the page and the API be tried without a
     * checkpoint. The images are noise.
     */
    public static ServedModels randomDemo(long seed) {
        TokenizerConfig tc = TokenizerConfigs.demo();
        GPTConfig gc = demoGpt(tc, 1000);
        GPT gpt = GPT.random(gc, seed);
        gpt.initialize(seed, true);   // a random output layer too: zero logits would make every sample uniform
        VFMTokenizer tok = VFMTokenizer.random(tc, seed + 1);
        return new ServedModels(gpt, tok, null,
                "RANDOM WEIGHTS (demo size: " + gc.parameterCount() + " GPT parameters, " + tc.imageSize() + " px images): the images are noise; pass --gpt and --tokenizer to serve trained models",
                true);
    }

    /** The tokenizers {@link #randomAtGptSize} can pair with a GPT size: both are decoder-only, with random weights. */
    public enum RandomTokenizer {
        /** The demo tokenizer's decoder (24 px images), with the GPT's codebook size and token count: decoding is cheap, the GPT dominates. */
        DEMO,
        /** The official VFMTok decoder (336 px images; the VFM encoder left out): each request also pays the real pixel decoding. */
        OFFICIAL
    }

    /**
     * Random weights at an official GPT size (the serve benchmark's GPT-B figure without a checkpoint): the preset's
     * width, depth, heads, 16384-code vocabulary and 1000 classes, generating {@code grid}×{@code grid} tokens (16 is
     * the official 256), and a decoder-only tokenizer with random weights fitted to it ({@link RandomTokenizer}).
     * Generate and detokenize work; tokenize and reconstruct need an encoder and answer an error. The images are noise.
     */
    public static ServedModels randomAtGptSize(String preset, int grid, RandomTokenizer tokenizer, long seed) {
        if (grid < 1 || grid > 32) throw new IllegalArgumentException("the token grid must be in [1, 32], got " + grid);
        GPTConfig gc = GPTConfig.preset(preset).withGrid(grid);
        TokenizerConfig base = tokenizer == RandomTokenizer.OFFICIAL ? TokenizerConfig.official() : TokenizerConfigs.demo();
        TokenizerConfig tc = withCodes(base, gc.vocabSize(), gc.tokens());
        GPT gpt = GPT.random(gc, seed);
        org.vfmtok.tensor.Scope weights = null;
        try {
            gpt.initialize(seed, true);
            weights = org.vfmtok.tensor.Scope.owned("random decoder weights");
            org.vfmtok.vfmtok.model.VQModel decoder;
            try (org.vfmtok.tensor.Scope.Entered in = weights.enter()) {
                decoder = new org.vfmtok.vfmtok.model.VQModel(tc, new org.vfmtok.tensor.Rng(seed + 1));
            }
            VFMTokenizer tok = new VFMTokenizer(tc, null, decoder);
            String banner = String.format(java.util.Locale.ROOT, "RANDOM WEIGHTS at %s size (%,d GPT parameters, %d tokens per image) with the %s tokenizer's decoder (%d px images, random): the images are noise",
                    gc.name(), gc.parameterCount(), gc.tokens(), tokenizer.name().toLowerCase(java.util.Locale.ROOT), tc.imageSize());
            return new ServedModels(gpt, tok, null, banner, true).alsoClose(weights);
        } catch (RuntimeException e) {
            gpt.close();
            if (weights != null) weights.close();
            throw e;
        }
    }

    /** {@code t} with another codebook size and token count (everything else, the decoder included, unchanged). */
    private static TokenizerConfig withCodes(TokenizerConfig t, int codebookSize, int tokens) {
        return new TokenizerConfig(t.imageSize(), t.patchSize(), t.dim(), t.encDepth(), t.encHeads(), t.encFfn(), t.nPoints(), tokens,
                t.decDepth(), t.decHeads(), t.decMlp(), codebookSize, t.codeDim(), t.zChannels(), t.ch(), t.chMult(), t.numResBlocks(),
                t.gnGroups(), t.codebookUsedLen(), t.vfm(), t.posGrid(), t.projDim(), t.decRegisters());
    }

    /** The demo's GPT ({@code ./vfm demo}): width 64, 2 layers, 4 heads, over the tokenizer's codebook and anchor grid. */
    public static GPTConfig demoGpt(TokenizerConfig tc, int classes) {
        return new GPTConfig("demo", 64, 2, 4, 176, tc.codebookSize(), classes, tc.anchorGrid(), 10000, 1e-5, 0.1, 0.1, 0.1, 0.1, 0.02);
    }

    /** Makes {@link #close} also close {@code c} (after the models); returns this. */
    public ServedModels alsoClose(AutoCloseable c) {
        alsoOwned.add(c);
        return this;
    }

    /** ImageNet's class names for 1000 classes (the jar's imagenet-classes.json), else "class 0", "class 1", .... */
    static List<String> defaultNames(int classes) {
        if (classes == 1000) {
            try (InputStream in = ServedModels.class.getResourceAsStream("web/imagenet-classes.json")) {
                if (in != null) return List.of(new ObjectMapper().readValue(in, String[].class));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot read the jar's ImageNet class names", e);
            }
        }
        List<String> names = new ArrayList<>(classes);
        for (int i = 0; i < classes; i++) names.add("class " + i);
        return names;
    }

    public GPT gpt() { return gpt; }

    public VFMTokenizer tokenizer() { return tokenizer; }

    /** The image side of decoded images (pixels). */
    public int imageSize() { return tokenizer.config().imageSize(); }

    /** Decodes codes to images; safe to call from many threads (see {@link ImageGenerator}). */
    public ImageGenerator images() { return images; }

    public List<String> classNames() { return classNames; }

    public String banner() { return banner; }

    public boolean isRandom() { return random; }

    @Override
    public void close() {
        images.close();
        tokenizer.close();
        gpt.close();
        for (AutoCloseable c : alsoOwned) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing " + c + " failed", e);
            }
        }
    }
}
