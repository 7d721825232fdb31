package org.vfmtok.cli;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.vfmtok.llama.GPT;
import org.vfmtok.llama.GPTConfig;
import org.vfmtok.llama.GenerationOptions;
import org.vfmtok.llama.Generator;
import org.vfmtok.llama.ImageGenerator;
import org.vfmtok.llama.KVCacheDType;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.io.Npy;
import org.vfmtok.vfmtok.VFMTokenizer;
import org.vfmtok.vfmtok.model.TokenizerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./vfm generate}: class-conditional images from a LlamaGen GPT and the VFMTok decoder, as a labelled PNG grid. */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Sample class-conditional images: the GPT draws code grids (KV cache, classifier-free guidance),",
                "the VFMTok tokenizer decodes them (decode only: no DINOv2 weights needed). Writes a PNG grid with",
                "one column per class (its index drawn above) and --per-class rows.",
                "Example: ./vfm generate --gpt GPT-B-300e.pt --gpt-model GPT-B --tokenizer vfmtok-tokenizer.pt \\",
                "           --classes 207,360 --per-class 4 --cfg-scale 1.5 --out grid.png"})
final class GenerateCommand implements Callable<Integer> {
    @Mixin DeviceOption device;

    @Mixin
    GenerationSetup setup;

    @Option(names = "--classes", required = true, split = ",", paramLabel = "C,C,...", description = "Class indices, one grid column each.")
    int[] classes;

    @Option(names = "--per-class", defaultValue = "1", paramLabel = "N", description = "Samples per class (grid rows; default ${DEFAULT-VALUE}).")
    int perClass;

    @Option(names = "--out", required = true, paramLabel = "PNG", description = "Output image grid.")
    Path out;

    @Option(names = "--codes-out", paramLabel = "NPY", description = "Also write the codes (B, tokens) int64, class-major.")
    Path codesOut;

    @Option(names = "--batch", defaultValue = "16", paramLabel = "N",
            description = "Images sampled and decoded at once: bounds the KV cache and the activations. The samples are the same for any batch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
        device.resolve();
        if (perClass < 1) throw new IllegalArgumentException("--per-class must be >= 1, got " + perClass);
        if (batch < 1) throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
        GenerationOptions options = setup.options();
        KVCacheDType cacheDType = options.kvCache();
        GPTConfig cfg = setup.gptConfig();
        TokenizerConfig tcfg = setup.tokenizerConfig();
        ImageGenerator.checkCompatible(cfg, tcfg);
        GenerationSetup.checkClasses(classes, cfg);
        Plan plan = Plan.of(classes.length, perClass, batch, cfg, tcfg.imageSize(), cacheDType, options.guided());
        System.err.println(plan.describe());
        int[] labels = new int[plan.images()];
        for (int i = 0; i < labels.length; i++) labels[i] = classes[i / perClass];
        try (Scope scope = Scope.open("generate"); GenerationSetup.Models models = setup.load(cfg, tcfg)) {
            GPT model = models.gpt();
            VFMTokenizer tok = models.tokenizer();
            System.err.printf(Locale.ROOT, "loaded %s (%,d parameters) and the tokenizer in %.1f s%n", cfg, model.parameterCount(), models.loadNanos() / 1e9);
            try (ImageGenerator gen = new ImageGenerator(model, tok); Generator sampler = new Generator(model)) {
                long t1 = System.nanoTime();
                int[][] codes = new int[labels.length][];
                // the uniforms of one run over all images, step-major as Generator draws them: batching does not change the samples
                double[] uniforms = uniforms(setup.seed, cfg.tokens(), labels.length);
                int batches = plan.batches();
                try (ProgressBar bar = noProgress ? null : new ProgressBarBuilder().setTaskName("tokens").setInitialMax((long) cfg.tokens() * batches)
                        .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).showSpeed().setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err)).build()) {
                    for (int k = 0; k < batches; k++) {
                        int lo = k * batch, hi = Math.min(labels.length, lo + batch), n = labels.length, done = k * cfg.tokens();
                        Generator.StepListener listener = bar == null ? null : Generator.progress(step -> bar.stepTo(done + step));
                        int[][] part = sampler.generate(Arrays.copyOfRange(labels, lo, hi), options, (step, row) -> uniforms[step * n + lo + row], listener, cfg.tokens());
                        System.arraycopy(part, 0, codes, lo, hi - lo);
                        if (k == 0 && batches > 1) {
                            double first = (System.nanoTime() - t1) / 1e9;
                            System.err.printf(Locale.ROOT, "%nfirst batch of %d in %.1f s: about %.0f s for all %d batches%n", hi - lo, first, first * batches, batches);
                        }
                    }
                }
                double genS = (System.nanoTime() - t1) / 1e9;
                System.err.printf(Locale.ROOT, "sampled %d x %d tokens in %.2f s (%.1f tokens/s, %.2f s/image; KV cache %,d bytes %s)%n",
                        labels.length, cfg.tokens(), genS, labels.length * (double) cfg.tokens() / genS, genS / labels.length,
                        sampler.decoder().cacheBytes(), cacheDType.label());
                if (codesOut != null) {
                    long[] flat = Arrays.stream(codes).flatMapToInt(Arrays::stream).asLongStream().toArray();
                    Path parent = codesOut.toAbsolutePath().getParent();
                    if (parent != null) Files.createDirectories(parent);
                    Npy.write(codesOut, Tensor.ofLongs(flat, labels.length, cfg.tokens()));
                }
                long t2 = System.nanoTime();
                int side = tcfg.imageSize();
                byte[] pixels = new byte[Math.toIntExact((long) labels.length * side * side * 3)]; // bounded by Plan
                for (int lo = 0; lo < labels.length; lo += batch) {
                    Tensor part = gen.images(Arrays.copyOfRange(codes, lo, Math.min(labels.length, lo + batch))).contiguous();
                    MemorySegment.copy(part.segment(), part.byteOffset(), MemorySegment.ofArray(pixels), (long) lo * side * side * 3, part.numel());
                }
                Tensor images = Tensor.wrap(MemorySegment.ofArray(pixels), DType.U8, labels.length, side, side, 3);
                ImageGrid.write(ImageGrid.render(images, classes, perClass), out);
                System.err.printf(Locale.ROOT, "decoded %d images in %.2f s -> %s%n", labels.length, (System.nanoTime() - t2) / 1e9, out);
            }
        }
        return 0;
    }

    /** The uniforms of {@link Generator#generate(int[], GenerationOptions, Generator.StepListener)} for {@code rows} rows, step-major. */
    static double[] uniforms(long seed, int steps, int rows) {
        Rng rng = new Rng(seed);
        double[] u = new double[Math.multiplyExact(steps, rows)];
        for (int i = 0; i < u.length; i++) u[i] = 1.0 - rng.nextDouble();
        return u;
    }

    /**
     * What a request costs, worked out in 64-bit before anything is loaded: the image count (classes × per-class),
     * the batches, the KV cache of one batch (native), and the heap of the decoded images, the grid and the
     * uniforms. Requests whose heap part exceeds what this JVM may use, or whose pixels do not fit one array, are
     * refused with the numbers.
     */
    record Plan(int images, int batch, int batches, long weightBytes, long cacheBytesPerBatch, long heapBytes) {
        static Plan of(int classes, int perClass, int batch, GPTConfig cfg, int side, KVCacheDType cache, boolean guided) {
            long images = (long) classes * perClass; // int x int in 64-bit: cannot wrap
            long pixelBytes = images * side * side * 3;
            if (pixelBytes > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException(classes + " classes (--classes) x " + perClass + " per class (--per-class) = " + images + " images of " + side + "x" + side
                        + ": more than one grid can hold (at most " + (Integer.MAX_VALUE - 8) / (3L * side * side) + "); ask for fewer and run several times");
            }
            int n = (int) images;
            int b = Math.min(batch, n);
            long cell = side + 8L;
            long gridBytes = (classes * cell + 8) * (perClass * cell + 64) * 4; // TYPE_INT_RGB
            long heap = pixelBytes + gridBytes + images * cfg.tokens() * (8L + 4L); // pixels, grid, uniforms, codes
            long cacheBytes = cfg.kvCacheBytes(guided ? 2 * b : b, cache);
            long max = Runtime.getRuntime().maxMemory();
            if (heap > max * 0.8) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "%d images of %dx%d need about %.1f GiB of heap for the pixels and the grid, "
                        + "this JVM may use %.1f GiB: ask for fewer images, or give Java more memory (-Xmx)", n, side, side, heap / 1073741824.0, max / 1073741824.0));
            }
            return new Plan(n, b, (n + b - 1) / b, cfg.parameterCount() * 4, cacheBytes, heap);
        }

        String describe() {
            return String.format(Locale.ROOT, "generate: %d images in %d batch(es) of %d; memory: weights %.0f MiB, KV cache %.0f MiB per batch, images and grid %.0f MiB of heap",
                    images, batches, batch, weightBytes / 1048576.0, cacheBytesPerBatch / 1048576.0, heapBytes / 1048576.0);
        }
    }

    /** The {@code --weights} value: f32 or bf16; anything else is a one-line error naming it. */
    static org.vfmtok.nn.WeightStorage weightStorage(String value) {
        try {
            return org.vfmtok.nn.WeightStorage.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--weights must be f32 or bf16, got '" + value + "'");
        }
    }

    /** The {@code --kv-cache} value: f32 or bf16; anything else is a one-line error naming it. */
    static KVCacheDType kvCacheDType(String value) {
        try {
            return KVCacheDType.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--kv-cache must be f32 or bf16, got '" + value + "'");
        }
    }
}
