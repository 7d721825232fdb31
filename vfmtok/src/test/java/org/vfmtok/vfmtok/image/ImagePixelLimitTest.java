package org.vfmtok.vfmtok.image;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfmtok.tensor.io.InputLimits;

/**
 * A PNG of a few hundred bytes may declare 20000 x 20000 pixels: the size is read from the header and
 * refused above {@link InputLimits#imagePixels()} before a single pixel is decoded.
 */
class ImagePixelLimitTest {
    @TempDir
    Path dir;

    /** A valid 16x16 PNG whose IHDR is patched to declare {@code width x height} (CRC recomputed). */
    private Path pngDeclaring(int width, int height) throws IOException {
        Path p = dir.resolve("declared-" + width + "x" + height + ".png");
        ImageIO.write(new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB), "png", p.toFile());
        byte[] b = Files.readAllBytes(p);
        ByteBuffer buf = ByteBuffer.wrap(b); // PNG is big-endian: signature(8) length(4) "IHDR"(4) width height ...
        assertEquals("IHDR", new String(b, 12, 4, java.nio.charset.StandardCharsets.US_ASCII));
        buf.putInt(16, width).putInt(20, height);
        CRC32 crc = new CRC32();
        crc.update(b, 12, 4 + 13);
        buf.putInt(8 + 8 + 13 + 4, (int) crc.getValue());
        return Files.write(p, b);
    }

    @Test
    void hugeDeclaredImageIsRefusedBeforeDecoding() throws Exception {
        Path png = pngDeclaring(20000, 20000);
        assertTrue(Files.size(png) < 1000);
        long before = allocated();
        IOException e = assertThrows(IOException.class, () -> ImageFiles.read(png));
        long used = allocated() - before;
        assertTrue(used < 32 << 20, "heap allocated while refusing: " + used);
        assertEquals(png + ": image of 20000 x 20000 = 400000000 pixels exceeds the limit of 40000000 pixels (a hostile or corrupt file?); "
                + "if the file is genuine, raise it with -D" + InputLimits.IMAGE_PIXELS + "=N (./vfm: VFM_JAVA_OPTS=-D"
                + InputLimits.IMAGE_PIXELS + "=N)", e.getMessage());
        assertThrows(IOException.class, () -> ImageFiles.read(pngDeclaring(8000, 8000)), "64 M pixels from a tiny file");
    }

    @Test
    void limitAppliesToRealImagesAndCanBeChanged() throws Exception {
        Path png = dir.resolve("real.png");
        ImageIO.write(new BufferedImage(100, 50, BufferedImage.TYPE_INT_RGB), "png", png.toFile());
        assertEquals(100, ImageFiles.read(png).getWidth());
        String old = System.getProperty(InputLimits.IMAGE_PIXELS);
        try {
            System.setProperty(InputLimits.IMAGE_PIXELS, "4999");
            IOException e = assertThrows(IOException.class, () -> ImageFiles.read(png));
            assertTrue(e.getMessage().contains("100 x 50 = 5000 pixels exceeds the limit of 4999 pixels"), e.getMessage());
            System.setProperty(InputLimits.IMAGE_PIXELS, "5000");
            assertEquals(50, ImageFiles.read(png).getHeight());
        } finally {
            if (old == null) System.clearProperty(InputLimits.IMAGE_PIXELS);
            else System.setProperty(InputLimits.IMAGE_PIXELS, old);
        }
    }

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }
}
