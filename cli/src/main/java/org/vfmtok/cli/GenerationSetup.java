package org.vfmtok.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.vfmtok.llama.GPT;
import org.vfmtok.nn.WeightStorage;
import org.vfmtok.llama.GPTConfig;
import org.vfmtok.llama.GenerationOptions;
import org.vfmtok.llama.ImageGenerator;
import org.vfmtok.llama.KVCacheDType;
import org.vfmtok.llama.SamplingOptions;
import org.vfmtok.tensor.io.FileKinds;
import org.vfmtok.vfmtok.VFMTokenizer;
import org.vfmtok.vfmtok.model.TokenizerConfig;
import picocli.CommandLine.Option;

/**
 * What {@code generate} and {@code sample} share: the GPT and tokenizer files with their configurations, the
 * sampling options, and the loading (configs checked against each other before any weight is read).
 */
final class GenerationSetup {
    @Option(names = "--gpt", required = true, paramLabel = "FILE", description = "GPT checkpoint (.pt with model/ema, or .safetensors).")
    Path gpt;

    @Option(names = "--gpt-model", defaultValue = "GPT-B", paramLabel = "NAME",
            description = "Official size: GPT-B, GPT-L, GPT-XL, GPT-XXL, GPT-2B, GPT-3B (default ${DEFAULT-VALUE}).")
    String gptModel;

    @Option(names = "--gpt-config", paramLabel = "JSON", description = "Custom GPT size (keys of LlamaGen's ModelArgs: dim, n_layer, n_head, vocab_size, ...); overrides --gpt-model.")
    Path gptConfig;

    @Option(names = "--gpt-weights", defaultValue = "auto", paramLabel = "WHICH", description = "ema, model or auto (ema when present, else model; default: ${DEFAULT-VALUE}).")
    String gptWeights;

    @Option(names = "--tokenizer", required = true, paramLabel = "FILE", description = "VFMTok tokenizer checkpoint.")
    Path tokenizer;

    @Option(names = "--config", paramLabel = "JSON", description = "Tokenizer config (default: the official architecture).")
    Path tokenizerConfig;

    @Option(names = "--cfg-scale", defaultValue = "1.5", paramLabel = "S", description = "Classifier-free guidance scale, >= 1 (1 = off; default ${DEFAULT-VALUE}).")
    double cfgScale;

    @Option(names = "--cfg-interval", defaultValue = "-1", paramLabel = "I", description = "Guide only decode steps <= I (-1 = all; default ${DEFAULT-VALUE}).")
    int cfgInterval;

    @Option(names = "--top-k", defaultValue = "0", paramLabel = "K", description = "Keep the K most likely tokens (0 = all, 1 = greedy; default ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--top-p", defaultValue = "1.0", paramLabel = "P", description = "Nucleus sampling mass in (0, 1] (1 = off; default ${DEFAULT-VALUE}).")
    double topP;

    @Option(names = "--temperature", defaultValue = "1.0", paramLabel = "T", description = "Softmax temperature >= 0 (default ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "N", description = "Sampling seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--kv-cache", defaultValue = "f32", paramLabel = "f32|bf16",
            description = "KV-cache storage: f32, or bf16 (half the memory; k and v rounded to bfloat16, attention in F32; default ${DEFAULT-VALUE}).")
    String kvCache;

    @Option(names = "--weights", defaultValue = "f32", paramLabel = "f32|bf16",
            description = "Storage of the GPT's weight matrices: f32, or bf16 (half the memory and the bytes a decode step streams; rounded to nearest even, products accumulate in F32; default ${DEFAULT-VALUE}).")
    String weights;

    GPTConfig gptConfig() throws IOException {
        return gptConfig != null ? GPTConfig.fromJson(gptConfig) : GPTConfig.preset(gptModel);
    }

    TokenizerConfig tokenizerConfig() throws IOException {
        return tokenizerConfig != null ? TokenizerConfig.load(tokenizerConfig) : TokenizerConfig.official();
    }

    /** The sampling options; bad values fail here, naming the option. */
    GenerationOptions options() {
        OptionChecks.atLeast("--top-k", 0, topK);
        OptionChecks.atLeast("--cfg-interval", -1, cfgInterval);
        return new GenerationOptions(cfgScale, cfgInterval, new SamplingOptions(temperature, topK, topP, topK != 1), seed, kvCacheDType());
    }

    KVCacheDType kvCacheDType() { return GenerateCommand.kvCacheDType(kvCache); }

    /** Fails before loading when a class index is outside the GPT's classes. */
    static void checkClasses(int[] classes, GPTConfig cfg) {
        for (int c : classes) {
            if (c < 0 || c >= cfg.numClasses()) throw new IllegalArgumentException("class index " + c + " is out of range [0, " + cfg.numClasses() + ") for " + cfg.name());
        }
    }

    /** The two models, loaded once the configurations fit each other and both files exist; close the GPT and the tokenizer. */
    record Models(GPT gpt, VFMTokenizer tokenizer, GPTConfig gptConfig, TokenizerConfig tokenizerConfig, long loadNanos) implements AutoCloseable {
        @Override
        public void close() {
            try (gpt; tokenizer) {
                // both closed, the tokenizer first
            }
        }
    }

    /** Checks the pair ({@link ImageGenerator#checkCompatible}) and the files, then loads both (weights per {@code --gpt-weights}; decode only, no VFM). */
    Models load(GPTConfig cfg, TokenizerConfig tcfg) throws IOException {
        return loadPair(gpt, cfg, gptWeights, GenerateCommand.weightStorage(weights), tokenizer, null, tcfg, WeightStorage.F32);
    }

    /**
     * A GPT and a tokenizer that fit each other: the configurations checked against each other and both files
     * checked before any weight is read; the GPT closed again if the tokenizer fails to load.
     */
    static Models loadPair(Path gpt, GPTConfig cfg, String gptWhich, WeightStorage gptStorage, Path tokenizer, Path vfm, TokenizerConfig tcfg,
                           WeightStorage tokenizerStorage) throws IOException {
        ImageGenerator.checkCompatible(cfg, tcfg);
        for (Path p : new Path[] {gpt, tokenizer}) FileKinds.requireRegularFile(p);
        long t0 = System.nanoTime();
        GPT model = GPT.load(gpt, cfg, gptWhich, gptStorage);
        try {
            VFMTokenizer tok = VFMTokenizer.load(tokenizer, vfm, tcfg, "ema", tokenizerStorage);
            return new Models(model, tok, cfg, tcfg, System.nanoTime() - t0);
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }
}
