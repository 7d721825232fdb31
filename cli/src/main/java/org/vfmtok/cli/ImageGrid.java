package org.vfmtok.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;

/**
 * A labelled grid of images written as PNG: one column per label (drawn above the column), one row per sample.
 * Digits are drawn from a built-in 3×5 bitmap font, so that no system font (fontconfig) is needed.
 */
final class ImageGrid {
    private static final int PAD = 2, SCALE = 2, GLYPH_W = 3, GLYPH_H = 5;
    private static final String[] DIGITS = {
        "111101101101111", "010110010010111", "111001111100111", "111001111001111", "101101111001001",
        "111100111001111", "111100111101111", "111001001001001", "111101111101111", "111101111001111"};

    private ImageGrid() {}

    /**
     * images (B, S, S, 3) U8 with B = labels.length × rows, ordered label-major (all samples of the first label,
     * then the next): image {@code c·rows + r} goes to column c, row r.
     */
    static BufferedImage render(Tensor images, int[] labels, int rows) {
        int[] s = images.shape();
        if (images.dtype() != DType.U8 || s.length != 4 || s[3] != 3 || s[1] != s[2] || s[0] != labels.length * rows) {
            throw new IllegalArgumentException("grid needs (" + labels.length * rows + ", S, S, 3) U8 images, got " + images.dtype() + Arrays.toString(s));
        }
        int size = s[1], header = GLYPH_H * SCALE + 2 * PAD + 2;
        int w = labels.length * (size + PAD) + PAD, h = header + rows * (size + PAD);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, 0xFFFFFF);
        Tensor c = images.contiguous();
        MemorySegment seg = c.segment();
        long base = c.byteOffset();
        for (int col = 0; col < labels.length; col++) {
            int x0 = PAD + col * (size + PAD);
            drawNumber(img, labels[col], x0 + size / 2, PAD + 1);
            for (int row = 0; row < rows; row++) {
                int y0 = header + row * (size + PAD);
                long at = base + (long) (col * rows + row) * size * size * 3;
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        long p = at + ((long) y * size + x) * 3;
                        int r = seg.get(ValueLayout.JAVA_BYTE, p) & 0xFF, g = seg.get(ValueLayout.JAVA_BYTE, p + 1) & 0xFF, b = seg.get(ValueLayout.JAVA_BYTE, p + 2) & 0xFF;
                        img.setRGB(x0 + x, y0 + y, (r << 16) | (g << 8) | b);
                    }
                }
            }
        }
        return img;
    }

    /** Draws the decimal digits of n centred on cx, top at y. */
    private static void drawNumber(BufferedImage img, int n, int cx, int y) {
        String text = Integer.toString(n);
        int advance = (GLYPH_W + 1) * SCALE;
        int x = cx - (text.length() * advance - SCALE) / 2;
        for (char ch : text.toCharArray()) {
            String glyph = DIGITS[ch - '0'];
            for (int gy = 0; gy < GLYPH_H; gy++) {
                for (int gx = 0; gx < GLYPH_W; gx++) {
                    if (glyph.charAt(gy * GLYPH_W + gx) != '1') continue;
                    for (int dy = 0; dy < SCALE; dy++) {
                        for (int dx = 0; dx < SCALE; dx++) {
                            int px = x + gx * SCALE + dx, py = y + gy * SCALE + dy;
                            if (px >= 0 && px < img.getWidth() && py < img.getHeight()) img.setRGB(px, py, 0x000000);
                        }
                    }
                }
            }
            x += advance;
        }
    }

    static void write(BufferedImage img, Path out) throws IOException {
        org.vfmtok.vfmtok.image.ImageFiles.writePng(img, out);
    }
}
