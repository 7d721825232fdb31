package org.vfmtok.vfmtok.image;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A JPEG cut short is refused (decoders fill the rest with grey silently), unless the caller allows it. */
class DamagedImageTest {
    static byte[] jpeg(int w, int h) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, (x * 7 % 256) << 16 | (y * 5 % 256) << 8 | (x * y % 256));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, "jpg", out));
        return out.toByteArray();
    }

    @Test
    void halfATruncatedJpegIsRefusedUnlessAllowed(@TempDir Path dir) throws IOException {
        byte[] full = jpeg(96, 64);
        Path whole = Files.write(dir.resolve("whole.jpg"), full);
        assertEquals(96, ImageFiles.read(whole).getWidth(), "an intact JPEG reads without complaint");
        Path cut = Files.write(dir.resolve("cut.jpg"), Arrays.copyOf(full, full.length / 2));
        IOException e = assertThrows(IOException.class, () -> ImageFiles.read(cut));
        assertTrue(e.getMessage().contains("cut.jpg") && e.getMessage().contains("truncated") && e.getMessage().contains("--allow-truncated"), e.getMessage());
        BufferedImage partial = ImageFiles.read(cut, true);
        assertEquals(96, partial.getWidth());
        assertEquals(64, partial.getHeight());
        assertThrows(IOException.class, () -> ImageFiles.loadBatch(java.util.List.of(whole, cut), 32));
    }

    @Test
    void pngOutputsAreAtomicAndRefuseFolders(@TempDir Path dir) throws IOException {
        BufferedImage img = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        Path sub = Files.createDirectory(dir.resolve("x.png"));
        IOException e = assertThrows(IOException.class, () -> ImageFiles.writePng(img, sub));
        assertTrue(e.getMessage().contains("is a folder"), e.getMessage());
        Path f = dir.resolve("y.png");
        ImageFiles.writePng(img, f);
        assertEquals(4, ImageIO.read(f.toFile()).getWidth());
        try (var s = Files.list(dir)) {
            assertEquals(2, s.count(), "x.png (a folder) and y.png, no temporary file");
        }
    }

    @Test
    void aFolderIsNotReportedMissing(@TempDir Path dir) {
        IOException e = assertThrows(IOException.class, () -> ImageFiles.read(dir));
        assertTrue(e.getMessage().contains("is a folder") && !e.getMessage().contains("no such file"), e.getMessage());
    }
}
