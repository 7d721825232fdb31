package org.vfmtok.eval.inception;

/**
 * How images of any size become the 299x299 input of the FID Inception network.
 *
 * <ul>
 *   <li>{@link #TF1}: the ADM evaluator's path. TensorFlow 1.x {@code tf.image.resize_bilinear} with
 *       {@code align_corners=False} and no half-pixel centres (source = destination * in / out) on the uint8
 *       values as floats, then {@code (x - 128) / 128}.</li>
 *   <li>{@link #TORCH}: pytorch-fid's path. Values scaled to [0, 1], {@code F.interpolate(mode='bilinear',
 *       align_corners=False)} to 299 (half-pixel centres), then {@code 2x - 1}.</li>
 * </ul>
 */
public enum ResizeMode {
    TF1,
    TORCH;

    /** The lower-case name used on the command line and in statistics cache keys. */
    public String cliName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The mode named {@code tf1} or {@code torch} (any case); anything else fails naming the option and the value. */
    public static ResizeMode parse(String option, String value) {
        for (ResizeMode m : values()) {
            if (m.cliName().equalsIgnoreCase(value)) return m;
        }
        throw new IllegalArgumentException(option + " must be tf1 or torch, got '" + value + "'");
    }
}
