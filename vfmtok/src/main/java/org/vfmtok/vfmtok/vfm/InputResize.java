package org.vfmtok.vfmtok.vfm;

import java.util.Arrays;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.ResampleKernels;
import org.vfmtok.tensor.ops.Resample;

/**
 * The resize VFMTok's {@code SelfSupervisedCondtionEmbedder.preprocess} applies before the frozen ViT:
 * {@code kornia.geometry.resize(x, (s, s), interpolation="bicubic", align_corners=True, antialias=True)}.
 * Kornia returns the input itself when it already has that size, and only blurs (its antialias) when it
 * shrinks; growing is plain {@code F.interpolate(size, bicubic, align_corners=True)}. This is what lets a
 * tokenizer at 128 px run a /14 VFM: the images are enlarged to the VFM's 336 first.
 */
public final class InputResize {
    private InputResize() {}

    /**
     * @param images (B, 3, H, W) in [-1, 1], before clamping (the official order)
     * @param side   the VFM input side; 0 means no resize
     * @param who    the model, for the error message
     */
    public static Tensor apply(Tensor images, int side, String who) {
        if (side <= 0 || images.dim() != 4 || (images.size(2) == side && images.size(3) == side)) return images;
        if (images.size(2) > side || images.size(3) > side) {
            // kornia's antialias blurs with a Gaussian (sigma (factor-1)/2, reflect border) before shrinking;
            // not implemented here, and a plain shrink would silently differ from the official features
            throw new IllegalArgumentException(who + ": images " + Arrays.toString(images.shape()) + " are larger than the VFM input "
                    + side + "; shrinking them with kornia's antialias blur is not supported (use images of at most " + side + " px)");
        }
        return Resample.interpolate(images, new int[] {side, side}, ResampleKernels.Mode.BICUBIC, true, false);
    }
}
