package org.vfmtok.eval.recon;

import java.awt.image.BufferedImage;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.vfmtok.image.ImageFiles;

/** An 8-bit RGB image as row-major HWC bytes, the layout {@link ImageQuality} reads. */
public record RgbImage(int height, int width, byte[] pixels) {
    public RgbImage {
        if (pixels.length != 3L * height * width) throw new IllegalArgumentException(height + "x" + width + " RGB needs " + 3L * height * width + " bytes, got " + pixels.length);
    }

    /** The pixels of a decoded image (grayscale taken as is, as PIL does: {@link ImageFiles#toRgbTensor}). */
    public static RgbImage of(BufferedImage img) {
        return ofPlanar(ImageFiles.toRgbTensor(img).toFloatArray(), img.getHeight(), img.getWidth(), 0, 1);
    }

    /** From planar (3, H, W) values {@code v}: the byte is round(v·scale + offset), clamped to 0..255. */
    static RgbImage ofPlanar(float[] planar, int h, int w, double offset, double scale) {
        int plane = h * w;
        byte[] px = new byte[3 * plane];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < plane; i++) {
                long v = Math.round(planar[c * plane + i] * scale + offset);
                px[3 * i + c] = (byte) Math.max(0, Math.min(255, v));
            }
        }
        return new RgbImage(h, w, px);
    }

    /** An ADM centre crop ({@link ImageFiles#centerCrop}: (3, S, S) in [-1, 1], uint8 values ÷ 127.5 − 1) back to its bytes. */
    public static RgbImage ofUnitRange(Tensor chw) {
        return ofPlanar(chw.contiguous().toFloatArray(), chw.size(1), chw.size(2), 127.5, 127.5);
    }

    /** Image {@code index} of a (B, H, W, 3) U8 tensor. */
    public static RgbImage ofNhwc(Tensor nhwcU8, int index) {
        Tensor one = nhwcU8.select(0, index).contiguous();
        byte[] px = new byte[Math.toIntExact(one.numel())];
        java.lang.foreign.MemorySegment.copy(one.segment(), one.byteOffset(), java.lang.foreign.MemorySegment.ofArray(px), 0, px.length);
        return new RgbImage(one.size(0), one.size(1), px);
    }
}
