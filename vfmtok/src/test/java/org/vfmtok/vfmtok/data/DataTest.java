package org.vfmtok.vfmtok.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfmtok.tensor.Rng;

class DataTest {
    @Test
    void proceduralShapesAreDeterministicBalancedAndInRange() {
        ProceduralShapes a = new ProceduralShapes(50, 3), b = new ProceduralShapes(50, 3), c = new ProceduralShapes(50, 4);
        float[] x = a.load(7, 24, null);
        assertArrayEquals(x, b.load(7, 24, new Rng(99)), "a pure function of (seed, index)");
        assertFalse(Arrays.equals(x, c.load(7, 24, null)), "another seed gives another image");
        assertFalse(Arrays.equals(x, a.load(17, 24, null)), "same class, another index: another image");
        assertEquals(3 * 24 * 24, x.length);
        for (float v : x) assertTrue(v >= -1 && v <= 1, "pixel " + v);
        int[] counts = new int[10];
        for (int i = 0; i < 50; i++) counts[a.label(i)]++;
        for (int k : counts) assertEquals(5, k);
        assertEquals(10, a.numClasses());
        // the class is visible: mean colour of two classes of different hue differ clearly
        assertTrue(dist(meanColour(a, 0), meanColour(a, 5)) > 0.05);
    }

    static double[] meanColour(ProceduralShapes d, int cls) {
        double[] m = new double[3];
        int n = 0;
        for (int i = cls; i < d.size(); i += 10, n++) {
            float[] x = d.load(i, 16, null);
            for (int ch = 0; ch < 3; ch++) for (int p = 0; p < 256; p++) m[ch] += x[ch * 256 + p] / 256.0;
        }
        for (int ch = 0; ch < 3; ch++) m[ch] /= n;
        return m;
    }

    static double dist(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
        return Math.sqrt(s);
    }

    @Test
    void streamIsSeekableAndIndependentOfThreads() {
        ProceduralShapes d = new ProceduralShapes(23, 1);
        try (ImageStream s0 = new ImageStream(d, 5, 16, true, true, 42, 0, 1);
             ImageStream s2 = new ImageStream(d, 5, 16, true, true, 42, 2, 3)) {
            Batch[] a = new Batch[8];
            for (int i = 0; i < a.length; i++) a[i] = s0.next();   // crosses epoch boundaries (23 samples)
            for (Batch b : a) {
                Batch c = s2.next();
                assertArrayEquals(b.pixels(), c.pixels());
                assertArrayEquals(b.indices(), c.indices());
            }
            s2.seek(10);
            Batch again = s2.next();
            assertArrayEquals(a[2].pixels(), again.pixels(), "position 10 = third batch");
            assertEquals(15, s2.position());
            // every sample appears once per epoch
            int[] seen = new int[23];
            ImageStream s3 = new ImageStream(d, 23, 16, true, false, 7, 0, 1);
            for (int i : s3.next().indices()) seen[i]++;
            for (int k : seen) assertEquals(1, k);
        }
    }

    @Test
    void flipTwiceIsIdentity() {
        float[] x = new ProceduralShapes(1, 0).load(0, 8, null), y = x.clone();
        ImageStream.flipInPlace(y, 8);
        assertFalse(Arrays.equals(x, y));
        assertEquals(x[3], y[4]);   // row 0: column 3 ↔ column 4
        ImageStream.flipInPlace(y, 8);
        assertArrayEquals(x, y);
    }

    @Test
    void imageFolderCropsAndSkipsCorruptFiles(@TempDir Path dir) throws IOException {
        write(dir.resolve("cats/a.png"), 40, 30, Color.RED);
        write(dir.resolve("cats/sub/b.png"), 64, 64, Color.ORANGE);
        write(dir.resolve("dogs/c.png"), 33, 50, Color.BLUE);
        Files.write(dir.resolve("dogs/broken.jpg"), new byte[] {1, 2, 3, 4, 5});
        Files.writeString(dir.resolve("dogs/notes.txt"), "not an image");
        ImageFolder f = new ImageFolder(dir, ImageFolder.Crop.RANDOM);
        assertEquals(java.util.List.of("cats", "dogs"), f.classNames());
        assertEquals(4, f.size(), "three images and the broken jpg; the .txt is ignored");
        assertThrows(IOException.class, () -> f.load(2, 16, new Rng(1)));   // sorted: dogs/broken.jpg before dogs/c.png
        float[] red = f.load(0, 16, new Rng(1));
        assertEquals(3 * 16 * 16, red.length);
        assertEquals(1.0, red[0], 0.01);          // R channel
        assertEquals(-1.0, red[256], 0.01);       // G channel
        try (ImageStream s = new ImageStream(f, 4, 16, true, true, 5, 2, 2).quiet()) {
            for (int i = 0; i < 3; i++) {
                Batch b = s.next();
                for (int idx : b.indices()) assertTrue(idx != 2, "the broken file never appears");
            }
            assertTrue(s.skipped() >= 2, "skipped " + s.skipped());
            assertEquals(1, s.failures().size());
            assertTrue(s.failures().get(2).contains("broken.jpg"), s.failures().toString());
        }
        ImageFolder centre = new ImageFolder(dir, ImageFolder.Crop.CENTER);
        assertArrayEquals(centre.load(3, 16, new Rng(1)), centre.load(3, 16, new Rng(2)), "centre crop is not random");
    }

    @Test
    void allFilesCorruptIsAClearError(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("x"));
        Files.write(dir.resolve("x/a.png"), new byte[] {9, 9});
        try (ImageStream s = new ImageStream(new ImageFolder(dir, ImageFolder.Crop.CENTER), 2, 8, false, false, 0, 0, 1).quiet()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, s::next);
            assertTrue(e.getMessage().contains("could be loaded"), e.getMessage());
        }
    }

    @Test
    void randomCropCoversAdmRange() {
        BufferedImage img = new BufferedImage(100, 60, BufferedImage.TYPE_INT_RGB);
        for (int seed = 0; seed < 5; seed++) {
            float[] c = ImageFolder.randomCrop(img, 32, new Rng(seed));
            assertEquals(3 * 32 * 32, c.length);
        }
    }

    static void write(Path p, int w, int h, Color c) throws IOException {
        Files.createDirectories(p.getParent());
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(c);
        g.fillRect(0, 0, w, h);
        g.dispose();
        ImageIO.write(img, "png", p.toFile());
    }
}
