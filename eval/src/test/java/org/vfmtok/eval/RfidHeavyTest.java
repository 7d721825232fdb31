package org.vfmtok.eval;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.vfmtok.eval.gen.FrechetDistance;
import org.vfmtok.eval.inception.FidInceptionV3;
import org.vfmtok.eval.inception.ImageBatch;
import org.vfmtok.eval.inception.ResizeMode;
import org.vfmtok.eval.recon.InceptionStatistics;
import org.vfmtok.eval.recon.RgbImage;

/**
 * rFID as eval-recon and eval-tok compute it (opt-in, {@code heavy}: full-size Inception forward passes on the CPU):
 * {@link InceptionStatistics} batches images into the network exactly as one forward pass of the whole set does,
 * a set against itself has FID 0, and against another set a positive one.
 */
@Tag("heavy")
class RfidHeavyTest {
    private static RgbImage image(ImageBatch b, int i) {
        byte[] px = java.util.Arrays.copyOfRange(b.pixels(), i * b.imageBytes(), (i + 1) * b.imageBytes());
        return new RgbImage(b.height(), b.width(), px);
    }

    @Test
    void batchedStatisticsAndFid() {
        FidInceptionV3 net = Synthetic.network();
        try (net) {
            ImageBatch a = Synthetic.images(0, 0, 5, 48), b = Synthetic.images(1, 0, 5, 48);
            InceptionStatistics sa = new InceptionStatistics(net, ResizeMode.TF1, 2), sa2 = new InceptionStatistics(net, ResizeMode.TF1, 5);
            InceptionStatistics sb = new InceptionStatistics(net, ResizeMode.TF1, 3);
            for (int i = 0; i < 5; i++) {
                sa.add(image(a, i));
                sa2.add(image(a, i));
                sb.add(image(b, i));
            }
            org.vfmtok.eval.gen.ActivationStatistics stA = sa.statistics(), stA2 = sa2.statistics();
            for (int j = 0; j < stA.mu().length; j++) assertEquals(stA2.mu()[j], stA.mu()[j], 1e-4 * (1 + Math.abs(stA2.mu()[j])), "batching changes nothing");
            // 5 images in 2048 dimensions: the covariances are singular and the square root's trace carries rounding
            // noise (about 2e-3 measured), so "zero" is judged against the distance to another set
            double same = FrechetDistance.compute(stA, stA2), other = FrechetDistance.compute(stA, sb.statistics());
            assertTrue(Math.abs(same) < 1e-3 * other, "same set " + same + ", other set " + other);
            assertThrows(IllegalArgumentException.class, () -> sb.add(new RgbImage(10, 10, new byte[300])), "one size per set");
        }
    }
}
