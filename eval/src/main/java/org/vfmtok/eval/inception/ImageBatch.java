package org.vfmtok.eval.inception;

/**
 * A batch of RGB images as the ADM evaluator reads them from an npz: uint8, NHWC, any height and width.
 *
 * @param pixels n·h·w·3 bytes, row-major NHWC, values 0..255 (Java bytes: read with {@code & 0xFF})
 * @param n      number of images
 * @param height image height
 * @param width  image width
 */
public record ImageBatch(byte[] pixels, int n, int height, int width) {
    public static final int CHANNELS = 3;

    public ImageBatch {
        if (n < 0 || height < 1 || width < 1) {
            throw new IllegalArgumentException("image batch: " + n + " images of " + height + "x" + width + " is not a valid size");
        }
        if ((long) n * height * width * CHANNELS != pixels.length) {
            throw new IllegalArgumentException("image batch: " + pixels.length + " bytes for " + n + " images of "
                    + height + "x" + width + "x" + CHANNELS + " (expected " + ((long) n * height * width * CHANNELS) + ")");
        }
    }

    /** Bytes of one image. */
    public int imageBytes() {
        return height * width * CHANNELS;
    }

    /** Images [from, to) as a batch of their own (a copy). */
    public ImageBatch slice(int from, int to) {
        if (from < 0 || to > n || from > to) throw new IndexOutOfBoundsException("images [" + from + ", " + to + ") of " + n);
        byte[] part = java.util.Arrays.copyOfRange(pixels, from * imageBytes(), to * imageBytes());
        return new ImageBatch(part, to - from, height, width);
    }
}
