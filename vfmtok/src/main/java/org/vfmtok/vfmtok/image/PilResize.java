package org.vfmtok.vfmtok.image;

/**
 * Pillow's {@code Image.resize} for 8-bit RGB, bit for bit (libImaging/Resample.c, the 8-bpc path; Pillow 9.4 on
 * Debian checked by the fixtures of tools/reference/make_pil_fixtures.py), and ADM's short-side resize built on
 * it. Pillow resizes in two separable passes, horizontal then vertical, each skipped when that side keeps its
 * size. Each output sample's filter window is centred at {@code (i + 0.5)·scale} with support
 * {@code filterSupport·max(scale, 1)}; the weights are normalised to sum 1 in double, then turned into 22-bit
 * fixed point, and every pass rounds and clips to 8 bits. A float implementation (antialiased
 * {@code F.interpolate}) differs from it by a level here and there, and by much more where the first pass clips
 * the bicubic kernel's overshoot.
 */
public final class PilResize {
    private PilResize() {}

    /** The two filters ADM's crops use. */
    public enum Filter {
        /** Support 0.5: a box average over the pixels each output sample covers ({@code Image.BOX}). */
        BOX(0.5),
        /** Keys' cubic with a = −0.5, support 2 ({@code Image.BICUBIC}). */
        BICUBIC(2.0);

        final double support;

        Filter(double support) {
            this.support = support;
        }

        double weight(double x) {
            if (this == BOX) return x > -0.5 && x <= 0.5 ? 1.0 : 0.0;
            final double a = -0.5;
            if (x < 0.0) x = -x;
            if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
            if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
            return 0.0;
        }
    }

    /** Resample.c's PRECISION_BITS (32 − 8 − 2): 8 bits of value, two bits of headroom for the kernel's lobes. */
    private static final int PRECISION_BITS = 22;

    /** {@code image.resize((width, height), resample=filter)} of an RGB image. */
    public static Rgb8 resize(Rgb8 in, int width, int height, Filter filter) {
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("resize to " + width + " x " + height + ": sizes must be positive");
        byte[] planes = in.planes();
        int w = in.width(), h = in.height();
        if (width != w) {
            planes = pass(planes, 3 * h, w, width, 1, w, width, filter); // the rows of all three planes
            w = width;
        }
        if (height != h) {
            byte[] out = new byte[3 * height * w];
            for (int c = 0; c < 3; c++) {
                byte[] plane = pass(java.util.Arrays.copyOfRange(planes, c * h * w, (c + 1) * h * w), w, 1, 1, w, h, height, filter); // its columns
                System.arraycopy(plane, 0, out, c * height * w, plane.length);
            }
            planes = out;
            h = height;
        }
        return new Rgb8(w, h, planes == in.planes() ? planes.clone() : planes);
    }

    /**
     * ADM's resize of {@code center_crop_arr} / {@code random_crop_arr}: while the short side is at least
     * {@code 2·shortSide}, halve both sides (floor) with BOX; then BICUBIC to {@code round(side·shortSide/short)}
     * with Python's round (half to even).
     */
    public static Rgb8 admShortSide(Rgb8 img, int shortSide) {
        if (shortSide <= 0) throw new IllegalArgumentException("image size " + shortSide + " must be positive");
        while (Math.min(img.width(), img.height()) >= 2L * shortSide) img = resize(img, img.width() / 2, img.height() / 2, Filter.BOX);
        double scale = (double) shortSide / Math.min(img.width(), img.height());
        int w = (int) Math.rint(img.width() * scale), h = (int) Math.rint(img.height() * scale);
        return w == img.width() && h == img.height() ? img : resize(img, w, h, Filter.BICUBIC);
    }

    /**
     * One pass along an axis over {@code lines} lines: input sample i of line l at {@code l·srcLine + i·step},
     * output sample o at {@code l·dstLine + o·step} (rows: line strides inSize and outSize, step 1; the columns
     * of a plane w wide: line stride 1, step w).
     */
    private static byte[] pass(byte[] src, int lines, int srcLine, int dstLine, int step, int inSize, int outSize, Filter filter) {
        Coefficients k = Coefficients.of(inSize, outSize, filter);
        byte[] dst = new byte[lines * outSize];
        for (int l = 0; l < lines; l++) {
            int in = l * srcLine, out = l * dstLine;
            for (int o = 0; o < outSize; o++) {
                int start = k.first[o], n = k.count[o], off = o * k.width;
                int acc = 1 << (PRECISION_BITS - 1);
                for (int t = 0; t < n; t++) acc += (src[in + (start + t) * step] & 0xFF) * k.fixed[off + t];
                dst[out + o * step] = clip8(acc);
            }
        }
        return dst;
    }

    /** Resample.c's clip8: the accumulator's integer part, clipped to 0..255. */
    private static byte clip8(int acc) {
        int v = acc >> PRECISION_BITS;
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }

    /** precompute_coeffs + normalize_coeffs_8bpc: each output sample's first input index, count and fixed-point weights. */
    private record Coefficients(int[] first, int[] count, int[] fixed, int width) {
        static Coefficients of(int inSize, int outSize, Filter filter) {
            double scale = (double) inSize / outSize; // (in1 − in0) / outSize, the box being the whole image
            double filterScale = Math.max(scale, 1.0);
            double support = filter.support * filterScale;
            int width = (int) Math.ceil(support) * 2 + 1;
            int[] first = new int[outSize], count = new int[outSize], fixed = new int[outSize * width];
            double[] w = new double[width];
            for (int o = 0; o < outSize; o++) {
                double center = (o + 0.5) * scale;
                double ss = 1.0 / filterScale;
                int xmin = Math.max(0, (int) (center - support + 0.5)); // C's (int) truncates toward zero as Java's cast does
                int xmax = Math.min(inSize, (int) (center + support + 0.5)) - xmin;
                double sum = 0.0;
                for (int x = 0; x < xmax; x++) {
                    w[x] = filter.weight((x + xmin - center + 0.5) * ss);
                    sum += w[x];
                }
                for (int x = 0; x < xmax; x++) {
                    double v = sum != 0.0 ? w[x] / sum : w[x];
                    fixed[o * width + x] = v < 0 ? (int) (-0.5 + v * (1 << PRECISION_BITS)) : (int) (0.5 + v * (1 << PRECISION_BITS));
                }
                first[o] = xmin;
                count[o] = Math.max(xmax, 0);
            }
            return new Coefficients(first, count, fixed, width);
        }
    }
}
