package org.vfmtok.vfmtok.image;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.io.AtomicFiles;
import org.vfmtok.tensor.io.FileKinds;
import org.vfmtok.tensor.io.InputLimits;
import org.vfmtok.tensor.ops.Indexing;

/**
 * Reading images into model tensors and writing them back. Any format ImageIO and the TwelveMonkeys
 * plugins read (JPEG incl. CMYK/YCCK, PNG of any bit depth or palette, grayscale, BMP, GIF...) is
 * converted to 8-bit RGB (alpha dropped, as PIL's convert("RGB") does); a file that is no image is an
 * error naming it.
 */
public final class ImageFiles {
    private ImageFiles() {}

    // Nothing here changes the host JVM's ImageIO: no setUseCache(false) (files are read and written through
    // File-based image streams, which never use ImageIO's disk cache) and no scanForPlugins() (the registry
    // finds the TwelveMonkeys readers as services of their jars, on the class path and the module path alike).

    /**
     * Decoder warnings that mean the pixel data is incomplete or wrong: the JDK JPEG reader's "Truncated File -
     * Missing EOI marker", libjpeg's "Premature end of JPEG file" and "Corrupt JPEG data: ...".
     */
    private static final java.util.regex.Pattern DAMAGE = java.util.regex.Pattern.compile("(?i)truncat|premature|corrupt|missing eoi|bogus|unexpected end");

    /** {@link #read(Path, boolean)} refusing damaged or truncated files. */
    public static BufferedImage read(Path file) throws IOException {
        return read(file, false);
    }

    /**
     * Decodes an image file. Its declared width x height is read from the header first and refused above
     * {@link InputLimits#imagePixels()} (a 186 KB PNG may declare 8000x8000 pixels, gigabytes once decoded). A
     * file the decoder reports as damaged (a JPEG cut short, which decoders otherwise fill with grey silently;
     * corrupt entropy data) is refused, unless {@code allowDamaged}: then it is decoded as far as it goes, with a
     * warning on standard error naming the file.
     */
    public static BufferedImage read(Path file, boolean allowDamaged) throws IOException {
        FileKinds.requireRegularFile(file);
        List<String> warnings = new java.util.ArrayList<>();
        BufferedImage img = decode(file, warnings);
        warnings.removeIf(w -> !DAMAGE.matcher(w).find()); // notes such as TwelveMonkeys' "no embedded ICC profile" are no damage
        if (!warnings.isEmpty()) {
            String what = String.join("; ", warnings).replaceAll("\\p{Cntrl}", "?");
            if (!allowDamaged) throw new IOException(file + ": damaged or truncated image (decoder: " + what + "); pass --allow-truncated to decode it anyway");
            System.err.println("warning: " + file + ": damaged or truncated image, decoded as far as it goes (decoder: " + what + ")");
        }
        return img;
    }

    /** The header's size checked against the pixel limit, then the pixels, with the reader's warnings collected (ImageIO.read drops them). */
    private static BufferedImage decode(Path file, List<String> warnings) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new IOException(file + ": not an image in a supported format (JPEG, PNG, BMP, GIF, ...)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                int width, height;
                try {
                    width = reader.getWidth(0);
                    height = reader.getHeight(0);
                } catch (IOException | RuntimeException e) {
                    throw new IOException(file + ": cannot decode image header: " + e.getMessage(), e);
                }
                checkPixels(file, width, height);
                BufferedImage img;
                try {
                    img = reader.read(0, reader.getDefaultReadParam());
                } catch (IOException | RuntimeException e) {
                    throw new IOException(file + ": cannot decode image: " + e.getMessage(), e);
                }
                if (img == null) throw new IOException(file + ": not an image in a supported format (JPEG, PNG, BMP, GIF, ...)");
                return img;
            } finally {
                reader.dispose();
            }
        }
    }

    private static void checkPixels(Path file, int width, int height) throws IOException {
        long pixels = (long) width * height, limit = InputLimits.imagePixels();
        if (width <= 0 || height <= 0 || pixels > limit) {
            throw new IOException(width <= 0 || height <= 0
                    ? file + ": image header declares " + width + " x " + height + " pixels"
                    : InputLimits.refusal(file, "image of " + width + " x " + height + " = " + pixels + " pixels", limit, "pixels",
                            InputLimits.IMAGE_PIXELS));
        }
    }

    /**
     * RGB values 0..255 as a (3, H, W) F32 tensor (see {@link #toRgb8(BufferedImage)}).
     */
    public static Tensor toRgbTensor(BufferedImage img) {
        Rgb8 rgb = toRgb8(img);
        byte[] planes = rgb.planes();
        float[] data = new float[planes.length];
        for (int i = 0; i < data.length; i++) data[i] = planes[i] & 0xFF;
        return Tensor.of(data, 3, rgb.height(), rgb.width());
    }

    /**
     * The image as 8-bit RGB planes, as PIL's {@code convert("RGB")} gives them. getRGB converts every colour
     * model to 8-bit sRGB, except that it treats grayscale as linear light and brightens it; PIL (and so the
     * reference pipeline) takes gray values as they are, so grayscale rasters are read directly (16-bit scaled
     * to 8-bit).
     */
    public static Rgb8 toRgb8(BufferedImage img) {
        int w = img.getWidth(), h = img.getHeight();
        int plane = w * h;
        byte[] data = new byte[3 * plane];
        var cm = img.getColorModel();
        if (!(cm instanceof java.awt.image.IndexColorModel) && cm.getColorSpace().getType() == java.awt.color.ColorSpace.TYPE_GRAY) {
            var raster = img.getRaster();
            int bits = cm.getComponentSize(0);
            double scale = 255.0 / ((1L << bits) - 1);
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    byte v = (byte) Math.round(row[x] * scale);
                    data[y * w + x] = v;
                    data[plane + y * w + x] = v;
                    data[2 * plane + y * w + x] = v;
                }
            }
            return new Rgb8(w, h, data);
        }
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < plane; i++) {
            int p = argb[i];
            data[i] = (byte) (p >> 16);
            data[plane + i] = (byte) (p >> 8);
            data[2 * plane + i] = (byte) p;
        }
        return new Rgb8(w, h, data);
    }

    /**
     * ADM's {@code center_crop_arr}, with Pillow's own arithmetic ({@link PilResize#admShortSide}): BOX halving
     * while the short side is at least 2·size, BICUBIC so the short side is {@code size} (smaller images are
     * upscaled), the centre window, mapped to [-1, 1]. Returns (3, size, size).
     */
    public static Tensor centerCrop(BufferedImage img, int size) {
        Rgb8 resized = PilResize.admShortSide(toRgb8(img), size);
        int top = (resized.height() - size) / 2, left = (resized.width() - size) / 2;
        return Tensor.of(resized.cropToUnitRange(left, top, size), 3, size, size);
    }

    /** Loads and centre-crops several files into a batch (B, 3, size, size) in [-1, 1]. */
    public static Tensor loadBatch(List<Path> files, int size) throws IOException {
        return loadBatch(files, size, false);
    }

    /** {@link #loadBatch(List, int)}; {@code allowDamaged} as in {@link #read(Path, boolean)}. */
    public static Tensor loadBatch(List<Path> files, int size, boolean allowDamaged) throws IOException {
        Tensor[] items = new Tensor[files.size()];
        for (int i = 0; i < items.length; i++) items[i] = centerCrop(read(files.get(i), allowDamaged), size);
        return Indexing.stack(0, items);
    }

    /** One image of a (B, H, W, 3) U8 batch as a BufferedImage. */
    public static BufferedImage toImage(Tensor nhwcU8, int index) {
        if (nhwcU8.dtype() != DType.U8 || nhwcU8.dim() != 4 || nhwcU8.size(3) != 3) {
            throw new IllegalArgumentException("expected (B, H, W, 3) U8, got " + nhwcU8.dtype() + java.util.Arrays.toString(nhwcU8.shape()));
        }
        int h = nhwcU8.size(1), w = nhwcU8.size(2);
        int[] px = nhwcU8.select(0, index).toIntArray();
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] rgb = new int[w * h];
        for (int i = 0; i < rgb.length; i++) rgb[i] = (px[3 * i] << 16) | (px[3 * i + 1] << 8) | px[3 * i + 2];
        img.setRGB(0, 0, w, h, rgb, 0, w);
        return img;
    }

    /**
     * Writes a PNG atomically ({@link AtomicFiles}): a failure leaves no partial file, and a folder, FIFO,
     * device or symbolic link at {@code file} is refused. Missing parent folders are created.
     */
    public static void writePng(BufferedImage img, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        var writers = ImageIO.getImageWritersByFormatName("png");
        if (!writers.hasNext()) throw new IOException("cannot write " + file + ": no PNG writer available");
        javax.imageio.ImageWriter writer = writers.next();
        try {
            // A memory-cached image stream: ImageIO.write(img, fmt, stream) would use ImageIO's global disk-cache setting.
            AtomicFiles.writeStream(file, out -> {
                try (var ios = new javax.imageio.stream.MemoryCacheImageOutputStream(out)) {
                    writer.setOutput(ios);
                    writer.write(img);
                }
            });
        } finally {
            writer.dispose();
        }
    }
}
