package org.vfmtok.eval.probe;

import java.awt.image.BufferedImage;
import java.util.SplittableRandom;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.Resample;
import org.vfmtok.tensor.backend.ResampleKernels;
import org.vfmtok.vfmtok.image.ImageFiles;

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
        Tensor x = ImageFiles.toRgbTensor(img).unsqueeze(0); // (1, 3, H, W) in 0..255
        int h = x.size(2), w = x.size(3);
        int[] box = randomResizedCrop(h, w, rng);
        Tensor crop = x.narrow(2, box[0], box[2]).narrow(3, box[1], box[3]);
        Tensor resized = Resample.interpolate(crop.contiguous(), new int[] {size, size}, ResampleKernels.Mode.BICUBIC, false, true);
        float[] v = ImageFiles.toUnitRange(resized);
        if (rng.nextBoolean()) flip(v, size);
        return Tensor.of(v, 3, size, size);
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
