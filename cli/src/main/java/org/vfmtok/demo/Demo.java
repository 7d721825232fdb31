package org.vfmtok.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.vfmtok.eval.gen.ActivationStatistics;
import org.vfmtok.eval.gen.FrechetDistance;
import org.vfmtok.llama.GPTConfig;
import org.vfmtok.llama.train.ArTraining;
import org.vfmtok.llama.train.CodeShards;
import org.vfmtok.llama.train.CodeStream;
import org.vfmtok.nn.io.AnyCheckpoint;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;
import org.vfmtok.tensor.io.AtomicFiles;
import org.vfmtok.vfmtok.VFMTokenizer;
import org.vfmtok.vfmtok.data.ProceduralShapes;
import org.vfmtok.vfmtok.image.ImageFiles;
import org.vfmtok.vfmtok.image.Metrics;
import org.vfmtok.vfmtok.model.TokenizerConfig;
import org.vfmtok.vfmtok.model.VQModel;
import org.vfmtok.vfmtok.train.CodeExtraction;
import org.vfmtok.vfmtok.train.JsonOut;
import org.vfmtok.vfmtok.train.Plots;
import org.vfmtok.vfmtok.train.RandomVfm;
import org.vfmtok.vfmtok.train.TinyClassifier;
import org.vfmtok.vfmtok.train.TokenizerConfigs;
import org.vfmtok.vfmtok.train.TokenizerLoss;
import org.vfmtok.vfmtok.train.TokenizerTraining;
import org.vfmtok.vfmtok.train.VqTraining;
import org.vfmtok.vfmtok.vfm.Dinov2;
import org.vfmtok.vfmtok.vfm.Dinov2Config;
import org.vfmtok.vfmtok.vfm.VisionFoundationModel;

/**
 * The end-to-end demo: a procedural dataset of ten classes, a small tokenizer trained on it (over a random
 * frozen ViT, or real DINOv2 weights), its codes extracted, a small class-conditional GPT trained on them,
 * and samples judged by a small CNN trained on the same images. Writes PNGs and a summary.json, and returns
 * the figures: reconstruction PSNR (with the mean-image baseline), codebook usage, class accuracy of the
 * samples (chance is 10%) and the losses at the start and the end of each training.
 */
public final class Demo {
    /** The sizes of one demo run; {@link #full()} takes about ten minutes on two cores, {@link #quick()} well under one. */
    public record Plan(int trainImages, int testImages, int tokBatch, int tokSteps, double tokLr, int arBatch, int arSteps, double arLr,
                       int clsSteps, int samplesPerClass, double cfgScale, int imageEvery) {
        public static Plan full() { return new Plan(4000, 200, 12, 600, 1e-3, 64, 800, 2e-3, 300, 10, 2.0, 100); }

        public static Plan quick() { return new Plan(600, 60, 8, 200, 2e-3, 32, 200, 3e-3, 80, 10, 2.0, 0); }
    }

    public record Options(Path out, Plan plan, Path vfmWeights, String vfmArch, long seed, boolean progress, PrintStream log) {}

    public record Result(double psnr, double baselinePsnr, double codebookUsage, double sampleAccuracy, double realAccuracy,
                         double judgeFid, double judgeFidReal, double tokLossFirst, double tokLossLast, double arLossFirst, double arLossLast, double seconds) {}

    private Demo() {}

    public static Result run(Options o) throws IOException {
        long t0 = System.nanoTime();
        Plan p = o.plan();
        PrintStream log = o.log();
        Path out = o.out();
        Files.createDirectories(out);
        for (String sub : List.of("tokenizer", "ar", "codes")) deleteTree(out.resolve(sub));   // a demo always starts fresh
        ProceduralShapes train = new ProceduralShapes(p.trainImages(), o.seed());
        ProceduralShapes test = new ProceduralShapes(p.testImages(), o.seed() + 1_000_003L);

        // 1. the frozen VFM and the tokenizer geometry
        TokenizerConfig cfg;
        VisionFoundationModel vfm;
        if (o.vfmWeights() != null) {
            Dinov2Config vc = Dinov2Config.named(o.vfmArch() == null ? "dinov2_vits14_reg4" : o.vfmArch());
            int side = 4 * vc.patchSize();   // a 4×4 DINOv2 grid; the pixel decoder upsamples 14×14 latents by 4
            TokenizerConfig d = TokenizerConfigs.demo();
            cfg = new TokenizerConfig(side, 4, d.dim(), d.encDepth(), d.encHeads(), d.encFfn(), d.nPoints(), d.nCarrier(), d.decDepth(),
                    d.decHeads(), d.decMlp(), d.codebookSize(), d.codeDim(), d.zChannels(), d.ch(), d.chMult(), d.numResBlocks(), d.gnGroups(),
                    d.codebookUsedLen(), vc);
            Dinov2 dino = Scope.global().run(() -> new Dinov2(vc, new Rng(0)));
            vfm = dino;
            try (AnyCheckpoint c = AnyCheckpoint.open(o.vfmWeights())) {
                dino.loadPublished(c.tensors(""));
            }
            log.println("VFM: " + vc.name() + " from " + o.vfmWeights());
        } else {
            cfg = TokenizerConfigs.demo();
            vfm = Scope.global().run(() -> RandomVfm.create(cfg.vfm(), o.seed() + 7));
            log.println("VFM: a random frozen ViT (" + cfg.vfm().depth() + " layers, width " + cfg.vfm().embedDim() + "); pass --vfm for real DINOv2 weights");
        }
        int side = cfg.imageSize();
        writeDatasetGrid(train, side, out.resolve("dataset.png"));

        // 2. tokenizer
        log.printf(Locale.ROOT, "[1/4] training the tokenizer: %d steps of %d images (%d×%d, %d tokens, codebook %d)%n",
                p.tokSteps(), p.tokBatch(), side, side, cfg.tokens(), cfg.codebookSize());
        TokenizerLoss.Weights w = new TokenizerLoss.Weights(1.0, 0.0, 1.0, 1.0, 0.25, 0.0, Long.MAX_VALUE, 5);
        TokenizerTraining.Options to = new TokenizerTraining.Options(out.resolve("tokenizer"), cfg, p.tokBatch(), p.tokSteps(), p.tokLr(),
                Math.max(1, p.tokSteps() / 20), 0.99, 1.0, p.tokSteps(), p.imageEvery(), 1, o.progress(), o.seed(), w, 1, true);
        TokenizerTraining.Result tr = TokenizerTraining.train(train, vfm, null, null, to, false);
        VQModel tokModel = tr.model();
        VFMTokenizer tok = new VFMTokenizer(cfg, vfm, tokModel);

        // reconstruction quality on held-out images, against predicting the training set's mean image
        List<float[]> testImgs = load(test, side);
        float[] mean = meanImage(train, side);
        double psnr = 0, base = 0;
        List<float[]> recs = decode(tok, encode(tok, testImgs, side), side);
        for (int i = 0; i < testImgs.size(); i++) {
            psnr += Metrics.psnr(u8(testImgs.get(i)), u8(recs.get(i)));
            base += Metrics.psnr(u8(testImgs.get(i)), u8(mean));
        }
        psnr /= testImgs.size();
        base /= testImgs.size();
        List<float[]> grid = new ArrayList<>(testImgs.subList(0, 10));
        grid.addAll(recs.subList(0, 10));
        ImageFiles.writePng(Plots.grid(grid, side, 2, 10, Math.max(1, 64 / side), List.of("input", "reconstruction")), out.resolve("reconstructions.png"));

        // 3. codes (image + flip) for the AR model
        log.println("[2/4] extracting codes of " + train.size() + " images and their flips");
        CodeExtraction.Codes codes = CodeExtraction.extract(tok, train, 64, true, null);
        CodeShards.write(out.resolve("codes"), 0, codes.codes(), codes.labels());
        double usage = usage(codes.codes(), cfg.codebookSize());

        // 4. AR model
        GPTConfig gc = new GPTConfig("demo", 64, 2, 4, 176, cfg.codebookSize(), train.numClasses(), cfg.anchorGrid(),
                10000, 1e-5, 0.1, 0.1, 0.1, 0.1, 0.02);
        log.printf(Locale.ROOT, "[3/4] training the AR model (%,d parameters): %d steps of %d sequences%n", gc.parameterCount(), p.arSteps(), p.arBatch());
        CodeShards.Data data = CodeShards.read(out.resolve("codes"));
        ArTraining.CodeDecoder dec = new ArTraining.CodeDecoder() {
            @Override public List<float[]> decode(int[][] c) { return Demo.decode(tok, c, side); }

            @Override public int side() { return side; }
        };
        ArTraining.Options ao = new ArTraining.Options(out.resolve("ar"), gc, p.arBatch(), p.arSteps(), p.arLr(), 0.05, 0.99, 1.0,
                p.arSteps(), p.imageEvery(), 1, o.progress(), o.seed(), p.cfgScale(), 4);
        ArTraining.Result ar = ArTraining.train(new CodeStream(data, p.arBatch(), o.seed()), ao, dec, train.classNames(), false);

        // 5. judge the samples with a classifier trained on the real images
        log.println("[4/4] training the judge classifier and sampling " + p.samplesPerClass() + " images per class");
        TinyClassifier judge = TinyClassifier.train(train, side, p.clsSteps(), 32, o.seed() + 11);
        int[] testLabels = new int[test.size()];
        for (int i = 0; i < testLabels.length; i++) testLabels[i] = test.label(i);
        double realAcc = judge.accuracy(testImgs, testLabels, side);
        int[][] sampled = ArTraining.sample(ar.model(), train.numClasses(), p.samplesPerClass(), p.cfgScale(), o.seed() + 5);
        List<float[]> samples = decode(tok, sampled, side);
        int[] want = new int[samples.size()];
        for (int i = 0; i < want.length; i++) want[i] = i / p.samplesPerClass();
        double acc = judge.accuracy(samples, want, side);
        // a small FID in the judge's feature space: samples against the held-out real images; as a floor, as many
        // real training images against the same held-out ones
        double judgeFid = judgeFid(judge, samples, testImgs, side);
        double judgeFidReal = judgeFid(judge, first(train, samples.size(), side), testImgs, side);
        List<String> names = train.classNames();
        ImageFiles.writePng(Plots.grid(samples, side, train.numClasses(), p.samplesPerClass(), Math.max(1, 64 / side), names), out.resolve("samples.png"));
        AtomicFiles.writeBytes(out.resolve("tokenizer-loss.png"), Files.readAllBytes(out.resolve("tokenizer/loss.png")));
        AtomicFiles.writeBytes(out.resolve("ar-loss.png"), Files.readAllBytes(out.resolve("ar/loss.png")));

        double[] tl = firstLast(out.resolve("tokenizer/metrics.jsonl")), al = firstLast(out.resolve("ar/metrics.jsonl"));
        Result r = new Result(psnr, base, usage, acc, realAcc, judgeFid, judgeFidReal, tl[0], tl[1], al[0], al[1], (System.nanoTime() - t0) / 1e9);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("reconstruction_psnr_db", r.psnr());
        summary.put("mean_image_baseline_psnr_db", r.baselinePsnr());
        summary.put("codebook_usage", r.codebookUsage());
        summary.put("sample_class_accuracy", r.sampleAccuracy());
        summary.put("judge_accuracy_on_real_test_images", r.realAccuracy());
        summary.put("judge_fid_samples_vs_real_test", r.judgeFid());
        summary.put("judge_fid_real_train_vs_real_test", r.judgeFidReal());
        summary.put("tokenizer_loss_first_last", List.of(r.tokLossFirst(), r.tokLossLast()));
        summary.put("ar_loss_first_last", List.of(r.arLossFirst(), r.arLossLast()));
        summary.put("seconds", r.seconds());
        AtomicFiles.writeString(out.resolve("summary.json"), JsonOut.write(summary));
        log.printf(Locale.ROOT, "reconstruction PSNR %.2f dB (mean-image baseline %.2f dB), codebook usage %.1f%%%n", psnr, base, 100 * usage);
        log.printf(Locale.ROOT, "class accuracy of %d samples: %.1f%% (chance 10%%; the judge scores %.1f%% on real test images)%n",
                samples.size(), 100 * acc, 100 * realAcc);
        log.printf(Locale.ROOT, "judge FID (the judge's %d pooled features, not Inception) of the samples against %d real test images: %.3f"
                + " (real training images against them: %.3f)%n", TinyClassifier.FEATURES, testImgs.size(), judgeFid, judgeFidReal);
        log.printf(Locale.ROOT, "tokenizer loss %.4f -> %.4f, AR loss %.4f -> %.4f; %.0f s; pictures in %s%n",
                tl[0], tl[1], al[0], al[1], r.seconds(), out.toAbsolutePath());
        return r;
    }

    /**
     * FID between the judge's pooled features of two image sets (the Frechet distance of their Gaussians, computed by
     * the evaluation module's {@link FrechetDistance}).
     */
    static double judgeFid(TinyClassifier judge, List<float[]> a, List<float[]> b, int side) {
        ActivationStatistics sa = ActivationStatistics.of(judge.features(a, side), a.size(), TinyClassifier.FEATURES);
        ActivationStatistics sb = ActivationStatistics.of(judge.features(b, side), b.size(), TinyClassifier.FEATURES);
        return FrechetDistance.compute(sa, sb);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    /** Mean loss of the first and the last tenth of a run's metrics.jsonl. */
    static double[] firstLast(Path metrics) throws IOException {
        List<double[]> s = Plots.readMetrics(metrics).get("loss");
        if (s == null || s.isEmpty()) return new double[] {Double.NaN, Double.NaN};
        int k = Math.max(1, s.size() / 10);
        double a = 0, b = 0;
        for (int i = 0; i < k; i++) {
            a += s.get(i)[1];
            b += s.get(s.size() - 1 - i)[1];
        }
        return new double[] {a / k, b / k};
    }

    static double usage(int[][][] codes, int size) {
        java.util.BitSet seen = new java.util.BitSet(size);
        for (int[][] s : codes) for (int[] a : s) for (int c : a) seen.set(c);
        return seen.cardinality() / (double) size;
    }

    static List<float[]> load(ProceduralShapes d, int side) {
        List<float[]> l = new ArrayList<>();
        for (int i = 0; i < d.size(); i++) l.add(d.load(i, side, null));
        return l;
    }

    /** The first n images (the classes take turns, so any n is balanced). */
    static List<float[]> first(ProceduralShapes d, int n, int side) {
        List<float[]> l = new ArrayList<>();
        for (int i = 0; i < Math.min(n, d.size()); i++) l.add(d.load(i, side, null));
        return l;
    }

    static float[] meanImage(ProceduralShapes d, int side) {
        float[] m = new float[3 * side * side];
        for (int i = 0; i < d.size(); i++) {
            float[] x = d.load(i, side, null);
            for (int k = 0; k < m.length; k++) m[k] += x[k] / d.size();
        }
        return m;
    }

    static int[][] encode(VFMTokenizer tok, List<float[]> imgs, int side) {
        int len = 3 * side * side, t = tok.config().tokens();
        int[][] out = new int[imgs.size()][];
        for (int s = 0; s < imgs.size(); s += 64) {
            int n = Math.min(64, imgs.size() - s);
            float[] px = new float[n * len];
            for (int i = 0; i < n; i++) System.arraycopy(imgs.get(s + i), 0, px, i * len, len);
            try (Scope sc = Scope.open("encode")) {
                long[] c = tok.encode(Tensor.of(px, n, 3, side, side)).toLongArray();
                for (int i = 0; i < n; i++) {
                    out[s + i] = new int[t];
                    for (int k = 0; k < t; k++) out[s + i][k] = (int) c[i * t + k];
                }
            }
        }
        return out;
    }

    static List<float[]> decode(VFMTokenizer tok, int[][] codes, int side) {
        List<float[]> out = new ArrayList<>();
        int t = tok.config().tokens(), len = 3 * side * side;
        for (int s = 0; s < codes.length; s += 64) {
            int n = Math.min(64, codes.length - s);
            long[] c = new long[n * t];
            for (int i = 0; i < n; i++) for (int k = 0; k < t; k++) c[i * t + k] = codes[s + i][k];
            try (Scope sc = Scope.open("decode"); Grad.Mode ng = Grad.noGrad()) {
                float[] px = tok.decode(Tensor.ofLongs(c, n, t)).toFloatArray();
                for (int i = 0; i < n; i++) out.add(java.util.Arrays.copyOfRange(px, i * len, (i + 1) * len));
            }
        }
        return out;
    }

    static int[] u8(float[] img) {
        // planar [-1, 1] → interleaved HWC 0..255 as decode_codes_to_img
        int plane = img.length / 3;
        int[] o = new int[img.length];
        for (int p = 0; p < plane; p++) for (int c = 0; c < 3; c++) o[3 * p + c] = Plots.toU8(img[c * plane + p]);
        return o;
    }

    static void writeDatasetGrid(ProceduralShapes d, int side, Path png) throws IOException {
        int classes = d.numClasses(), per = 8;
        List<float[]> cells = new ArrayList<>();
        for (int c = 0; c < classes; c++) for (int k = 0; k < per; k++) cells.add(d.load(c + k * classes, side, null));
        ImageFiles.writePng(Plots.grid(cells, side, classes, per, Math.max(1, 64 / side), d.classNames()), png);
    }

}
