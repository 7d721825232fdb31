package org.vfmtok.vfmtok.image;

/**
 * Image quality measures on 8-bit RGB, as scikit-image computes them: PSNR with data range 255, and SSIM
 * with a 7×7 uniform window, K1 0.01, K2 0.03, sample covariance, averaged over channels.
 */
public final class Metrics {
    private Metrics() {}

    /** a, b: (H, W, 3) pixels 0..255 in row-major order. */
    public static double psnr(int[] a, int[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("images differ in size");
        double se = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            se += d * d;
        }
        double mse = se / a.length;
        return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / mse);
    }

    public static double ssim(int[] a, int[] b, int h, int w) {
        double sum = 0;
        for (int c = 0; c < 3; c++) sum += ssimChannel(a, b, h, w, c);
        return sum / 3;
    }

    private static double ssimChannel(int[] a, int[] b, int h, int w, int c) {
        final int win = 7, r = win / 2;
        final double l = 255, c1 = Math.pow(0.01 * l, 2), c2 = Math.pow(0.03 * l, 2);
        final double np = win * win, cov = np / (np - 1);
        double total = 0;
        int count = 0;
        // skimage crops the border of half a window before averaging
        for (int y = r; y < h - r; y++) {
            for (int x = r; x < w - r; x++) {
                double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
                for (int dy = -r; dy <= r; dy++) {
                    for (int dx = -r; dx <= r; dx++) {
                        int i = ((y + dy) * w + (x + dx)) * 3 + c;
                        double va = a[i], vb = b[i];
                        sa += va;
                        sb += vb;
                        saa += va * va;
                        sbb += vb * vb;
                        sab += va * vb;
                    }
                }
                double ua = sa / np, ub = sb / np;
                double vaa = cov * (saa / np - ua * ua), vbb = cov * (sbb / np - ub * ub), vab = cov * (sab / np - ua * ub);
                total += ((2 * ua * ub + c1) * (2 * vab + c2)) / ((ua * ua + ub * ub + c1) * (vaa + vbb + c2));
                count++;
            }
        }
        return count == 0 ? 1.0 : total / count;
    }
}
