package org.vfmtok.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.vfmtok.nn.layers.SwiGLUFused;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.cpu.Parallel;
import org.vfmtok.tensor.io.AtomicFiles;
import org.vfmtok.tensor.io.Json;
import org.vfmtok.vfmtok.train.JsonOut;
import org.vfmtok.vfmtok.train.RandomVfm;
import org.vfmtok.vfmtok.vfm.Dinov2Config;
import org.vfmtok.vfmtok.vfm.VfmConfig;
import org.vfmtok.vfmtok.vfm.VisionFoundationModel;
import org.vfmtok.vfmtok.vfm.VisionTowerConfig;

/**
 * Multi-level feature extraction of each frozen VFM ({@code ./vfm bench vfm}): this project's model in-process
 * against the plain-torch definitions of {@code tools/reference/make_vfm_fixtures.py} / {@code vfmtok_ref.py}, run by
 * {@code tools/reference/vfm_bench.py} through {@link RunConditions#launchReference} (OpenBLAS with OpenMP, the same
 * thread count). Both sides build the same architecture with random weights (not the same values: only the time is
 * compared) and take uniform images in [-1, 1] at the model's input side; per (model, batch) one warm-up pass, then
 * the median of {@code reps} timed passes of {@link VisionFoundationModel#imageFeatures} (preprocessing and every
 * feature level). The two sides must agree on the parameter count and on every feature shape, or the case fails.
 * GFLOP counts the matrix products analytically ({@link #matmulFlops}); the ratio is torch seconds / Java seconds,
 * printed only for a quiet window with torch on an optimised BLAS ({@link RunConditions#ratio}).
 */
public final class VfmBench {
    private VfmBench() {}

    /** The VFMTok tokenizer's VFM input side: DINOv2 sees 336 px (a 24×24 grid). */
    static final int TOKENIZER_SIDE = 336;

    /** The models benchmarked when none are named. */
    public static final List<String> DEFAULT_MODELS = List.of("dinov2-l14-reg", "dinov2-b14", "clip-l14-224", "clip-l14-336", "siglip2-b16", "siglip2-so400m14");

    /** Every model name {@link Model#named} knows, with its released checkpoint and input side (for --help). */
    public static final String MODEL_NAMES = "dinov2-{s,b,l,g}14[-reg] (dinov2_vit*14[_reg4], 336 px as in the tokenizer), "
            + "clip-l14-224, clip-l14-336 (openai/clip-vit-large-patch14[-336], at 224 / 336), "
            + "siglip2-b16 (google/siglip2-base-patch16-256, at 256), siglip2-so400m14 (google/siglip2-so400m-patch14-384, at 384)";

    /** One benchmarked model: a short name, its architecture (input side set) and the image side both sides get. */
    public record Model(String name, VfmConfig config, int imageSize) {
        /** {@code config}'s input resize is set to {@code imageSize}: both sides take the images as they are. */
        public Model {
            if (imageSize < config.patchSize()) {
                throw new IllegalArgumentException(name + ": image size " + imageSize + " is smaller than the patch " + config.patchSize());
            }
            config = withInputSize(config, imageSize);
        }

        /**
         * A model by its short name ({@link #MODEL_NAMES}) at its own input side, or at {@code imageSize} when above 0
         * (smoke runs: the same architecture at a tiny input; DINOv2 needs a multiple of its patch 14).
         */
        public static Model named(String name, int imageSize) {
            VfmConfig c;
            int own;
            java.util.regex.Matcher dino = java.util.regex.Pattern.compile("dinov2-([sblg])14(-reg)?").matcher(name);
            if (dino.matches()) {
                c = Dinov2Config.named("dinov2_vit" + dino.group(1) + "14" + (dino.group(2) != null ? "_reg4" : ""));
                own = TOKENIZER_SIDE;
            } else {
                c = switch (name) {
                    case "clip-l14-224" -> VisionTowerConfig.named("openai/clip-vit-large-patch14");
                    case "clip-l14-336" -> VisionTowerConfig.named("openai/clip-vit-large-patch14-336");
                    case "siglip2-b16" -> VisionTowerConfig.named("google/siglip2-base-patch16-256");
                    case "siglip2-so400m14" -> VisionTowerConfig.named("google/siglip2-so400m-patch14-384");
                    default -> throw new IllegalArgumentException("--models: unknown model '" + name + "' (known: " + MODEL_NAMES + ")");
                };
                own = ((VisionTowerConfig) c).pretrainImageSize();
            }
            int side = imageSize > 0 ? imageSize : own;
            if (c instanceof Dinov2Config d && side % d.patchSize() != 0) {
                throw new IllegalArgumentException("--image-size " + side + " is not a multiple of " + name + "'s patch " + d.patchSize());
            }
            return new Model(name, c, side);
        }

        /** Side of the patch grid (whole patches: a tower's conv drops the rest). */
        public int grid() { return imageSize / config.patchSize(); }
    }

    private static VfmConfig withInputSize(VfmConfig c, int side) {
        return switch (c) {
            case Dinov2Config d -> d.withInputSize(side);
            case VisionTowerConfig t -> t.withInputSize(side);
        };
    }

    /** What one run measures. {@code imageSize} 0 = each model's own; {@code torch} false = Java only. */
    public record Options(List<String> models, int[] batches, int reps, int threads, int imageSize, boolean torch, Path out) {
        public Options {
            if (models.isEmpty()) throw new IllegalArgumentException("--models: no model named");
            if (batches.length == 0) throw new IllegalArgumentException("--batch: no batch size");
            for (int b : batches) if (b < 1) throw new IllegalArgumentException("--batch: sizes must be at least 1, got " + b);
            if (reps < 1) throw new IllegalArgumentException("--reps must be at least 1, got " + reps);
            if (threads < 1) throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
            if (imageSize < 0) throw new IllegalArgumentException("--image-size must be at least 1 (0: each model's own), got " + imageSize);
        }
    }

    /** One (model, batch) case. {@code torchS} is NaN without the reference; shapes are Java's (torch's were equal). */
    public record Row(String model, int imageSize, int batch, long params, List<int[]> shapes, double javaS, double torchS, String ratio,
                      double gflop, String blas, String conditions) {
        public double gflops() { return gflop / javaS; }
    }

    /** Runs every case, prints a line per case and the table, writes {@code out} (JSON for .json, else Markdown) when set. */
    public static List<Row> run(Options o) throws IOException, InterruptedException {
        List<Model> models = new ArrayList<>();
        for (String n : o.models()) models.add(Model.named(n.strip(), o.imageSize()));   // every name checked before anything runs
        if (o.torch()) {
            String missing = RunConditions.missingReference();
            if (missing != null) throw new IllegalStateException(missing + " (or --no-torch)");
        }
        Parallel.setThreads(o.threads());
        System.out.printf(Locale.ROOT, "VfmBench: threads %d, reps %d, batches %s, java %s%n", o.threads(), o.reps(), Arrays.toString(o.batches()), Runtime.version());
        List<Row> rows = new ArrayList<>();
        for (Model m : models) {
            long t0 = System.nanoTime();
            try (VisionFoundationModel vfm = RandomVfm.create(m.config(), 0)) {
                long params = vfm.stateDict().values().stream().mapToLong(Tensor::numel).sum();
                System.out.printf(Locale.ROOT, "%s: %s, %,d parameters, input %d px, grid %dx%d, levels %s, random init in %.1f s%n", m.name(), m.config().name(),
                        params, m.imageSize(), m.grid(), m.grid(), Arrays.toString(m.config().levels()), (System.nanoTime() - t0) / 1e9);
                for (int b : o.batches()) {
                    Row r = measure(m, vfm, params, b, o.reps(), o.threads(), o.torch());
                    System.out.println(line(r));
                    rows.add(r);
                }
            }
        }
        System.out.println();
        System.out.println(HEADER);
        rows.forEach(r -> System.out.println(line(r)));
        if (o.out() != null) {
            String name = o.out().getFileName().toString();
            AtomicFiles.writeString(o.out(), name.endsWith(".json") ? json(o, rows) : markdown(o, rows));
            System.out.println("wrote " + o.out());
        }
        return rows;
    }

    /** One case: Java (warm-up, reps), then the reference, inside one noise window. */
    static Row measure(Model m, VisionFoundationModel vfm, long params, int batch, int reps, int threads, boolean torch) throws IOException, InterruptedException {
        RunConditions.Window window = RunConditions.start();
        List<int[]> shapes = new ArrayList<>();
        double[] java;
        try (Scope s = Scope.open()) {
            Tensor x = Init.uniform(Tensor.empty(DType.F32, batch, 3, m.imageSize(), m.imageSize()), new Rng(1), -1, 1);
            try (Scope warm = Scope.open()) {
                for (Tensor f : vfm.imageFeatures(x)) shapes.add(f.shape());
            }
            java = Stats.time(reps, () -> {
                try (Scope pass = Scope.open()) {
                    vfm.imageFeatures(x);
                }
            });
        }
        System.out.println("  java  features " + shapesText(shapes));
        double torchS = Double.NaN;
        RunConditions.Blas blas = null;
        if (torch) {
            RunConditions.Reference ref = RunConditions.launchReference(threads, "vfm_bench.py", List.of("--arch", archJson(m.config()),
                    "--image-size", Integer.toString(m.imageSize()), "--batch", Integer.toString(batch), "--reps", Integer.toString(reps),
                    "--threads", Integer.toString(threads)));
            blas = ref.blas();
            Map<?, ?> res = parse(ref.lastLine());
            List<int[]> torchShapes = new ArrayList<>();
            for (Object s : (List<?>) res.get("shapes")) torchShapes.add(((List<?>) s).stream().mapToInt(v -> ((Number) v).intValue()).toArray());
            System.out.println("  torch features " + shapesText(torchShapes));
            long torchParams = ((Number) res.get("params")).longValue();
            if (torchParams != params) {
                throw new IllegalStateException(m.name() + ": torch built " + torchParams + " parameters, Java " + params + ": the architectures differ");
            }
            if (!shapesText(torchShapes).equals(shapesText(shapes))) {
                throw new IllegalStateException(m.name() + " batch " + batch + ": torch features " + shapesText(torchShapes) + ", Java " + shapesText(shapes));
            }
            List<?> sec = (List<?>) res.get("seconds");
            double[] t = new double[sec.size()];
            for (int i = 0; i < t.length; i++) t[i] = ((Number) sec.get(i)).doubleValue();
            torchS = Stats.median(t);
        }
        RunConditions.Noise noise = window.stop();
        double javaS = Stats.median(java);
        return new Row(m.name(), m.imageSize(), batch, params, shapes, javaS, torchS, RunConditions.ratio(torchS, javaS, noise, blas),
                matmulFlops(m.config(), m.imageSize(), batch) / 1e9, blas == null ? "-" : blas.describe(), noise.describe());
    }

    /**
     * Floating-point operations of the matrix products of one feature extraction (2 per multiply-add): the patch
     * embedding, and per block run (up to the last level) q/k/v and output projections, the attention scores and
     * their product with v over all tokens (class token and registers included), and the feed-forward (two products,
     * or SwiGLU's fused w12 and w3). LayerNorm, softmax, activations and the position resize are not counted.
     */
    public static double matmulFlops(VfmConfig c, int imageSize, int batch) {
        int p = c.patchSize(), g = imageSize / p;
        double patches = (double) g * g, d = c.embedDim();
        double extra, ffn;
        switch (c) {
            case Dinov2Config dc -> {
                extra = 1 + dc.numRegisters();
                ffn = dc.swiglu() ? 2 * d * 2 * dc.mlpHidden() + 2 * dc.mlpHidden() * d : 2 * 2 * d * dc.mlpHidden();
            }
            case VisionTowerConfig t -> {
                extra = t.family() == VisionTowerConfig.Family.CLIP ? 1 : 0;
                ffn = 2 * 2 * d * t.mlpHidden();
            }
        }
        double n = patches + extra;
        double perToken = 2 * d * 3 * d + 2 * d * d + ffn;     // qkv, output projection, feed-forward
        double block = n * perToken + 2 * 2 * n * n * d;       // + scores and weights·v, all heads together
        int blocks = c.levels()[c.levels().length - 1] + 1;
        return batch * (patches * 2 * 3 * p * p * d + blocks * block);
    }

    /** The architecture as tools/reference/vfm_bench.py reads it (make_vfm_fixtures' tower config, vfmtok_ref's DINOv2 one). */
    static String archJson(VfmConfig c) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("family", c.familyName());
        switch (c) {
            case Dinov2Config d -> {
                double ratio = (double) d.mlpHidden() / d.embedDim();
                if (d.swiglu()) {
                    // vfmtok_ref sizes SwiGLU from mlp_ratio as the official code does: hidden = swiglu(dim * 4)
                    if (SwiGLUFused.hiddenFor(4 * d.embedDim()) != d.mlpHidden()) {
                        throw new IllegalArgumentException(d.name() + ": SwiGLU hidden " + d.mlpHidden() + " is not the one of mlp_ratio 4 (" + SwiGLUFused.hiddenFor(4 * d.embedDim()) + ")");
                    }
                    ratio = 4.0;
                }
                a.put("embed_dim", d.embedDim());
                a.put("depth", d.depth());
                a.put("num_heads", d.numHeads());
                a.put("mlp_ratio", ratio);
                a.put("patch_size", d.patchSize());
                a.put("num_registers", d.numRegisters());
                a.put("ffn", d.swiglu() ? "swiglufused" : "mlp");
                a.put("ln_eps", d.lnEps());
                a.put("img_size_pretrain", d.pretrainImageSize());
                a.put("interpolate_antialias", d.interpolateAntialias());
                a.put("interpolate_offset", d.interpolateOffset());
                a.put("levels", d.levels());
            }
            case VisionTowerConfig t -> {
                a.put("dim", t.embedDim());
                a.put("depth", t.depth());
                a.put("heads", t.numHeads());
                a.put("mlp", t.mlpHidden());
                a.put("patch", t.patchSize());
                a.put("image", t.pretrainImageSize());
                a.put("eps", t.lnEps());
                a.put("levels", t.levels());
                a.put("norm_last", t.normLast());
            }
        }
        return JsonOut.write(a).strip();
    }

    static final String HEADER = String.format(Locale.ROOT, "%-18s %5s %5s %9s %9s %7s %9s %8s  %s", "model", "size", "batch", "java_s", "torch_s", "ratio",
            "GFLOP", "GFLOP/s", "conditions");

    static String line(Row r) {
        return String.format(Locale.ROOT, "%-18s %5d %5d %9.3f %9s %7s %9.1f %8.1f  %s", r.model(), r.imageSize(), r.batch(), r.javaS(),
                Double.isNaN(r.torchS()) ? "-" : String.format(Locale.ROOT, "%.3f", r.torchS()), r.ratio(), r.gflop(), r.gflops(), r.conditions());
    }

    static String shapesText(List<int[]> shapes) {
        List<String> s = new ArrayList<>();
        for (int[] sh : shapes) s.add(String.join("x", Arrays.stream(sh).mapToObj(Integer::toString).toList()));
        return String.join(" ", s);
    }

    static String json(Options o, List<Row> rows) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("benchmark", "vfm feature extraction (./vfm bench vfm)");
        root.put("threads", o.threads());
        root.put("reps", o.reps());
        root.put("java", Runtime.version().toString());
        List<Object> list = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", r.model());
            m.put("image_size", r.imageSize());
            m.put("batch", r.batch());
            m.put("params", r.params());
            m.put("shapes", r.shapes().stream().map(s -> Arrays.stream(s).boxed().toList()).toList());
            m.put("java_s", r.javaS());
            m.put("torch_s", r.torchS());
            m.put("ratio", r.ratio());
            m.put("gflop", r.gflop());
            m.put("java_gflops", r.gflops());
            m.put("torch_blas", r.blas());
            m.put("conditions", r.conditions());
            list.add(m);
        }
        root.put("rows", list);
        return JsonOut.write(root);
    }

    static String markdown(Options o, List<Row> rows) {
        StringBuilder b = new StringBuilder();
        b.append("# VFM feature extraction: Java vs PyTorch (`./vfm bench vfm`)\n\n");
        b.append(String.format(Locale.ROOT, "%d threads, median of %d timed passes after one warm-up, random weights; java %s. "
                + "ratio = torch s / java s (above 1: Java faster), printed only when quiet and torch ran on OpenBLAS. "
                + "GFLOP: the matrix products, counted analytically; GFLOP/s: Java's.%n%n", o.threads(), o.reps(), Runtime.version()));
        b.append("| model | size | batch | features | java s | torch s | ratio | GFLOP | GFLOP/s | conditions |\n");
        b.append("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |\n");
        for (Row r : rows) {
            b.append(String.format(Locale.ROOT, "| %s | %d | %d | %s | %.3f | %s | %s | %.1f | %.1f | %s |%n", r.model(), r.imageSize(), r.batch(),
                    shapesText(r.shapes()), r.javaS(), Double.isNaN(r.torchS()) ? "-" : String.format(Locale.ROOT, "%.3f", r.torchS()), r.ratio(),
                    r.gflop(), r.gflops(), r.conditions()));
        }
        String blas = rows.stream().map(Row::blas).filter(s -> !s.equals("-")).findFirst().orElse(null);
        if (blas != null) b.append("\ntorch BLAS: ").append(blas).append('\n');
        return b.toString();
    }

    private static Map<?, ?> parse(String line) throws IOException {
        try {
            return (Map<?, ?>) Json.parse(line);
        } catch (Json.JsonException | ClassCastException e) {
            throw new IOException("vfm_bench.py printed no JSON: " + line, e);
        }
    }
}
