package org.vfmtok.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import me.tongfei.progressbar.ProgressBar;
import org.vfmtok.llama.GPTConfig;
import org.vfmtok.llama.GenerationOptions;
import org.vfmtok.llama.Generator;
import org.vfmtok.llama.ImageGenerator;
import org.vfmtok.nn.dist.DistEnv;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.io.FileKinds;
import org.vfmtok.vfmtok.model.TokenizerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./vfm sample}: class-balanced samples for FID, resumable and sharded, as ADM's npz. */
@Command(name = "sample", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Class-balanced samples for the generation metrics, as the npz ADM's evaluator reads: arr_0 uint8",
                "(N, S, S, 3) and arr_1 the int64 class labels. Codes from the GPT, decoded at the tokenizer's size, then",
                "resized to --size as LlamaGen's sample_c2i_ddp.py does: F.interpolate(mode='bicubic') on the decoded floats",
                "(Keys cubic a=-0.75, align_corners=False, no antialias), then x127.5+128, clamp, truncate to uint8.",
                "Resumable: every batch is written atomically to OUT.parts/batch-B.npy (with a manifest of the settings); run",
                "the same command again after a kill and only the missing batches are sampled. Under ./vfm launch (RANK,",
                "WORLD_SIZE set) rank r samples the batches b with b mod WORLD_SIZE = r; rank 0 then waits for all parts and",
                "writes the npz (or run again with --assemble). Each sample draws from its own seeded stream, so the npz",
                "does not depend on the number of ranks or on interruptions.",
                "Example: ./vfm sample --gpt GPT-B.pt --tokenizer vfmtok.pt --per-class 50 --cfg-scale 1.75 --out samples.npz"})
final class SampleCommand implements Callable<Integer> {
    @Mixin
    GenerationSetup setup;

    @Option(names = "--classes", split = ",", paramLabel = "C,C,...", description = "Class indices (default: every class of the GPT).")
    int[] classes;

    @Option(names = "--per-class", defaultValue = "50", paramLabel = "N", description = "Samples per class (default ${DEFAULT-VALUE}: 50 000 for ImageNet's 1000 classes).")
    int perClass;

    @Option(names = "--batch", defaultValue = "32", paramLabel = "N", description = "Samples drawn and decoded at once, and the unit of resumption (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--size", defaultValue = "256", paramLabel = "S", description = "Side of the stored images (LlamaGen's --image-size-eval; default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--out", required = true, paramLabel = "NPZ", description = "The npz to write; its parts go to NPZ.parts/ until it is assembled.")
    Path out;

    @Option(names = "--max-batches", defaultValue = "-1", paramLabel = "N",
            description = "Stop after sampling N batches on this rank (a time-boxed run: run again to continue; -1 = all; default ${DEFAULT-VALUE}).")
    int maxBatches;

    @Option(names = "--assemble", description = "Only write the npz from the finished parts (no sampling; fails naming the missing batches).")
    boolean assembleOnly;

    @Option(names = "--wait-parts", defaultValue = "3600", paramLabel = "SECONDS",
            description = "Rank 0 of several: how long to wait for the other ranks' parts before leaving them to --assemble (default ${DEFAULT-VALUE}).")
    int waitParts;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    /** The environment (RANK, WORLD_SIZE); tests replace it. */
    DistEnv env = null;

    @Override
    public Integer call() throws Exception {
        DistEnv dist = env != null ? env : DistEnv.fromEnvironment();
        GenerationOptions options = setup.options();
        GPTConfig cfg = setup.gptConfig();
        TokenizerConfig tcfg = setup.tokenizerConfig();
        ImageGenerator.checkCompatible(cfg, tcfg);
        int[] cls = classes != null ? classes : IntStream.range(0, cfg.numClasses()).toArray();
        GenerationSetup.checkClasses(cls, cfg);
        SamplePlan plan = new SamplePlan(cls, perClass, batch, size);
        if (Files.exists(out) && !Files.isDirectory(new SampleParts(out, plan).dir())) {
            System.err.println("sample: " + out + " exists and has no parts folder: nothing to do (delete it to sample again)");
            return 0;
        }
        org.vfmtok.tensor.io.AtomicFiles.checkReplaceable(out);
        SampleParts parts = new SampleParts(out, plan);
        parts.open(settings(options, tcfg));
        if (assembleOnly) {
            parts.assemble(out);
            System.err.println("sample: wrote " + out + " (" + plan.images() + " images)");
            return 0;
        }
        List<Integer> mine = plan.batchesOf(dist.rank(), dist.worldSize()).stream().filter(b -> !parts.done(b)).toList();
        int todo = maxBatches < 0 ? mine.size() : Math.min(maxBatches, mine.size());
        System.err.printf(Locale.ROOT, "sample: %s; rank %d of %d: %d batch(es) left of its %d%n", plan.describe(dist.worldSize()), dist.rank(), dist.worldSize(),
                mine.size(), plan.batchesOf(dist.rank(), dist.worldSize()).size());
        if (todo > 0) sample(plan, parts, mine.subList(0, todo), options, cfg, tcfg);
        if (todo < mine.size()) {
            System.err.printf(Locale.ROOT, "sample: stopped after %d batch(es) (--max-batches); run again to continue%n", todo);
            return 0;
        }
        if (!dist.isLeader()) {
            System.err.println("sample: rank " + dist.rank() + " done; rank 0 writes " + out);
            return 0;
        }
        long deadline = System.nanoTime() + waitParts * 1_000_000_000L;
        long nextNote = 0;
        for (List<Integer> missing; !(missing = parts.missing()).isEmpty(); ) {
            if (System.nanoTime() > deadline) {
                System.err.printf(Locale.ROOT, "sample: %d batch(es) of other ranks still missing after %d s (first %s); run again with --assemble once they exist%n",
                        missing.size(), waitParts, parts.part(missing.get(0)).getFileName());
                return 1;
            }
            if (System.nanoTime() > nextNote) {
                System.err.printf(Locale.ROOT, "sample: waiting for %d batch(es) of the other ranks%n", missing.size());
                nextNote = System.nanoTime() + 60_000_000_000L;
            }
            Thread.sleep(1000);
        }
        parts.assemble(out);
        System.err.println("sample: wrote " + out + " (" + plan.images() + " images, arr_0 uint8 " + plan.size() + "x" + plan.size() + "x3, arr_1 labels)");
        return 0;
    }

    private void sample(SamplePlan plan, SampleParts parts, List<Integer> batches, GenerationOptions options, GPTConfig cfg, TokenizerConfig tcfg) throws Exception {
        int steps = cfg.tokens();
        long images = batches.stream().mapToLong(b -> plan.end(b) - plan.first(b)).sum();
        try (Scope scope = Scope.open("sample"); GenerationSetup.Models models = setup.load(cfg, tcfg);
                ImageGenerator gen = new ImageGenerator(models.gpt(), models.tokenizer()); Generator sampler = new Generator(models.gpt());
                ProgressBar bar = noProgress ? null : Progress.bar("sample", images, "img")) {
            System.err.printf(Locale.ROOT, "loaded %s and the tokenizer in %.1f s%n", cfg, models.loadNanos() / 1e9);
            long t0 = System.nanoTime();
            for (int b : batches) {
                int[] labels = plan.labels(b);
                double[][] u = new double[labels.length][];
                for (int r = 0; r < labels.length; r++) u[r] = SamplePlan.uniforms(options.seed(), plan.first(b) + r, steps);
                int[][] codes = sampler.generate(labels, options, (step, row) -> u[row][step], null, steps);
                try (Scope s = Scope.open("sample-batch")) {
                    Tensor pixels = gen.images(codes, plan.size());
                    parts.write(b, pixels);
                }
                if (bar != null) bar.stepBy(labels.length);
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            System.err.printf(Locale.ROOT, "%nsample: drew %d image(s) in %d batch(es) in %.1f s (%.2f s/image)%n", images, batches.size(), secs, secs / images);
        }
    }

    /** Every setting that changes the samples, as the manifest records them (checkpoints by name and size). */
    private Map<String, String> settings(GenerationOptions o, TokenizerConfig tcfg) throws java.io.IOException {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("gpt", identity(setup.gpt));
        m.put("gpt_weights", setup.gptWeights);
        m.put("tokenizer", identity(setup.tokenizer));
        m.put("tokenizer_size", Integer.toString(tcfg.imageSize()));
        m.put("cfg_scale", Double.toString(o.cfgScale()));
        m.put("cfg_interval", Integer.toString(o.cfgInterval()));
        m.put("sampling", o.sampling().toString());
        m.put("seed", Long.toString(o.seed()));
        m.put("kv_cache", o.kvCache().label());
        return m;
    }

    private static String identity(Path file) throws java.io.IOException {
        FileKinds.requireRegularFile(file);
        return file.getFileName() + " (" + Files.size(file) + " bytes)";
    }
}
