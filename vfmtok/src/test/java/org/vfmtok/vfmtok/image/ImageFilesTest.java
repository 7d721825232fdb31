package org.vfmtok.vfmtok.image;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;

/** Awkward inputs from tools/fixtures/make_image_fixtures.py: each converts correctly or fails clearly. */
class ImageFilesTest {
    private static Path fixture(String name) throws Exception {
        return Path.of(ImageFilesTest.class.getResource("/fixtures/images/" + name).toURI());
    }

    /** The ramp all fixtures encode: R = x·255/63, G = y·255/47, B = 90. */
    private static int[] expected(int x, int y) { return new int[] {x * 255 / 63, y * 255 / 47, 90}; }

    private static void assertRamp(String file, Tensor rgb, int tol, boolean grayFromRed) {
        assertArrayEquals(new int[] {3, 48, 64}, rgb.shape(), file);
        for (int y = 0; y < 48; y += 7) {
            for (int x = 0; x < 64; x += 5) {
                int[] e = expected(x, y);
                for (int c = 0; c < 3; c++) {
                    int want = grayFromRed ? e[0] : e[c];
                    assertEquals(want, rgb.getFloat(c, y, x), tol, file + " channel " + c + " at (" + x + ", " + y + ")");
                }
            }
        }
    }

    @Test
    void everyColourModelBecomesRgb() throws Exception {
        try (Scope s = Scope.open()) {
            assertRamp("rgb.png", ImageFiles.toRgbTensor(ImageFiles.read(fixture("rgb.png"))), 0, false);
            assertRamp("rgba.png (alpha dropped)", ImageFiles.toRgbTensor(ImageFiles.read(fixture("rgba.png"))), 0, false);
            assertRamp("gray.png", ImageFiles.toRgbTensor(ImageFiles.read(fixture("gray.png"))), 0, true);
            assertRamp("gray16.png", ImageFiles.toRgbTensor(ImageFiles.read(fixture("gray16.png"))), 1, true);
            float[] palette = ImageFiles.toRgbTensor(ImageFiles.read(fixture("palette.png"))).toFloatArray();
            float[] pilRgb = ImageFiles.toRgbTensor(ImageFiles.read(fixture("palette_as_rgb.png"))).toFloatArray();
            assertArrayEquals(pilRgb, palette, "palette.png against PIL's convert('RGB')");
            assertRamp("cmyk.jpg", ImageFiles.toRgbTensor(ImageFiles.read(fixture("cmyk.jpg"))), 12, false);
        }
    }

    @Test
    void smallImagesAreUpscaledAndCentreCropped() throws Exception {
        try (Scope s = Scope.open()) {
            BufferedImage img = ImageFiles.read(fixture("rgb.png")); // 64 x 48, smaller than 112
            Tensor t = ImageFiles.centerCrop(img, 112);
            assertArrayEquals(new int[] {3, 112, 112}, t.shape());
            float[] v = t.toFloatArray();
            for (float f : v) assertTrue(f >= -1 && f <= 1, "value outside [-1, 1]: " + f);
            // blue is constant 90 everywhere: 90/127.5 - 1
            assertEquals(90 / 127.5 - 1, t.getFloat(2, 56, 56), 1.5 / 127.5);
            // the crop keeps the middle of the ramp: red increases left to right
            assertTrue(t.getFloat(0, 56, 100) > t.getFloat(0, 56, 10));
        }
    }

    @Test
    void largeImagesAreBoxHalvedFirst() throws Exception {
        try (Scope s = Scope.open()) {
            BufferedImage big = new BufferedImage(500, 260, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 260; y++) for (int x = 0; x < 500; x++) big.setRGB(x, y, ((x % 2) * 200) << 16 | 0x4040);
            Tensor t = ImageFiles.centerCrop(big, 112);
            assertArrayEquals(new int[] {3, 112, 112}, t.shape());
            // alternating red columns average out to 100 after box halving
            assertEquals(100 / 127.5 - 1, t.getFloat(0, 50, 50), 2 / 127.5);
        }
    }

    @Test
    void nonImagesAndMissingFilesAreClearErrors() throws Exception {
        IOException e = assertThrows(IOException.class, () -> ImageFiles.read(fixture("not_an_image.png")));
        assertTrue(e.getMessage().contains("not_an_image.png") && e.getMessage().contains("not an image"), e.getMessage());
        IOException m = assertThrows(IOException.class, () -> ImageFiles.read(Path.of("/nonexistent/x.png")));
        assertTrue(m.getMessage().contains("no such file"), m.getMessage());
    }

    @Test
    void psnrAndSsimBehave() {
        int[] a = new int[16 * 16 * 3], b = a.clone();
        for (int i = 0; i < a.length; i++) {
            a[i] = (i * 37) % 250; // no clipping below: b = a + 4 on the red channel
            b[i] = a[i] + (i % 3 == 0 ? 4 : 0);
        }
        assertEquals(Double.POSITIVE_INFINITY, Metrics.psnr(a, a));
        assertEquals(1.0, Metrics.ssim(a, a, 16, 16), 1e-12);
        // closed forms, computed without the implementation: MSE = 16/3, so PSNR = 10·log10(3·255²/16) = 40.8608 dB
        assertEquals(10 * Math.log10(3 * 255.0 * 255.0 / 16), Metrics.psnr(a, b), 1e-9);
        assertEquals(40.8608, Metrics.psnr(a, b), 1e-4);
        for (int offset : new int[] {1, 5, 51}) {
            int[] c = a.clone();
            for (int i = 0; i < c.length; i++) c[i] = a[i] < 256 - offset ? a[i] + offset : a[i] - offset;
            assertEquals(20 * Math.log10(255.0 / offset), Metrics.psnr(a, c), 1e-9, "constant offset " + offset);
        }
        // SSIM of two flat images k and k + d: variances and covariance vanish, only the luminance term is left,
        // (2k(k+d) + C1) / (k² + (k+d)² + C1) with C1 = (0.01·255)²
        int[] flat = new int[16 * 16 * 3], brighter = flat.clone();
        java.util.Arrays.fill(flat, 100);
        java.util.Arrays.fill(brighter, 120);
        double c1 = Math.pow(0.01 * 255, 2);
        assertEquals((2 * 100 * 120 + c1) / (100 * 100 + 120 * 120 + c1), Metrics.ssim(flat, brighter, 16, 16), 1e-12);
        assertEquals(0.983611, Metrics.ssim(flat, brighter, 16, 16), 1e-6);
        // a constant offset on a textured image keeps variances and covariance equal: only luminance is lost, a little
        int[] shifted = new int[a.length];
        for (int i = 0; i < a.length; i++) shifted[i] = a[i] + 3;
        double lum = Metrics.ssim(a, shifted, 16, 16);
        assertTrue(lum < 1 && lum > 0.999, "luminance-only SSIM " + lum);
    }
}
