package org.vfmtok.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.vfmtok.llama.GPT;
import org.vfmtok.llama.GPTConfig;
import org.vfmtok.serve.ServedModels;
import org.vfmtok.vfmtok.VFMTokenizer;
import org.vfmtok.vfmtok.model.TokenizerConfig;
import picocli.CommandLine.Option;

/** The models of {@code vfm serve} and {@code vfm bench serve}: checkpoints, or random weights (the demo size, or an official GPT size with --random-gpt) when none is given. */
final class ServeModelOptions {
    @Option(names = "--gpt", paramLabel = "FILE", description = "GPT checkpoint (.pt with model/ema, or .safetensors). Without --gpt and --tokenizer: random weights of the demo size.")
    Path gpt;

    @Option(names = "--gpt-model", defaultValue = "GPT-B", paramLabel = "NAME", description = "GPT size preset: GPT-B, GPT-L, GPT-XL, ... (default: ${DEFAULT-VALUE}).")
    String gptModel;

    @Option(names = "--gpt-config", paramLabel = "JSON", description = "Custom GPT size (keys of LlamaGen's ModelArgs); overrides --gpt-model.")
    Path gptConfig;

    @Option(names = "--gpt-weights", defaultValue = "auto", paramLabel = "WHICH", description = "ema, model or auto (ema when present, else model; default: ${DEFAULT-VALUE}).")
    String gptWeights;

    @Option(names = "--tokenizer", paramLabel = "FILE", description = "VFMTok tokenizer checkpoint (needed with --gpt).")
    Path tokenizer;

    @Option(names = "--config", paramLabel = "JSON", description = "Tokenizer config (default: the official architecture).")
    Path tokenizerConfig;

    @Option(names = "--vfm", paramLabel = "FILE", description = "DINOv2 weights for the tokenizer's encoder (tokenize and reconstruct); without it the checkpoint's own or none.")
    Path vfm;

    @Option(names = "--run", paramLabel = "DIR", description = "A ./vfm demo run folder (made with its random frozen VFM): serves its latest tokenizer (DIR/tokenizer) and GPT (DIR/ar) checkpoints with the demo's class names.")
    Path run;

    @Option(names = "--run-seed", defaultValue = "0", paramLabel = "N", description = "The --seed that demo ran with: it rebuilds the demo's random frozen VFM (default: ${DEFAULT-VALUE}).")
    long runSeed;

    @Option(names = "--random-seed", defaultValue = "0", paramLabel = "N", description = "Seed of the random weights used without checkpoints (default: ${DEFAULT-VALUE}).")
    long randomSeed;

    @Option(names = "--random-gpt", paramLabel = "NAME",
            description = "Without checkpoints: random weights at this official GPT size (GPT-B, GPT-L, ...; vocabulary 16384, 1000 classes) instead of the demo size, for the serve benchmark's GPT-B figure.")
    String randomGpt;

    @Option(names = "--random-grid", defaultValue = "16", paramLabel = "N",
            description = "With --random-gpt: N x N tokens per image, one decode step each (default ${DEFAULT-VALUE}: the official 256 tokens; at GPT-B's ~30 ms per CPU step that is roughly 10 s per image alone; 8 gives 64 tokens, 4x quicker).")
    int randomGrid = 16;

    @Option(names = "--random-tokenizer", defaultValue = "demo", paramLabel = "demo|official",
            description = "With --random-gpt: the random decoder that turns codes into pixels (part of every request): demo (24 px, cheap: the GPT dominates) or official (336 px VFMTok decoder, seconds per image on a CPU; default ${DEFAULT-VALUE}).")
    String randomTokenizer = "demo";

    @Option(names = "--weights", defaultValue = "f32", paramLabel = "f32|bf16",
            description = "Storage of the weight matrices of both checkpoints (--gpt and --tokenizer): f32, or bf16 (half the memory and the bytes a decode step streams; rounded to nearest even, products accumulate in F32; default ${DEFAULT-VALUE}).")
    String weights = "f32";

    ServedModels load() throws IOException {
        GenerateCommand.weightStorage(weights);   // a bad value fails before anything loads
        if (run != null || (gpt == null && tokenizer == null)) {
            if (!weights.equalsIgnoreCase("f32")) throw new IllegalArgumentException("--weights " + weights + " applies to checkpoints: give --gpt and --tokenizer");
        }
        if (randomGpt != null) {
            if (run != null || gpt != null || tokenizer != null || vfm != null) throw new IllegalArgumentException("--random-gpt builds random models: leave out --run, --gpt, --tokenizer and --vfm");
            ServedModels.RandomTokenizer tok = switch (randomTokenizer.toLowerCase(Locale.ROOT)) {
                case "demo" -> ServedModels.RandomTokenizer.DEMO;
                case "official" -> ServedModels.RandomTokenizer.OFFICIAL;
                default -> throw new IllegalArgumentException("--random-tokenizer must be demo or official, got " + randomTokenizer);
            };
            return ServedModels.randomAtGptSize(randomGpt, randomGrid, tok, randomSeed);
        }
        if (randomGrid != 16 || !randomTokenizer.equalsIgnoreCase("demo")) throw new IllegalArgumentException("--random-grid and --random-tokenizer go with --random-gpt");
        if (run != null) {
            if (gpt != null || tokenizer != null || vfm != null) throw new IllegalArgumentException("--run takes the models from the run folder: leave out --gpt, --tokenizer and --vfm");
            return loadDemoRun();
        }
        if (gpt == null && tokenizer == null) {
            if (vfm != null) throw new IllegalArgumentException("--vfm needs --gpt and --tokenizer");
            return ServedModels.randomDemo(randomSeed);
        }
        if (gpt == null || tokenizer == null) throw new IllegalArgumentException("give both --gpt and --tokenizer (or neither, for random demo-size weights)");
        GPTConfig cfg = gptConfig != null ? GPTConfig.fromJson(gptConfig) : GPTConfig.preset(gptModel);
        TokenizerConfig tcfg = tokenizerConfig != null ? TokenizerConfig.load(tokenizerConfig) : TokenizerConfig.official();
        org.vfmtok.nn.WeightStorage storage = GenerateCommand.weightStorage(weights);
        GenerationSetup.Models m = GenerationSetup.loadPair(gpt, cfg, gptWeights, storage, tokenizer, vfm, tcfg, storage);
        GPT model = m.gpt();
        VFMTokenizer tok = m.tokenizer();
        String banner = String.format(Locale.ROOT, "%s (%,d parameters, %s weights) from %s, tokenizer from %s, loaded in %.1f s", cfg.name(), model.parameterCount(),
                storage.label(), gpt, tokenizer, m.loadNanos() / 1e9);
        return new ServedModels(model, tok, null, banner, false);
    }

    /** The latest checkpoints of a demo run, with the demo's geometry and its random frozen VFM rebuilt from the seed. */
    private ServedModels loadDemoRun() throws IOException {
        TokenizerConfig tc = org.vfmtok.vfmtok.train.TokenizerConfigs.demo();
        java.util.List<String> names = org.vfmtok.vfmtok.data.ProceduralShapes.CLASSES;
        Path tokCkpt = latest(run.resolve("tokenizer")), arCkpt = latest(run.resolve("ar"));
        GPT model = GPT.load(arCkpt, ServedModels.demoGpt(tc, names.size()), "auto");
        VFMTokenizer decoderOnly = null;
        try {
            decoderOnly = VFMTokenizer.load(tokCkpt, null, tc);
            var vfmModel = org.vfmtok.vfmtok.train.RandomVfm.create(tc.vfm(), runSeed + 7);   // as Demo.run makes it
            VFMTokenizer tok = new VFMTokenizer(tc, vfmModel, decoderOnly.model());
            String banner = "the demo run " + run + " (GPT " + arCkpt.getFileName() + ", tokenizer " + tokCkpt.getFileName() + ", random frozen VFM of seed " + runSeed + ")";
            return new ServedModels(model, tok, names, banner, false).alsoClose(decoderOnly);
        } catch (IOException | RuntimeException e) {
            model.close();
            if (decoderOnly != null) decoderOnly.close();
            throw e;
        }
    }

    private static Path latest(Path dir) throws IOException {
        if (!java.nio.file.Files.isDirectory(dir)) throw new IllegalArgumentException(dir + " is not a folder: --run needs a ./vfm demo run folder (with tokenizer/ and ar/)");
        return org.vfmtok.nn.train.Checkpoints.latest(dir)
                .orElseThrow(() -> new IllegalArgumentException(dir + " holds no checkpoint (ckpt-*.safetensors): did the demo finish?"));
    }
}
