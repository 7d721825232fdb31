package org.vfmtok.serve;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.vfmtok.image.ImageFiles;

/** PNG bytes of decoded images, grids of them, and uploads read with the project's checks (pixel limit, damage). */
final class ImageCodec {
    private ImageCodec() {}

    /** PNG of image i of a (B, S, S, 3) U8 batch. */
    static byte[] png(Tensor nhwcU8, int i) {
        return png(ImageFiles.toImage(nhwcU8, i));
    }

    /** PNG bytes, written to memory (no ImageIO disk cache, no global setting changed). */
    static byte[] png(BufferedImage img) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream s = new MemoryCacheImageOutputStream(out)) {
            if (!ImageIO.write(img, "png", s)) throw new IllegalStateException("no PNG writer");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The images of a (B, S, S, 3) U8 batch as a grid of {@code columns} columns, 2 px apart on white. */
    static BufferedImage grid(Tensor nhwcU8, int columns) {
        int b = nhwcU8.size(0), s = nhwcU8.size(1), gap = 2;
        int rows = (b + columns - 1) / columns;
        BufferedImage out = new BufferedImage(columns * s + (columns - 1) * gap, rows * s + (rows - 1) * gap, BufferedImage.TYPE_INT_RGB);
        var g = out.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        for (int i = 0; i < b; i++) g.drawImage(ImageFiles.toImage(nhwcU8, i), (i % columns) * (s + gap), (i / columns) * (s + gap), null);
        g.dispose();
        return out;
    }

    /**
     * An uploaded image (any ImageIO format), through {@link ImageFiles#read}: the header's size is checked
     * against the pixel limit before any pixel is decoded, damaged files are refused. The bytes go to a
     * temporary file deleted on return (ImageFiles reads files).
     *
     * @throws ApiException 400 naming what is wrong with it
     */
    static BufferedImage readUpload(byte[] bytes, long maxPixels) {
        if (bytes.length == 0) throw ApiException.badRequest("empty body: send the image bytes (PNG, JPEG, BMP, GIF, ...) as the request body");
        Path tmp = null;
        try {
            tmp = Files.createTempFile("vfm-upload-", ".img");
            Files.write(tmp, bytes);
            BufferedImage img = ImageFiles.read(tmp);
            if ((long) img.getWidth() * img.getHeight() > maxPixels) {
                throw ApiException.badRequest("image of " + img.getWidth() + " x " + img.getHeight() + " pixels is larger than the server's limit of " + maxPixels + " pixels");
            }
            return img;
        } catch (IOException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage();
            if (tmp != null) msg = msg.replace(tmp.toString(), "upload").replace("; pass --allow-truncated to decode it anyway", "");
            throw ApiException.badRequest(msg);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a temp file left behind is harmless
                }
            }
        }
    }
}
