package org.vfmtok.eval.gen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.vfmtok.eval.inception.InceptionFeatures;
import org.vfmtok.eval.inception.ResizeMode;

/**
 * The sidecar of an npz: {@code NAME.npz.fid-WEIGHTSKEY-MODE.npz} next to it, holding the pool3 activations
 * (float32, for IS and precision/recall), the FID and sFID statistics (float64, {@code mu, sigma, mu_s,
 * sigma_s} as ADM names them) and the size and modification time of the npz it was made from. A sidecar
 * whose source no longer matches, or that cannot be read, is ignored and rewritten; writes are atomic.
 */
final class StatisticsCache {
    private final Path source;
    private final Path file;

    StatisticsCache(Path npz, String weightsKey, ResizeMode mode) {
        this.source = npz;
        this.file = npz.resolveSibling(npz.getFileName() + ".fid-" + weightsKey + "-" + mode.cliName() + ".npz");
    }

    Path file() { return file; }

    /** The cached activations, or null when there is no valid sidecar. */
    BatchActivations read() {
        if (!Files.isRegularFile(file)) return null;
        try (Npz npz = Npz.open(file)) {
            double[] src = npz.readDoubles("source", 2);
            if (src[0] != Files.size(source) || src[1] != Files.getLastModifiedTime(source).toMillis()) return null;
            int d = InceptionFeatures.POOL_DIM, ds = InceptionFeatures.SPATIAL_DIM;
            int n = npz.header("pool3").shape()[0];
            double[] p = npz.readDoubles("pool3", n, d);
            float[] pool3 = new float[p.length];
            for (int i = 0; i < p.length; i++) pool3[i] = (float) p[i];
            return new BatchActivations(n, pool3,
                    new ActivationStatistics(npz.readDoubles("mu", d), npz.readDoubles("sigma", d, d)),
                    new ActivationStatistics(npz.readDoubles("mu_s", ds), npz.readDoubles("sigma_s", ds, ds)));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    void write(BatchActivations a) throws IOException {
        int d = InceptionFeatures.POOL_DIM, ds = InceptionFeatures.SPATIAL_DIM;
        double[] src = {Files.size(source), Files.getLastModifiedTime(source).toMillis()};
        NpzWriter.write(file, w -> {
            w.add("source", src, 2);
            w.add("pool3", a.pool3(), a.count(), d);
            w.add("mu", a.pool().mu(), d);
            w.add("sigma", a.pool().sigma(), d, d);
            w.add("mu_s", a.spatial().mu(), ds);
            w.add("sigma_s", a.spatial().sigma(), ds, ds);
        });
    }
}
