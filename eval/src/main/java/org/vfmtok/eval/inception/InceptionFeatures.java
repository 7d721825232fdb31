package org.vfmtok.eval.inception;

/**
 * The activations of n images that the generation metrics use, row-major, one row per image.
 *
 * @param n       number of images
 * @param pool3   n x {@value #POOL_DIM}: the final average pool (TF graph {@code pool_3}); FID, IS, precision/recall
 * @param spatial n x {@value #SPATIAL_DIM}: the first 7 channels of Mixed_6d's 1x1 branch (TF {@code mixed_6/conv}),
 *                17x17x7 flattened in NHWC order; sFID
 */
public record InceptionFeatures(int n, float[] pool3, float[] spatial) {
    public static final int POOL_DIM = 2048;
    public static final int SPATIAL_CHANNELS = 7;
    public static final int SPATIAL_DIM = 17 * 17 * SPATIAL_CHANNELS;

    public InceptionFeatures {
        if (pool3.length != (long) n * POOL_DIM || spatial.length != (long) n * SPATIAL_DIM) {
            throw new IllegalArgumentException("inception features: " + pool3.length + " pool3 and " + spatial.length
                    + " spatial values for " + n + " images");
        }
    }

    /** These rows followed by {@code other}'s. */
    public InceptionFeatures concat(InceptionFeatures other) {
        float[] p = java.util.Arrays.copyOf(pool3, pool3.length + other.pool3.length);
        System.arraycopy(other.pool3, 0, p, pool3.length, other.pool3.length);
        float[] s = java.util.Arrays.copyOf(spatial, spatial.length + other.spatial.length);
        System.arraycopy(other.spatial, 0, s, spatial.length, other.spatial.length);
        return new InceptionFeatures(n + other.n, p, s);
    }
}
