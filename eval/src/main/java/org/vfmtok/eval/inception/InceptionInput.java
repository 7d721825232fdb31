package org.vfmtok.eval.inception;

import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.ResampleKernels;
import org.vfmtok.tensor.ops.Resample;

/** uint8 NHWC images of any size → the network's (N, 3, 299, 299) float input in [-1, 1], per {@link ResizeMode}. */
public final class InceptionInput {
    /** The input resolution of the FID Inception network. */
    public static final int SIZE = 299;

    private InceptionInput() {}

    public static Tensor of(ImageBatch images, ResizeMode mode) {
        return switch (mode) {
            case TF1 -> tf1(images);
            case TORCH -> torch(images);
        };
    }

    /** ADM: resize the 0..255 values with TF1 bilinear semantics, then (x − 128) / 128 (the graph's Sub and Mul). */
    private static Tensor tf1(ImageBatch images) {
        int n = images.n(), plane = SIZE * SIZE;
        float[] out = new float[n * 3 * plane];
        Tf1Bilinear.Taps ty = Tf1Bilinear.Taps.of(images.height(), SIZE);
        Tf1Bilinear.Taps tx = Tf1Bilinear.Taps.of(images.width(), SIZE);
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 3; c++) {
                Tf1Bilinear.resizeChannel(images.pixels(), i * images.imageBytes(), images.height(), images.width(), c,
                        ty, tx, out, (i * 3 + c) * plane, -128f, 1f / 128f);
            }
        }
        return Tensor.of(out, n, 3, SIZE, SIZE);
    }

    /**
     * pytorch-fid: values / 255 (as {@code ToTensor}), {@code F.interpolate(size=299, mode='bilinear',
     * align_corners=False)}, then 2x − 1.
     */
    private static Tensor torch(ImageBatch images) {
        int n = images.n(), h = images.height(), w = images.width();
        byte[] px = images.pixels();
        float[] nchw = new float[px.length];
        for (int i = 0; i < n; i++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int src = ((i * h + y) * w + x) * 3;
                    for (int c = 0; c < 3; c++) nchw[((i * 3 + c) * h + y) * w + x] = (px[src + c] & 0xFF) / 255f;
                }
            }
        }
        Tensor x = Tensor.of(nchw, n, 3, h, w);
        Tensor resized = Resample.interpolate(x, new int[] {SIZE, SIZE}, ResampleKernels.Mode.BILINEAR, false, false);
        return resized.mul(2.0).add(-1.0);
    }
}
