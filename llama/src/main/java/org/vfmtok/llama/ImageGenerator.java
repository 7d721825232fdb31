package org.vfmtok.llama;

import java.util.Arrays;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;
import org.vfmtok.vfmtok.VFMTokenizer;
import org.vfmtok.vfmtok.model.TokenizerConfig;

/**
 * Class-conditional images: a {@link GPT} samples code grids, the VFMTok tokenizer decodes them (decode only,
 * no VFM weights needed). The pair is checked once: the GPT's vocabulary must be the tokenizer's codebook and
 * its grid² the tokenizer's token count.
 */
public final class ImageGenerator implements AutoCloseable {
    private final GPT gpt;
    private final VFMTokenizer tokenizer;
    private final Generator generator;

    public ImageGenerator(GPT gpt, VFMTokenizer tokenizer) {
        checkCompatible(gpt.config, tokenizer.config());
        this.gpt = gpt;
        this.tokenizer = tokenizer;
        this.generator = new Generator(gpt);
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

    public Generator generator() { return generator; }

    public GPT gpt() { return gpt; }

    public VFMTokenizer tokenizer() { return tokenizer; }

    /** Codes (B, grid²), one row per class label. */
    public int[][] codes(int[] classes, GenerationOptions options, Generator.StepListener listener) {
        return generator.generate(classes, options, listener);
    }

    /** Decoded images (B, S, S, 3) U8 ({@code decode_codes_to_img}) of codes (B, grid²). */
    public Tensor images(int[][] codes) {
        int b = codes.length, n = gpt.config.tokens();
        long[] flat = new long[b * n];
        for (int i = 0; i < b; i++) {
            if (codes[i].length != n) throw new IllegalArgumentException("row " + i + " has " + codes[i].length + " codes, expected " + n);
            System.arraycopy(Arrays.stream(codes[i]).asLongStream().toArray(), 0, flat, i * n, n);
        }
        try (Grad.Mode ng = Grad.noGrad()) {
            return tokenizer.decodeToUint8(Tensor.ofLongs(flat, b, n), tokenizer.config().imageSize());
        }
    }

    @Override
    public void close() { generator.close(); }
}
