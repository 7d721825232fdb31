package org.vfmtok.eval.gen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.vfmtok.eval.inception.FidInceptionV3;
import org.vfmtok.eval.inception.ImageBatch;
import org.vfmtok.eval.inception.InceptionFeatures;
import org.vfmtok.eval.inception.ResizeMode;

/**
 * The ADM evaluator ({@code evaluations/evaluator.py}) on this project's FID Inception: reference and sample
 * batches as npz files ({@code arr_0} uint8 NHWC images, optionally {@code mu, sigma, mu_s, sigma_s}), giving
 * FID, sFID, Inception Score, precision and recall.
 *
 * <p>Activations and statistics of every npz are cached next to it ({@link StatisticsCache}), keyed by the
 * weights and the resize mode, so a second evaluation against the same reference batch skips its images.
 * Not thread-safe (one evaluation at a time per instance).
 */
public final class GenerationEvaluator {
    /** What a long evaluation reports; the CLI shows it as a progress bar. */
    public interface Listener {
        /** A phase of {@code total} images begins (total 0: a step without images). */
        default void phase(String name, int total) {}

        /** {@code images} more images of the current phase are done. */
        default void advance(int images) {}

        /** Something the user should know that does not stop the evaluation (e.g. the cache could not be written). */
        default void warn(String message) {}
    }

    /**
     * @param resize      the input path (ADM: {@link ResizeMode#TF1})
     * @param batch       images per Inception forward pass
     * @param isSplitSize samples per Inception Score split (ADM: 5000)
     * @param prBatch     rows and columns per block of pairwise distances (ADM: 10,000)
     */
    public record Options(ResizeMode resize, int batch, int isSplitSize, int prBatch) {
        public Options {
            if (batch < 1 || isSplitSize < 1 || prBatch < 1) {
                throw new IllegalArgumentException("evaluator options must be positive: batch " + batch + ", split size " + isSplitSize + ", distance block " + prBatch);
            }
        }

        public static Options adm() {
            return new Options(ResizeMode.TF1, 64, InceptionScore.ADM_SPLIT_SIZE, PrecisionRecall.ADM_BATCH);
        }
    }

    private static final List<String> STAT_KEYS = List.of("mu", "sigma", "mu_s", "sigma_s");

    private final FidInceptionV3 inception;
    private final String weightsKey;
    private final Options options;
    private final Listener listener;

    /**
     * @param weightsKey identifies the weights in cache names (e.g. the first hex digits of their SHA-256):
     *                   caches made with other weights are never used
     */
    public GenerationEvaluator(FidInceptionV3 inception, String weightsKey, Options options, Listener listener) {
        this.inception = inception;
        this.weightsKey = weightsKey;
        this.options = options;
        this.listener = listener == null ? new Listener() {} : listener;
    }

    /**
     * Checks both batches before any image is read (headers only): each must hold images or statistics, images
     * must be uint8 (N, H, W, 3), the samples must hold images and at least one Inception Score split of
     * {@code isSplitSize}. Cheap enough to call before loading the network.
     */
    public static void checkInputs(Path reference, Path samples, int isSplitSize) throws IOException {
        int refImages = check(reference);
        int samImages = check(samples);
        if (samImages < 0) throw new IOException(samples + ": no images (arr_0): the Inception Score and precision/recall need the samples themselves");
        if (refImages < 0) throw new IOException(reference + ": no images (arr_0): precision/recall need the reference images (ADM's batches include them)");
        if (samImages < isSplitSize) {
            throw new IOException(samples + ": " + samImages + " samples are fewer than one Inception Score split of " + isSplitSize
                    + " (ADM: 50,000 samples in 10 splits of 5000; set the split size for smaller sets)");
        }
    }

    /** The number of images of a batch (-1 with statistics only); throws on anything ADM could not read. */
    private static int check(Path npz) throws IOException {
        try (Npz file = Npz.open(npz)) {
            if (!file.has("arr_0") && !file.has("mu")) {
                throw new IOException(npz + ": neither images (arr_0, uint8 NHWC) nor statistics (mu, sigma, mu_s, sigma_s); arrays: " + file.names());
            }
            if (file.has("mu")) {
                for (String k : STAT_KEYS) if (!file.has(k)) throw new IOException(npz + ": has 'mu' but no '" + k + "' (ADM's statistics are mu, sigma, mu_s, sigma_s)");
            }
            if (!file.has("arr_0")) return -1;
            try (Npz.ImageStream in = file.images("arr_0")) {
                if (in.count() < 2) throw new IOException(npz + ": " + in.count() + " image(s); statistics need at least 2");
                return in.count();
            }
        }
    }

    /** All five metrics of {@code samples} against {@code reference}. */
    public GenerationMetrics evaluate(Path reference, Path samples) throws IOException {
        BatchActivations ref = activations(reference, "reference");
        BatchActivations sam = activations(samples, "samples");
        if (sam.pool3() == null) throw new IOException(samples + ": no images (arr_0): the Inception Score and precision/recall need the samples themselves");
        if (ref.pool3() == null) throw new IOException(reference + ": no images (arr_0): precision/recall need the reference images (ADM's batches include them)");
        listener.phase("statistics", 0);
        double fid = FrechetDistance.compute(sam.pool(), ref.pool());
        double sfid = FrechetDistance.compute(sam.spatial(), ref.spatial());
        double[] probs = InceptionScore.probabilities(sam.pool3(), sam.count(), inception.fcWeight(), FidInceptionV3.NUM_CLASSES);
        double is = InceptionScore.score(probs, sam.count(), FidInceptionV3.NUM_CLASSES, options.isSplitSize());
        PrecisionRecall.Result pr = new PrecisionRecall(options.prBatch(), options.prBatch())
                .compute(ref.pool3(), ref.count(), sam.pool3(), sam.count(), InceptionFeatures.POOL_DIM);
        return new GenerationMetrics(fid, sfid, is, pr.precision(), pr.recall());
    }

    /** The activations and statistics of one npz (from its cache when valid), as ADM reads a batch. */
    public BatchActivations activations(Path npz, String role) throws IOException {
        try (Npz file = Npz.open(npz)) {
            boolean images = file.has("arr_0");
            boolean stats = file.has("mu");
            if (!images && !stats) {
                throw new IOException(npz + ": neither images (arr_0, uint8 NHWC) nor statistics (mu, sigma, mu_s, sigma_s); arrays: " + file.names());
            }
            ActivationStatistics pool = null, spatial = null;
            if (stats) {
                for (String k : STAT_KEYS) if (!file.has(k)) throw new IOException(npz + ": has 'mu' but no '" + k + "' (ADM's statistics are mu, sigma, mu_s, sigma_s)");
                int d = InceptionFeatures.POOL_DIM, ds = InceptionFeatures.SPATIAL_DIM;
                pool = new ActivationStatistics(file.readDoubles("mu", d), file.readDoubles("sigma", d, d));
                spatial = new ActivationStatistics(file.readDoubles("mu_s", ds), file.readDoubles("sigma_s", ds, ds));
            }
            if (!images) return new BatchActivations(0, null, pool, spatial);
            StatisticsCache cache = new StatisticsCache(npz, weightsKey, options.resize());
            BatchActivations cached = cache.read();
            if (cached == null) {
                InceptionFeatures f = features(file, role);
                if (f.n() < 2) throw new IOException(npz + ": " + f.n() + " image(s); statistics need at least 2");
                cached = new BatchActivations(f.n(), f.pool3(),
                        ActivationStatistics.of(f.pool3(), f.n(), InceptionFeatures.POOL_DIM),
                        ActivationStatistics.of(f.spatial(), f.n(), InceptionFeatures.SPATIAL_DIM));
                try {
                    cache.write(cached);
                } catch (IOException e) {
                    listener.warn("could not cache the statistics of " + npz + ": " + e.getMessage());
                }
            }
            return new BatchActivations(cached.count(), cached.pool3(), stats ? pool : cached.pool(), stats ? spatial : cached.spatial());
        }
    }

    private InceptionFeatures features(Npz file, String role) throws IOException {
        try (Npz.ImageStream in = file.images("arr_0")) {
            int n = in.count();
            float[] pool3 = new float[Math.multiplyExact(n, InceptionFeatures.POOL_DIM)];
            float[] spatial = new float[Math.multiplyExact(n, InceptionFeatures.SPATIAL_DIM)];
            listener.phase(role + " features", n);
            int done = 0;
            while (in.remaining() > 0) {
                ImageBatch batch = in.next(options.batch());
                InceptionFeatures f = inception.features(batch, options.resize());
                System.arraycopy(f.pool3(), 0, pool3, done * InceptionFeatures.POOL_DIM, f.pool3().length);
                System.arraycopy(f.spatial(), 0, spatial, done * InceptionFeatures.SPATIAL_DIM, f.spatial().length);
                done += batch.n();
                listener.advance(batch.n());
            }
            return new InceptionFeatures(n, pool3, spatial);
        }
    }

    /** The first 16 hex digits of a file's SHA-256: the weights key of cache names. */
    public static String weightsKey(Path weights) throws IOException {
        try (var in = new java.security.DigestInputStream(Files.newInputStream(weights), java.security.MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return java.util.HexFormat.of().formatHex(in.getMessageDigest().digest()).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
