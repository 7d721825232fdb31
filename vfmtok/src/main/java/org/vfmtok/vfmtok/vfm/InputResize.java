package org.vfmtok.vfmtok.vfm;

import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.ResampleKernels;
import org.vfmtok.tensor.ops.MatMul;
import org.vfmtok.tensor.ops.Resample;

/**
 * The resize VFMTok's {@code SelfSupervisedCondtionEmbedder.preprocess} applies before the frozen ViT:
 * {@code kornia.geometry.resize(x, (s, s), interpolation="bicubic", align_corners=True, antialias=True)}.
 * Kornia returns the input itself when it already has that size; when it shrinks by a factor f it first blurs
 * with a Gaussian (sigma (f − 1)/2, kernel int(max(4·sigma, 3)) made odd, reflect border); then it is
 * {@code F.interpolate(size, bicubic, align_corners=True)}. This is what lets a tokenizer at 128 or 512 px run
 * a /14 VFM at 336.
 */
public final class InputResize {
    private InputResize() {}

    /**
     * @param images (B, 3, H, W) in [-1, 1], before clamping (the official order)
     * @param side   the VFM input side; 0 means no resize
     * @param who    the model, for messages
     */
    public static Tensor apply(Tensor images, int side, String who) {
        if (side <= 0 || (images.size(2) == side && images.size(3) == side)) return images;
        if (images.dim() != 4) throw new IllegalArgumentException(who + ": images must be (B, C, H, W), got " + java.util.Arrays.toString(images.shape()));
        double fh = (double) images.size(2) / side, fw = (double) images.size(3) / side;
        Tensor x = images;
        if (Math.max(fh, fw) > 1) {
            // kornia blurs both axes once either shrinks, each with its own sigma (0.001 for an axis that grows)
            x = blurLastAxis(x, fw);
            x = blurLastAxis(x.transpose(2, 3), fh).transpose(2, 3);
        }
        return Resample.interpolate(x.contiguous(), new int[] {side, side}, ResampleKernels.Mode.BICUBIC, true, false);
    }

    /** The separable Gaussian along the last axis as one (n, n) matrix: reflect padding folded into the taps. */
    static Tensor blurLastAxis(Tensor x, double factor) {
        int n = x.size(-1);
        double sigma = Math.max((factor - 1.0) / 2.0, 0.001);
        int ks = (int) Math.max(2.0 * 2 * sigma, 3);
        if (ks % 2 == 0) ks++;
        int r = ks / 2;
        if (r >= n) throw new IllegalArgumentException("a blur kernel of " + ks + " taps does not fit an axis of " + n + " pixels (reflect padding)");
        double[] g = new double[ks];
        double sum = 0;
        for (int k = 0; k < ks; k++) {
            double t = k - ks / 2;
            g[k] = Math.exp(-t * t / (2 * sigma * sigma));
            sum += g[k];
        }
        float[] m = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < ks; k++) {
                int p = i + k - r;
                if (p < 0) p = -p;                 // torch 'reflect': the edge sample is not repeated
                if (p >= n) p = 2 * (n - 1) - p;
                m[i * n + p] += (float) (g[k] / sum);
            }
        }
        Tensor a = Tensor.of(m, n, n).to(x.dtype());
        return MatMul.linear(x.contiguous(), a, null); // out[.., i] = Σ_j x[.., j]·a[i, j]
    }
}
