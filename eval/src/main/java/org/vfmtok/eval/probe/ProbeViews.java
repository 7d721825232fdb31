package org.vfmtok.eval.probe;

import java.awt.image.BufferedImage;
import java.util.SplittableRandom;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.vfmtok.image.ImageFiles;
import org.vfmtok.vfmtok.image.PilResize;
import org.vfmtok.vfmtok.image.Rgb8;

/**
 * The images a probe sees. Validation, and view 0 of a training image: ADM's centre crop at the tokenizer's size.
 * Further training views: MAE's linear-probe augmentation, torchvision's {@code RandomResizedCrop(S,
 * interpolation=bicubic)} (area 8–100 %, aspect 3/4–4/3 log-uniform, ten tries then the centre crop) followed by
 * {@code RandomHorizontalFlip}, each view seeded by (seed, image, view) so a cache can be rebuilt identically.
 */
public final class ProbeViews {
    private ProbeViews() {}

    /** View {@code view} of {@code img} as (3, size, size) in [-1, 1]. */
    public static Tensor view(BufferedImage img, int size, int view, long seed, int image) {
        if (view == 0) return ImageFiles.centerCrop(img, size);
        SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + image * 1_000_003L + view);
        Rgb8 x = ImageFiles.toRgb8(img);
        int[] box = randomResizedCrop(x.height(), x.width(), rng);
        // torchvision resizes the PIL crop with Pillow's bicubic: PilResize has Pillow's own arithmetic
        Rgb8 resized = PilResize.resize(crop(x, box[1], box[0], box[3], box[2]), size, size, PilResize.Filter.BICUBIC);
        float[] v = resized.cropToUnitRange(0, 0, size);
        if (rng.nextBoolean()) flip(v, size);
        return Tensor.of(v, 3, size, size);
    }

    /** The w x h window of {@code x} at (left, top), as PIL's {@code Image.crop}. */
    static Rgb8 crop(Rgb8 x, int left, int top, int w, int h) {
        byte[] src = x.planes(), out = new byte[3 * w * h];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) System.arraycopy(src, (c * x.height() + top + y) * x.width() + left, out, (c * h + y) * w, w);
        }
        return new Rgb8(w, h, out);
    }

    /** torchvision's RandomResizedCrop.get_params: (top, left, height, width). */
    static int[] randomResizedCrop(int h, int w, SplittableRandom rng) {
        double area = (double) h * w;
        double logLo = Math.log(3.0 / 4), logHi = Math.log(4.0 / 3);
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = area * (0.08 + rng.nextDouble() * (1.0 - 0.08));
            double ratio = Math.exp(logLo + rng.nextDouble() * (logHi - logLo));
            int cw = (int) Math.round(Math.sqrt(target * ratio)), ch = (int) Math.round(Math.sqrt(target / ratio));
            if (cw > 0 && cw <= w && ch > 0 && ch <= h) {
                int top = rng.nextInt(h - ch + 1), left = rng.nextInt(w - cw + 1);
                return new int[] {top, left, ch, cw};
            }
        }
        // fallback: the centre crop at the nearest allowed aspect ratio
        double inRatio = (double) w / h;
        int cw, ch;
        if (inRatio < 3.0 / 4) {
            cw = w;
            ch = (int) Math.round(w / (3.0 / 4));
        } else if (inRatio > 4.0 / 3) {
            ch = h;
            cw = (int) Math.round(h * (4.0 / 3));
        } else {
            cw = w;
            ch = h;
        }
        return new int[] {(h - ch) / 2, (w - cw) / 2, ch, cw};
    }

    private static void flip(float[] planar, int size) {
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < size; y++) {
                int row = (c * size + y) * size;
                for (int a = 0, b = size - 1; a < b; a++, b--) {
                    float t = planar[row + a];
                    planar[row + a] = planar[row + b];
                    planar[row + b] = t;
                }
            }
        }
    }
}
