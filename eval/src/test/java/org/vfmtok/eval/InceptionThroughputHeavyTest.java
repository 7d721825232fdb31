package org.vfmtok.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.vfmtok.eval.gen.ActivationStatistics;
import org.vfmtok.eval.gen.FrechetDistance;
import org.vfmtok.eval.inception.FidInceptionV3;
import org.vfmtok.eval.inception.ImageBatch;
import org.vfmtok.eval.inception.InceptionFeatures;
import org.vfmtok.eval.inception.ResizeMode;

/**
 * A one-off throughput measurement (opt-in, {@code heavy}; prints, asserts nothing about speed): Inception
 * features of one batch of 32 images after a short warm-up, extrapolated to 10,000 images, and the time of
 * one 2048-d FID (two EJML eigen decompositions).
 * Run: {@code mvn -o -pl eval -am test -Dvfm.excludedGroups=gpu -Dtest=InceptionThroughputHeavyTest -Dsurefire.failIfNoSpecifiedTests=false}
 */
@Tag("heavy")
class InceptionThroughputHeavyTest {
    @Test
    void measure() {
        FidInceptionV3 net = Synthetic.network();
        try (net) {
            int batch = Integer.getInteger("eval.batch", 32);
            net.features(Synthetic.images(0, 0, 2, 64), ResizeMode.TF1);
            ImageBatch images = Synthetic.images(0, 0, batch, 256);
            long t0 = System.nanoTime();
            InceptionFeatures f = net.features(images, ResizeMode.TF1);
            double s = (System.nanoTime() - t0) / 1e9;
            assertEquals(batch, f.n());
            System.out.printf("inception features: %d images (256x256 -> 299) in %.1f s = %.2f images/s; 10k images ~ %.1f min (%d threads)%n",
                    batch, s, batch / s, 10_000 / (batch / s) / 60, Runtime.getRuntime().availableProcessors());
            ActivationStatistics st = ActivationStatistics.of(f.pool3(), f.n(), InceptionFeatures.POOL_DIM);
            long t1 = System.nanoTime();
            double fid = FrechetDistance.compute(st, st);
            System.out.printf("FID of 2048-d statistics: %.2f s (value %.3g)%n", (System.nanoTime() - t1) / 1e9, fid);
        }
    }
}
