package org.vfmtok.eval.recon;

/**
 * PSNR and SSIM of one reconstruction against its reference, as LlamaGen's reconstruction evaluation
 * ({@code tokenizer/tokenizer_image/reconstruction_vq_ddp.py}) computes them with scikit-image:
 * <pre>
 *   rgb_restored = recon / 255;  rgb_gt = ref / 255                       (both in [0, 1])
 *   psnr = peak_signal_noise_ratio(rgb_restored, rgb_gt)                  data_range inferred from a [0, 1] float: 1
 *   ssim = structural_similarity(rgb_restored, rgb_gt, multichannel=True, data_range=2.0, channel_axis=-1)
 * </pre>
 * SSIM is skimage's default: a 7×7 uniform window, sample covariance (49/48), K1 = 0.01, K2 = 0.03, the filter's
 * borders reflected ({@code scipy.ndimage} "reflect": the edge pixel repeats), the 3-pixel border of the SSIM map
 * dropped before its mean, then the mean over the three channels. The data range of 2 is LlamaGen's choice (it
 * thinks of the images in [-1, 1]); it makes C1 and C2 four times the usual and SSIM slightly higher than with 1.
 * Images are uint8 RGB, row-major HWC; sums in double (skimage works in float32: the two agree to about 1e-6).
 */
public final class ImageQuality {
    /** LlamaGen's SSIM data range. */
    public static final double SSIM_DATA_RANGE = 2.0;
    private static final int WIN = 7;

    private ImageQuality() {}

    /** PSNR in dB, peak 1 on the [0, 1] scale; +Infinity for identical images (as skimage, which divides by zero). */
    public static double psnr(byte[] ref, byte[] recon, int height, int width) {
        check(ref, recon, height, width);
        double sum = 0;
        for (int i = 0; i < ref.length; i++) {
            double d = ((ref[i] & 0xFF) - (recon[i] & 0xFF)) / 255.0;
            sum += d * d;
        }
        double mse = sum / ref.length;
        return 10.0 * Math.log10(1.0 / mse);
    }

    /** Mean SSIM over the channels, data range {@link #SSIM_DATA_RANGE}; both sides at least 7 pixels. */
    public static double ssim(byte[] ref, byte[] recon, int height, int width) {
        check(ref, recon, height, width);
        if (height < WIN || width < WIN) {
            throw new IllegalArgumentException("SSIM needs images of at least " + WIN + "x" + WIN + " pixels (skimage's window), got " + height + "x" + width);
        }
        double total = 0;
        for (int c = 0; c < 3; c++) total += ssimChannel(ref, recon, height, width, c);
        return total / 3;
    }

    private static double ssimChannel(byte[] ref, byte[] recon, int h, int w, int c) {
        int n = h * w;
        double[] x = new double[n], y = new double[n], xx = new double[n], yy = new double[n], xy = new double[n];
        for (int i = 0; i < n; i++) {
            double a = (recon[i * 3 + c] & 0xFF) / 255.0, b = (ref[i * 3 + c] & 0xFF) / 255.0;
            x[i] = a;
            y[i] = b;
            xx[i] = a * a;
            yy[i] = b * b;
            xy[i] = a * b;
        }
        double[] ux = uniform(x, h, w), uy = uniform(y, h, w), uxx = uniform(xx, h, w), uyy = uniform(yy, h, w), uxy = uniform(xy, h, w);
        double np = WIN * WIN, covNorm = np / (np - 1);
        double c1 = Math.pow(0.01 * SSIM_DATA_RANGE, 2), c2 = Math.pow(0.03 * SSIM_DATA_RANGE, 2);
        int pad = (WIN - 1) / 2;
        double sum = 0;
        for (int r = pad; r < h - pad; r++) {
            for (int col = pad; col < w - pad; col++) {
                int i = r * w + col;
                double vx = covNorm * (uxx[i] - ux[i] * ux[i]);
                double vy = covNorm * (uyy[i] - uy[i] * uy[i]);
                double vxy = covNorm * (uxy[i] - ux[i] * uy[i]);
                double a1 = 2 * ux[i] * uy[i] + c1, a2 = 2 * vxy + c2;
                double b1 = ux[i] * ux[i] + uy[i] * uy[i] + c1, b2 = vx + vy + c2;
                sum += a1 * a2 / (b1 * b2);
            }
        }
        return sum / ((double) (h - 2 * pad) * (w - 2 * pad));
    }

    /** scipy.ndimage.uniform_filter(size=7, mode='reflect'): the 7-tap box mean along rows, then along columns. */
    private static double[] uniform(double[] v, int h, int w) {
        int r = WIN / 2;
        double[] tmp = new double[v.length], out = new double[v.length];
        for (int row = 0; row < h; row++) {
            for (int col = 0; col < w; col++) {
                double s = 0;
                for (int k = -r; k <= r; k++) s += v[row * w + reflect(col + k, w)];
                tmp[row * w + col] = s / WIN;
            }
        }
        for (int row = 0; row < h; row++) {
            for (int col = 0; col < w; col++) {
                double s = 0;
                for (int k = -r; k <= r; k++) s += tmp[reflect(row + k, h) * w + col];
                out[row * w + col] = s / WIN;
            }
        }
        return out;
    }

    /** scipy's "reflect" (d c b a | a b c d | d c b a), repeated for windows wider than the image. */
    private static int reflect(int i, int n) {
        int period = 2 * n;
        int m = Math.floorMod(i, period);
        return m < n ? m : period - 1 - m;
    }

    private static void check(byte[] ref, byte[] recon, int h, int w) {
        if (h < 1 || w < 1) throw new IllegalArgumentException("image size must be positive, got " + h + "x" + w);
        long want = 3L * h * w;
        if (ref.length != want || recon.length != want) {
            throw new IllegalArgumentException("expected two " + h + "x" + w + " RGB images (" + want + " bytes), got " + ref.length + " and " + recon.length + " bytes");
        }
    }
}
