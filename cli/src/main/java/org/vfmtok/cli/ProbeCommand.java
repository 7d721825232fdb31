package org.vfmtok.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.vfmtok.eval.probe.FeatureKind;
import org.vfmtok.eval.probe.LinearProbe;
import org.vfmtok.eval.probe.ProbeViews;
import org.vfmtok.nn.WeightStorage;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.io.Npy;
import org.vfmtok.tensor.ops.Indexing;
import org.vfmtok.vfmtok.VFMTokenizer;
import org.vfmtok.vfmtok.data.ImageFolder;
import org.vfmtok.vfmtok.image.ImageFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./vfm probe}: linear probing of a frozen tokenizer's tokens, MAE's recipe. */
@Command(name = "probe", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Linear probe of a frozen tokenizer (MAE's main_linprobe.py): the mean-pooled token features of every",
                "image, BatchNorm1d without affine, a linear head trained with LARS (base lr 0.1, weight decay 0), a",
                "linear warm-up then a cosine schedule; top-1 accuracy on --val. Scaled to the data size: batch",
                "min(256, N) instead of 16384, lr kept at MAE's 0.1 x 16384/256 = 6.4 (LARS steps are relative to the",
                "weight norm, so the per-step rate must stay MAE's), 90 epochs with 10 of warm-up; MAE's augmentation",
                "(RandomResizedCrop + flip every epoch) becomes --views fixed views per training image (view 0 the centre",
                "crop, the rest random resized crops with flips), extracted once. Features are cached in --cache, keyed",
                "by the tokenizer's SHA-256, the data listing, the feature kind and the views.",
                "Data: ImageFolder layout (one subfolder per class; --val uses the class names of --data).",
                "Example: ./vfm probe --tokenizer vfmtok.pt --vfm dinov2.pth --data train/ --val val/ --features slots"})
final class ProbeCommand implements Callable<Integer> {
    @Mixin
    TokenizerOptions tok;

    @Option(names = "--vfm", required = true, paramLabel = "V", description = "DINOv2 weights (the encoder needs them).")
    Path vfm;

    @Option(names = "--data", required = true, paramLabel = "TRAIN_DIR", description = "Training images, one subfolder per class.")
    Path data;

    @Option(names = "--val", required = true, paramLabel = "VAL_DIR", description = "Validation images, subfolders named as the training classes.")
    Path val;

    @Option(names = "--features", defaultValue = "slots", paramLabel = "slots|quantized|vfm",
            description = "slots: the slot encoder's tokens; quantized: the codebook rows of the codes; vfm: the DINOv2 last level (default ${DEFAULT-VALUE}).")
    String features;

    @Option(names = "--views", defaultValue = "1", paramLabel = "N", description = "Views per training image: the centre crop plus N-1 random resized crops with flips (default ${DEFAULT-VALUE}).")
    int views;

    @Option(names = "--epochs", defaultValue = "90", paramLabel = "N", description = "Training epochs (MAE: 90; default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--warmup-epochs", defaultValue = "10", paramLabel = "N", description = "Linear warm-up epochs (MAE: 10; default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--blr", defaultValue = "0.1", paramLabel = "LR", description = "Base learning rate (MAE: 0.1; lr = blr x 16384 / 256; default ${DEFAULT-VALUE}).")
    double blr;

    @Option(names = "--probe-batch", defaultValue = "256", paramLabel = "N", description = "Head training batch, at most the training set (default ${DEFAULT-VALUE}).")
    int probeBatch;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "N", description = "Seed of the views, the head's initialisation and the data order (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--cache", paramLabel = "DIR", description = "Feature cache folder (default: ~/.cache/vfm/probe).")
    Path cache;

    @Option(names = "--json", paramLabel = "OUT", description = "Also write the result as JSON.")
    Path json;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
        FeatureKind kind = FeatureKind.parse(features);
        if (views < 1) throw new IllegalArgumentException("--views must be >= 1, got " + views);
        ImageFolder train = new ImageFolder(data, ImageFolder.Crop.CENTER), valSet = new ImageFolder(val, ImageFolder.Crop.CENTER);
        int[] valLabels = new int[valSet.size()];
        for (int i = 0; i < valLabels.length; i++) {
            String name = valSet.classNames().get(valSet.label(i));
            int c = train.classNames().indexOf(name);
            if (c < 0) throw new IllegalArgumentException(val + ": class folder '" + name + "' is not among the " + train.classNames().size() + " classes of " + data);
            valLabels[i] = c;
        }
        int[] trainLabels = new int[train.size()];
        for (int i = 0; i < trainLabels.length; i++) trainLabels[i] = train.label(i);
        Path dir = cache != null ? cache : Path.of(System.getProperty("user.home"), ".cache", "vfm", "probe");
        Files.createDirectories(dir);
        String tokKey = tokenizerKey(kind);
        Path trainFile = dir.resolve("probe-" + key(tokKey, train, views) + "-train.npy"), valFile = dir.resolve("probe-" + key(tokKey, valSet, 1) + "-val.npy");
        float[] trainX, valX;
        int d;
        long t0 = System.nanoTime();
        try (Scope all = Scope.open("probe")) {
            VFMTokenizer t = null;
            try {
                if (!Files.isRegularFile(trainFile) || !Files.isRegularFile(valFile)) t = tok.load(vfm);
                trainX = cached(trainFile, train, views, kind, t, "train");
                valX = cached(valFile, valSet, 1, kind, t, "val");
            } finally {
                if (t != null) t.close();
            }
        }
        d = trainX.length / (train.size() * views);
        double extractS = (System.nanoTime() - t0) / 1e9;
        LinearProbe.Config cfg = new LinearProbe.Config(epochs, warmup, Math.min(probeBatch, train.size()), blr, 16384, 0.0, seed);
        long t1 = System.nanoTime();
        LinearProbe.Result r = LinearProbe.run(new LinearProbe.Features(trainX, train.size(), views, d, trainLabels),
                new LinearProbe.Features(valX, valSet.size(), 1, d, valLabels), train.classNames().size(), cfg);
        System.out.printf(Locale.ROOT, "probe: %s features (%d-dim), %d training images x %d view(s), %d classes; features %.1f s, head %.1f s%n",
                kind.cliName(), d, train.size(), views, train.classNames().size(), extractS, (System.nanoTime() - t1) / 1e9);
        System.out.printf(Locale.ROOT, "probe: %s (chance %.2f%%; batch %d, lr %.3g)%n", r, 100.0 / train.classNames().size(), cfg.batch(), cfg.lr());
        if (json != null) {
            java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
            out.put("top1", r.top1());
            out.put("correct", r.correct());
            out.put("total", r.total());
            out.put("features", kind.cliName());
            out.put("dim", d);
            out.put("classes", train.classNames().size());
            out.put("train_images", train.size());
            out.put("views", views);
            out.put("epochs", epochs);
            out.put("warmup_epochs", warmup);
            out.put("batch", cfg.batch());
            out.put("lr", cfg.lr());
            out.put("steps", r.steps());
            out.put("final_loss", r.finalLoss());
            EvalReconCommand.writeJson(json, out);
        }
        return 0;
    }

    /** Features of every image (views per image) from the cache, or extracted now and cached (atomically). */
    private float[] cached(Path file, ImageFolder set, int nViews, FeatureKind kind, VFMTokenizer t, String what) throws IOException {
        if (Files.isRegularFile(file)) {
            try (Scope s = Scope.open("probe-cache")) {
                Tensor cachedX = Npy.read(file);
                if (cachedX.dtype() != DType.F32 || cachedX.dim() != 2 || cachedX.size(0) != set.size() * nViews) {
                    throw new IOException(file + ": " + cachedX.dtype() + " " + java.util.Arrays.toString(cachedX.shape()) + " is not the cache of "
                            + set.size() * nViews + " feature rows (delete it to extract again)");
                }
                System.err.println("probe: " + what + " features from the cache " + file);
                return cachedX.toFloatArray();
            }
        }
        int size = t.config().imageSize(), rows = set.size() * nViews, d = kind.dim(t);
        float[] x = new float[rows * d];
        try (ProgressBar bar = noProgress ? null : Progress.bar("probe " + what, rows, "view")) {
            for (int lo = 0; lo < rows; lo += tok.batch) {
                int hi = Math.min(rows, lo + tok.batch);
                try (Scope s = Scope.open("probe-batch")) {
                    Tensor[] imgs = new Tensor[hi - lo];
                    java.awt.image.BufferedImage img = null;
                    int loaded = -1;
                    for (int r = lo; r < hi; r++) {
                        int i = r / nViews, v = r % nViews;
                        if (i != loaded) {
                            img = ImageFiles.read(set.file(i));
                            loaded = i;
                        }
                        imgs[r - lo] = ProbeViews.view(img, size, v, seed, i);
                    }
                    float[] f = kind.extract(t, Indexing.stack(0, imgs));
                    System.arraycopy(f, 0, x, lo * d, f.length);
                }
                if (bar != null) bar.stepTo(hi);
            }
        }
        Npy.write(file, Tensor.of(x, rows, d));
        return x;
    }

    /** What makes the features what they are, apart from the images: the tokenizer bytes, its config and weights, the VFM file, the kind, the seed. */
    private String tokenizerKey(FeatureKind kind) throws IOException {
        MessageDigest md = sha256();
        try (InputStream in = Files.newInputStream(tok.tokenizer)) {
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
        String config = tok.config == null ? "official" : Files.readString(tok.config);
        String vfmId = vfm.getFileName() + ":" + Files.size(vfm) + ":" + Files.getLastModifiedTime(vfm).toMillis();
        md.update(String.join("\n", config, tok.storage() == WeightStorage.F32 ? tok.which : tok.which + ":" + tok.storage().label(), vfmId, kind.cliName(), Long.toString(seed)).getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(md.digest());
    }

    /** The cache key of one set: the tokenizer key, the views, and the listing (class, absolute path, size and modification time of every file). */
    private static String key(String tokKey, ImageFolder set, int nViews) throws IOException {
        MessageDigest md = sha256();
        md.update((tokKey + "\nviews " + nViews + "\n").getBytes(StandardCharsets.UTF_8));
        List<String> classes = set.classNames();
        for (int i = 0; i < set.size(); i++) {
            Path f = set.file(i);
            md.update((classes.get(set.label(i)) + " " + f.toAbsolutePath() + " " + Files.size(f) + " " + Files.getLastModifiedTime(f).toMillis() + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(md.digest()).substring(0, 24);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
