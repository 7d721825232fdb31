package org.vfmtok.llama;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentLinkedDeque;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.NativeMemory;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;
import org.vfmtok.vfmtok.VFMTokenizer;
import org.vfmtok.vfmtok.model.TokenizerConfig;

/**
 * Class-conditional images: a {@link GPT} samples code grids, the VFMTok tokenizer decodes them (decode only,
 * no VFM weights needed). The pair is checked once: the GPT's vocabulary must be the tokenizer's codebook and
 * its grid² the tokenizer's token count.
 *
 * <pre>{@code
 * try (GPT gpt = GPT.load(gptFile, GPTConfig.preset("GPT-B"));
 *      VFMTokenizer tok = VFMTokenizer.load(tokFile, null, null);
 *      ImageGenerator gen = new ImageGenerator(gpt, tok)) {
 *     gen.warmUp();                                            // optional: JIT-compile the decode path
 *     int[][] codes = gen.codes(new int[] {207}, options, null);
 *     Tensor rgb = gen.images(codes);                          // (1, S, S, 3) U8 on the Java heap
 * }
 * }</pre>
 *
 * <p><b>Memory.</b> The GPT and the tokenizer stay the caller's (close them yourself, after this generator);
 * {@link #close} frees the KV caches this generator keeps. {@link #images} returns a tensor over a Java
 * array: the caller owns it, nothing native outlives the call, whether or not a {@link Scope} is open.
 *
 * <p><b>Threads.</b> Safe to share:
 * <table>
 * <caption>Concurrent use of one ImageGenerator</caption>
 * <tr><th>Method</th><th>Concurrent calls</th></tr>
 * <tr><td>{@link #codes}, {@link #warmUp}</td><td>yes: each call takes a {@link Generator} (KV cache) of its own
 * from a pool and returns it, so N threads use N caches</td></tr>
 * <tr><td>{@link #images}</td><td>yes: the models are read-only, activations live in a scope of the call</td></tr>
 * <tr><td>{@link #close}</td><td>no: only once every call has returned</td></tr>
 * </table>
 * A {@link Generator} on its own is confined to one thread at a time (a second concurrent call fails fast).
 */
public final class ImageGenerator implements AutoCloseable {
    private final GPT gpt;
    private final VFMTokenizer tokenizer;
    /** Idle generators; a call takes one (or makes one) and puts it back. */
    private final ConcurrentLinkedDeque<Generator> idle = new ConcurrentLinkedDeque<>();
    private volatile Generator last;
    private volatile boolean closed;
    /** Keeps the free-block cache until the last model or generator closes ({@link NativeMemory#openOwner}). */
    private final NativeMemory.Owner memoryOwner = NativeMemory.openOwner();

    public ImageGenerator(GPT gpt, VFMTokenizer tokenizer) {
        checkCompatible(gpt.config, tokenizer.config());
        this.gpt = gpt;
        this.tokenizer = tokenizer;
    }

    /** Fails with both sizes named when the GPT cannot drive this tokenizer. */
    public static void checkCompatible(GPTConfig g, TokenizerConfig t) {
        if (g.vocabSize() != t.codebookSize()) {
            throw new IllegalArgumentException("the GPT's vocabulary (" + g.vocabSize() + " codes, " + g.name() + ") differs from the tokenizer's codebook size ("
                    + t.codebookSize() + "): they were not trained together");
        }
        if (g.tokens() != t.tokens()) {
            throw new IllegalArgumentException("the GPT generates " + g.tokens() + " tokens (grid " + g.grid() + "), the tokenizer decodes " + t.tokens());
        }
    }

    /** The generator the last {@link #codes} call used (its KV-cache size, for reports), or null; do not generate with it. */
    public Generator generator() { return last; }

    public GPT gpt() { return gpt; }

    public VFMTokenizer tokenizer() { return tokenizer; }

    /**
     * Codes (B, grid²), one row per class label. Interruption or a passed {@link GenerationOptions#deadline}
     * stops it with a {@link java.util.concurrent.CancellationException} (see {@link Generator#generate}).
     */
    public int[][] codes(int[] classes, GenerationOptions options, Generator.StepListener listener) {
        Generator g = take();
        try {
            last = g;
            return g.generate(classes, options, listener);
        } finally {
            give(g);
        }
    }

    private Generator take() {
        if (closed) throw new IllegalStateException("this ImageGenerator is closed");
        Generator g = idle.pollFirst();
        return g != null ? g : new Generator(gpt);
    }

    private void give(Generator g) {
        idle.addFirst(g);
        if (closed) closeIdle(); // closed while this call ran
    }

    /**
     * Decoded images (B, S, S, 3) U8 ({@code decode_codes_to_img}) of codes (B, grid²), in a tensor over a Java
     * byte array: the caller owns it (the garbage collector frees it); every native temporary is freed
     * before this returns.
     */
    public Tensor images(int[][] codes) { return images(codes, tokenizer.config().imageSize()); }

    /**
     * As {@link #images(int[][])}, resized to {@code size} × {@code size} the way LlamaGen's sampling script does for
     * its {@code --image-size-eval}: the decoded floats through {@code F.interpolate(mode='bicubic')} (align_corners
     * False, no antialias), then ×127.5 + 128, clamped and truncated; no resize when {@code size} is the tokenizer's.
     */
    public Tensor images(int[][] codes, int size) {
        if (size < 1) throw new IllegalArgumentException("image size must be >= 1, got " + size);
        int b = codes.length, n = gpt.config.tokens();
        long[] flat = new long[b * n];
        for (int i = 0; i < b; i++) {
            if (codes[i].length != n) throw new IllegalArgumentException("row " + i + " has " + codes[i].length + " codes, expected " + n);
            for (int j = 0; j < n; j++) flat[i * n + j] = codes[i][j];
        }
        try (Scope call = Scope.open("ImageGenerator.images"); Grad.Mode ng = Grad.noGrad()) {
            Tensor native_ = tokenizer.decodeToUint8(Tensor.ofLongs(flat, b, n), size);
            Tensor onHeap = Tensor.wrap(MemorySegment.ofArray(new byte[Math.toIntExact(native_.numel())]), DType.U8, native_.shape());
            return onHeap.copyFrom(native_);
        }
    }

    /**
     * Runs a short generation and one decode on scratch so that the JIT compiles the sampling and decoding
     * paths before the first real request (the first generate costs several times a warm one otherwise).
     * Uses the default sampling, guidance when the model has a null class, and leaves no native memory behind
     * beyond the KV cache it keeps for reuse (freed by {@link #close}). Takes about as long as two batch-1
     * generations.
     */
    public void warmUp() {
        GenerationOptions options = new GenerationOptions(gpt.config.hasNullClass() ? 1.5 : 1.0, SamplingOptions.defaults(), 0);
        for (int round = 0; round < 2; round++) {
            int[][] codes = codes(new int[] {0}, options, null);
            images(codes);
        }
    }

    /** Frees the KV caches this generator keeps; the GPT and the tokenizer stay open (they are the caller's). */
    @Override
    public void close() {
        closed = true;
        closeIdle();
        last = null;
        memoryOwner.close();
    }

    private void closeIdle() {
        for (Generator g; (g = idle.pollFirst()) != null; ) g.close();
    }
}
