package org.vfmtok.eval.recon;

import java.util.Arrays;
import org.vfmtok.eval.gen.ActivationStatistics;
import org.vfmtok.eval.inception.FidInceptionV3;
import org.vfmtok.eval.inception.ImageBatch;
import org.vfmtok.eval.inception.InceptionFeatures;
import org.vfmtok.eval.inception.ResizeMode;

/**
 * Pool3 activations of the FID Inception-v3 gathered image by image (forward passes of {@code batch} images of one
 * size), for the statistics an rFID compares. The network stays the caller's.
 */
public final class InceptionStatistics {
    private final FidInceptionV3 net;
    private final ResizeMode mode;
    private final int batch;
    private float[] acts = new float[0];
    private int count;
    private byte[] pending = new byte[0];
    private int pendingN, height, width;

    public InceptionStatistics(FidInceptionV3 net, ResizeMode mode, int batch) {
        if (batch < 1) throw new IllegalArgumentException("Inception batch must be >= 1, got " + batch);
        this.net = net;
        this.mode = mode;
        this.batch = batch;
    }

    /** Adds one image; all images of one set must have one size. */
    public void add(RgbImage img) {
        if (pendingN + count == 0) {
            height = img.height();
            width = img.width();
        } else if (img.height() != height || img.width() != width) {
            throw new IllegalArgumentException("Inception statistics: an image of " + img.width() + "x" + img.height() + " in a set of " + width + "x" + height);
        }
        int bytes = img.pixels().length;
        if (pending.length < (pendingN + 1) * bytes) pending = Arrays.copyOf(pending, batch * bytes);
        System.arraycopy(img.pixels(), 0, pending, pendingN * bytes, bytes);
        if (++pendingN == batch) flush();
    }

    private void flush() {
        if (pendingN == 0) return;
        int bytes = height * width * 3;
        InceptionFeatures f = net.features(new ImageBatch(Arrays.copyOf(pending, pendingN * bytes), pendingN, height, width), mode);
        int d = InceptionFeatures.POOL_DIM;
        if (acts.length < (count + pendingN) * d) acts = Arrays.copyOf(acts, Math.max((count + pendingN) * d, acts.length * 2));
        System.arraycopy(f.pool3(), 0, acts, count * d, pendingN * d);
        count += pendingN;
        pendingN = 0;
    }

    public int count() { return count + pendingN; }

    /** Mean and covariance of the pool3 activations (at least two images). */
    public ActivationStatistics statistics() {
        flush();
        return ActivationStatistics.of(Arrays.copyOf(acts, count * InceptionFeatures.POOL_DIM), count, InceptionFeatures.POOL_DIM);
    }
}
