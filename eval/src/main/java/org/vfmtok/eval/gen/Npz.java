package org.vfmtok.eval.gen;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.vfmtok.eval.inception.ImageBatch;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.io.Npy;

/**
 * Reads a NumPy {@code .npz} (a zip of {@code .npy} entries, stored or deflated, ZIP64 included) the way the
 * ADM evaluator uses it: small arrays ({@code mu}, {@code sigma}, ...) whole, the image array {@code arr_0}
 * streamed in batches so that 50k 256x256 images never sit in memory at once.
 *
 * <p>Not thread-safe; close it when done (an open {@link ImageStream} reads through it).
 */
public final class Npz implements AutoCloseable {
    /** Arrays read whole are capped at this many elements (a 2048x2048 float64 covariance is 4M). */
    private static final long MAX_WHOLE_ELEMENTS = 1L << 28;

    private final Path file;
    private final ZipFile zip;
    private final Set<String> names = new LinkedHashSet<>();

    private Npz(Path file, ZipFile zip) {
        this.file = file;
        this.zip = zip;
        zip.stream().map(ZipEntry::getName).filter(n -> n.endsWith(".npy")).forEach(n -> names.add(n.substring(0, n.length() - 4)));
    }

    public static Npz open(Path file) throws IOException {
        org.vfmtok.tensor.io.FileKinds.requireRegularFile(file);
        try {
            return new Npz(file, new ZipFile(file.toFile()));
        } catch (ZipException e) {
            throw new IOException(file + ": not an .npz file (" + e.getMessage() + ")", e);
        }
    }

    public Path file() { return file; }

    /** The array names (entry names without {@code .npy}), in file order. */
    public Set<String> names() { return names; }

    public boolean has(String name) { return names.contains(name); }

    /** The dtype and shape of one array. */
    public Npy.ArrayHeader header(String name) throws IOException {
        try (InputStream in = open(name)) {
            return Npy.readHeader(in, where(name));
        }
    }

    /**
     * A numeric array (f2, f4, f8, u1, i4, i8; not bool) as doubles, C order; an empty {@code expectedShape}
     * accepts any shape.
     */
    public double[] readDoubles(String name, int... expectedShape) throws IOException {
        try (InputStream in = new BufferedInputStream(open(name), 1 << 16)) {
            Npy.ArrayHeader h = Npy.readHeader(in, where(name));
            if (expectedShape != null && expectedShape.length > 0 && !Arrays.equals(expectedShape, h.shape())) {
                throw new IOException(where(name) + ": shape " + Arrays.toString(h.shape()) + ", expected " + Arrays.toString(expectedShape));
            }
            if (h.dtype() == DType.BF16 || h.dtype() == DType.BOOL) {
                throw new IOException(where(name) + ": dtype " + h.dtype() + ", expected a numeric array (f4, f8, integers)");
            }
            if (h.numel() > MAX_WHOLE_ELEMENTS) throw new IOException(where(name) + ": " + h.numel() + " elements is too many to read whole");
            int n = (int) h.numel(), size = h.dtype().byteSize();
            byte[] raw = in.readNBytes(n * size);
            if (raw.length < n * size) throw new IOException(where(name) + ": truncated (" + raw.length + " of " + (n * size) + " data bytes)");
            ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
            double[] out = new double[n];
            for (int i = 0; i < n; i++) {
                out[i] = switch (h.dtype()) {
                    case F64 -> b.getDouble(i * 8);
                    case F32 -> b.getFloat(i * 4);
                    case F16 -> Float.float16ToFloat(b.getShort(i * 2));
                    case I64 -> b.getLong(i * 8);
                    case I32 -> b.getInt(i * 4);
                    default -> b.get(i) & 0xFF; // U8
                };
            }
            return out;
        }
    }

    /**
     * Streams the image array {@code name} (ADM: {@code arr_0}), which must be uint8 of shape (N, H, W, 3).
     * Anything else is refused with one line naming the file, the array, what it is and what is expected.
     */
    public ImageStream images(String name) throws IOException {
        if (!has(name)) throw new IOException(file + ": no array '" + name + "' (arrays: " + names + ")");
        InputStream in = new BufferedInputStream(open(name), 1 << 20);
        try {
            Npy.ArrayHeader h = Npy.readHeader(in, where(name));
            if (h.dtype() != DType.U8) {
                throw new IOException(where(name) + ": images must be uint8 (N, H, W, 3) as ADM stores them, got dtype "
                        + h.dtype().name().toLowerCase(java.util.Locale.ROOT) + " " + Arrays.toString(h.shape()));
            }
            int[] s = h.shape();
            if (s.length != 4 || s[3] != ImageBatch.CHANNELS) {
                throw new IOException(where(name) + ": images must be (N, H, W, 3) NHWC RGB, got shape " + Arrays.toString(s)
                        + (s.length == 4 ? " (" + s[3] + " channels)" : ""));
            }
            if (s[1] < 1 || s[2] < 1) throw new IOException(where(name) + ": empty images " + Arrays.toString(s));
            return new ImageStream(in, s[0], s[1], s[2]);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    private InputStream open(String name) throws IOException {
        ZipEntry e = zip.getEntry(name + ".npy");
        if (e == null) throw new IOException(file + ": no array '" + name + "' (arrays: " + names + ")");
        return zip.getInputStream(e);
    }

    private Path where(String name) { return Path.of(file + ":" + name); }

    @Override
    public void close() throws IOException {
        zip.close();
    }

    /** The images of one array, read front to back in batches. */
    public final class ImageStream implements AutoCloseable {
        private final InputStream in;
        private final int count, height, width;
        private int read;

        private ImageStream(InputStream in, int count, int height, int width) {
            this.in = in;
            this.count = count;
            this.height = height;
            this.width = width;
        }

        public int count() { return count; }

        public int height() { return height; }

        public int width() { return width; }

        public int remaining() { return count - read; }

        /** The next up to {@code max} images; an empty batch at the end. */
        public ImageBatch next(int max) throws IOException {
            int k = Math.min(max, remaining());
            int bytes = Math.multiplyExact(Math.multiplyExact(k, height * width), ImageBatch.CHANNELS);
            byte[] px = in.readNBytes(bytes);
            if (px.length < bytes) {
                throw new IOException(file + ": images end early (image " + (read + px.length / (height * width * 3)) + " of " + count + "; truncated?)");
            }
            read += k;
            return new ImageBatch(px, k, height, width);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
