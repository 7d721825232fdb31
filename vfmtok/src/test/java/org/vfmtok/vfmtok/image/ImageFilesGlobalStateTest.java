package org.vfmtok.vfmtok.image;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading and writing images changes no setting of the host JVM (ImageIO's cache flag stays the default). */
class ImageFilesGlobalStateTest {
    @Test
    void imageIoCacheSettingIsLeftAlone(@TempDir Path dir) throws Exception {
        assertTrue(ImageIO.getUseCache(), "the JDK default");
        Path f = dir.resolve("x.png");
        BufferedImage img = new BufferedImage(4, 3, BufferedImage.TYPE_INT_RGB);
        img.setRGB(1, 2, 0x123456);
        ImageFiles.writePng(img, f);
        BufferedImage back = ImageFiles.read(f);
        assertEquals(0x123456, back.getRGB(1, 2) & 0xFFFFFF);
        assertTrue(ImageIO.getUseCache(), "ImageFiles left ImageIO.setUseCache alone");
    }
}
