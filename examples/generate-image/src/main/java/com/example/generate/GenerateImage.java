package com.example.generate;

import java.io.IOException;
import java.nio.file.Path;
import org.vfmtok.llama.GPT;
import org.vfmtok.llama.GPTConfig;
import org.vfmtok.llama.GenerationOptions;
import org.vfmtok.llama.ImageGenerator;
import org.vfmtok.llama.SamplingOptions;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.vfmtok.VFMTokenizer;
import org.vfmtok.vfmtok.image.ImageFiles;
import org.vfmtok.vfmtok.model.TokenizerConfig;
import org.vfmtok.vfmtok.train.TokenizerConfigs;

/**
 * Generates one class-conditional image and writes it as a PNG.
 * <pre>
 *   GenerateImage OUT.png                            a small GPT and tokenizer with random weights
 *   GenerateImage OUT.png GPT.pt GPT-B TOKENIZER.pt  trained LlamaGen GPT and VFMTok tokenizer checkpoints
 * </pre>
 */
public final class GenerateImage {
    public static void main(String[] args) throws IOException {
        if (args.length != 1 && args.length != 4) {
            System.err.println("usage: GenerateImage OUT.png [GPT_CHECKPOINT GPT_SIZE TOKENIZER_CHECKPOINT]");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        int classLabel = 0;
        // Models own their native memory: closing them frees it (the generator closes first, then the tokenizer, then the GPT).
        try (GPT gpt = gpt(args);
             VFMTokenizer tokenizer = tokenizer(args);
             ImageGenerator generator = new ImageGenerator(gpt, tokenizer)) {   // shareable by any number of threads
            GenerationOptions options = new GenerationOptions(1.5, SamplingOptions.defaults(), 42);
            int[][] codes = generator.codes(new int[] {classLabel}, options, null);
            Tensor images = generator.images(codes);   // (1, H, W, 3) bytes on the Java heap, owned by the caller
            ImageFiles.writePng(ImageFiles.toImage(images, 0), out);
        }
        System.out.println("wrote " + out.toAbsolutePath());
    }

    /** A trained LlamaGen checkpoint, or a small GPT with random weights over the demo tokenizer's codebook. */
    private static GPT gpt(String[] args) throws IOException {
        if (args.length == 4) return GPT.load(Path.of(args[1]), GPTConfig.preset(args[2]));
        TokenizerConfig small = TokenizerConfigs.demo();   // 24×24 images, 16 tokens, 128 codes
        return GPT.random(GPTConfig.of("small", 64, 2, 4, 176, small.codebookSize(), 10, small.anchorGrid()), 1);
    }

    /** A trained VFMTok checkpoint (its DINOv2 is not needed to decode), or the demo-size tokenizer with random weights. */
    private static VFMTokenizer tokenizer(String[] args) throws IOException {
        if (args.length == 4) return VFMTokenizer.load(Path.of(args[3]), null, TokenizerConfig.official());
        return VFMTokenizer.random(TokenizerConfigs.demo(), 2);
    }
}
