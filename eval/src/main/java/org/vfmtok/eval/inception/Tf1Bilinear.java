package org.vfmtok.eval.inception;

/**
 * TensorFlow 1.x {@code tf.image.resize_bilinear} with {@code align_corners=False} and
 * {@code half_pixel_centers=False} (the {@code ResizeBilinear} node of the Inception graph that the ADM
 * evaluator feeds): source coordinate = destination index · (in / out), in float, lower = floor, upper =
 * min(ceil, in − 1), and the legacy kernel's order of operations:
 * {@code top = tl + (tr − tl)·dx; bottom = bl + (br − bl)·dx; out = top + (bottom − top)·dy}.
 *
 * <p>This differs from PyTorch's {@code align_corners=False} (which uses half-pixel centres) by up to half a
 * source pixel of shift, which is why ADM's numbers need this path.
 */
final class Tf1Bilinear {
    private Tf1Bilinear() {}

    /** One axis of the map: for each output index the two source indices and the weight of the upper one. */
    record Taps(int[] lower, int[] upper, float[] lerp) {
        static Taps of(int in, int out) {
            float scale = (float) in / (float) out;
            int[] lo = new int[out], hi = new int[out];
            float[] lerp = new float[out];
            for (int i = 0; i < out; i++) {
                float src = (float) i * scale;
                float floor = (float) Math.floor(src);
                lo[i] = Math.max((int) floor, 0);
                hi[i] = Math.min((int) Math.ceil(src), in - 1);
                lerp[i] = src - floor;
            }
            return new Taps(lo, hi, lerp);
        }
    }

    /**
     * Resizes channel {@code c} of one uint8 HWC image ({@code pixels} from {@code offset}) into {@code dst}
     * (outH·outW floats from {@code dstOffset}), then applies {@code value·scale + shift} (the normalisation).
     */
    static void resizeChannel(byte[] pixels, int offset, int h, int w, int c, Taps ty, Taps tx,
                              float[] dst, int dstOffset, float shift, float scale) {
        int outH = ty.lower.length, outW = tx.lower.length;
        for (int y = 0; y < outH; y++) {
            int rowTop = offset + ty.lower[y] * w * 3, rowBottom = offset + ty.upper[y] * w * 3;
            float dy = ty.lerp[y];
            for (int x = 0; x < outW; x++) {
                int left = tx.lower[x] * 3 + c, right = tx.upper[x] * 3 + c;
                float dx = tx.lerp[x];
                float tl = pixels[rowTop + left] & 0xFF, tr = pixels[rowTop + right] & 0xFF;
                float bl = pixels[rowBottom + left] & 0xFF, br = pixels[rowBottom + right] & 0xFF;
                float top = tl + (tr - tl) * dx;
                float bottom = bl + (br - bl) * dx;
                float v = top + (bottom - top) * dy;
                dst[dstOffset + y * outW + x] = (v + shift) * scale;
            }
        }
    }
}
