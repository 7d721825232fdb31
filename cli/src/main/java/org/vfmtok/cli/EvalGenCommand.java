package org.vfmtok.cli;

import java.nio.file.Path;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import org.vfmtok.eval.gen.GenerationEvaluator;
import org.vfmtok.eval.gen.GenerationMetrics;
import org.vfmtok.eval.gen.InceptionScore;
import org.vfmtok.eval.gen.PrecisionRecall;
import org.vfmtok.eval.inception.FidInceptionV3;
import org.vfmtok.eval.inception.ResizeMode;
import org.vfmtok.tensor.io.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./vfm eval-gen}: FID, sFID, Inception Score, precision and recall of a sample batch, as the ADM evaluator computes them. */
@Command(name = "eval-gen", mixinStandardHelpOptions = true,
        description = {"FID, sFID, Inception Score, precision and recall of SAMPLES.npz against REF.npz, as the ADM evaluator "
                + "(guided-diffusion evaluations/evaluator.py) computes them, on pytorch-fid's Inception-v3.",
                "Both npz hold arr_0 (uint8 NHWC images, any size); REF.npz may also hold ADM's precomputed mu, sigma, mu_s, sigma_s "
                + "(used for FID/sFID as ADM does). Activations and statistics are cached next to each npz (NAME.npz.fid-KEY-MODE.npz)."})
final class EvalGenCommand implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--inception", required = true, paramLabel = "W",
            description = "pytorch-fid's weights pt_inception-2015-12-05-6726825d.pth (or a file of the same keys and shapes).")
    Path inception;

    @Option(names = "--resize", defaultValue = "tf1", paramLabel = "MODE",
            description = "tf1: TensorFlow 1.x bilinear (no half-pixel centres) on 0..255, then (x-128)/128, as ADM; "
                    + "torch: pytorch-fid's F.interpolate(bilinear, align_corners=False) on [0,1], then 2x-1 (default: ${DEFAULT-VALUE}).")
    String resize;

    @Option(names = "--json", paramLabel = "OUT", description = "Also write the metrics as JSON here (atomically).")
    Path json;

    @Option(names = "--batch", defaultValue = "32", paramLabel = "N", description = "Images per Inception forward pass (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--is-split-size", defaultValue = "" + InceptionScore.ADM_SPLIT_SIZE, paramLabel = "N",
            description = "Samples per Inception Score split; ADM's 5000 makes 10 splits of 50,000 samples (default: ${DEFAULT-VALUE}).")
    int isSplitSize;

    @Option(names = "--distance-block", defaultValue = "" + PrecisionRecall.ADM_BATCH, paramLabel = "N",
            description = "Rows and columns per block of pairwise distances for precision/recall; memory only, not the result (default: ${DEFAULT-VALUE}).")
    int distanceBlock;

    @Parameters(index = "0", paramLabel = "REF.npz", description = "Reference batch (e.g. ADM's VIRTUAL_imagenet256_labeled.npz).")
    Path reference;

    @Parameters(index = "1", paramLabel = "SAMPLES.npz", description = "Sample batch (arr_0: uint8 NHWC).")
    Path samples;

    @Override
    public Integer call() throws Exception {
        ResizeMode mode = ResizeMode.parse("--resize", resize);
        if (batch < 1) throw new IllegalArgumentException("--batch must be positive, got " + batch);
        if (isSplitSize < 1) throw new IllegalArgumentException("--is-split-size must be positive, got " + isSplitSize);
        if (distanceBlock < 1) throw new IllegalArgumentException("--distance-block must be positive, got " + distanceBlock);
        if (json != null) AtomicFiles.checkReplaceable(json);
        GenerationEvaluator.Options options = new GenerationEvaluator.Options(mode, batch, isSplitSize, distanceBlock);
        GenerationEvaluator.checkInputs(reference, samples, isSplitSize); // before the weights load
        String key = GenerationEvaluator.weightsKey(inception);
        GenerationMetrics m;
        try (FidInceptionV3 net = FidInceptionV3.load(inception); BarListener bars = new BarListener()) {
            m = new GenerationEvaluator(net, key, options, bars).evaluate(reference, samples);
        }
        System.out.printf(Locale.ROOT, "Inception Score: %.4f%nFID: %.4f%nsFID: %.4f%nPrecision: %.4f%nRecall: %.4f%n",
                m.inceptionScore(), m.fid(), m.sfid(), m.precision(), m.recall());
        if (json != null) {
            AtomicFiles.writeString(json, m.toJson() + "\n");
            System.err.println("wrote " + json);
        }
        return 0;
    }

    /** One progress bar per phase of images, on stderr. */
    private static final class BarListener implements GenerationEvaluator.Listener, AutoCloseable {
        private ProgressBar bar;

        @Override
        public void phase(String name, int total) {
            close();
            if (total > 0) bar = Progress.bar(name, total, "img");
            else System.err.println(name + "...");
        }

        @Override
        public void advance(int images) {
            if (bar != null) bar.stepBy(images);
        }

        @Override
        public void warn(String message) {
            System.err.println("warning: " + message);
        }

        @Override
        public void close() {
            if (bar != null) bar.close();
            bar = null;
        }
    }
}
