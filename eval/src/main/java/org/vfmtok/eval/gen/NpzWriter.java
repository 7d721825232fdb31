package org.vfmtok.eval.gen;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.io.AtomicFiles;
import org.vfmtok.tensor.io.Npy;

/**
 * Writes a NumPy {@code .npz} that {@code np.load} reads: one {@code name.npy} entry per array, with the exact
 * headers {@code numpy.save} writes, deflate level 0 (no compression work; ZIP64 for entries over 4 GB), the
 * whole file written atomically (a temporary file renamed into place). Large arrays (ADM's {@code arr_0}) can
 * be streamed with {@link #begin}.
 */
public final class NpzWriter {
    /** What goes into the file. */
    @FunctionalInterface
    public interface Body {
        void write(NpzWriter npz) throws IOException;
    }

    private final ZipOutputStream zip;
    private final Set<String> written = new HashSet<>();
    private ArrayStream open;

    private NpzWriter(ZipOutputStream zip) {
        this.zip = zip;
    }

    /** Replaces (or creates) {@code target} with the arrays {@code body} adds. */
    public static void write(Path target, Body body) throws IOException {
        AtomicFiles.writeStream(target, out -> {
            ZipOutputStream zip = new ZipOutputStream(new FilterOutputStream(out) {
                @Override public void write(byte[] b, int off, int len) throws IOException { out.write(b, off, len); }

                @Override public void close() throws IOException { flush(); } // AtomicFiles owns the stream
            });
            zip.setLevel(Deflater.NO_COMPRESSION);
            NpzWriter w = new NpzWriter(zip);
            body.write(w);
            if (w.open != null) throw new IOException(target + ": array '" + w.open.name + "' was begun but not closed");
            zip.finish();
        });
    }

    /** A float64 array of this shape (C order). */
    public void add(String name, double[] data, int... shape) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : data) b.putDouble(v);
        addRaw(name, DType.F64, shape, b.array());
    }

    /** A float32 array of this shape (C order). */
    public void add(String name, float[] data, int... shape) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : data) b.putFloat(v);
        addRaw(name, DType.F32, shape, b.array());
    }

    /** A uint8 array of this shape (C order): images as ADM stores them, (N, H, W, 3). */
    public void add(String name, byte[] data, int... shape) throws IOException {
        addRaw(name, DType.U8, shape, data);
    }

    private void addRaw(String name, DType dtype, int[] shape, byte[] bytes) throws IOException {
        try (OutputStream s = begin(name, dtype, shape)) {
            s.write(bytes);
        }
    }

    /**
     * Starts array {@code name}: write exactly its C-order little-endian bytes to the returned stream, then close
     * it (closing checks the count). One array at a time.
     */
    public OutputStream begin(String name, DType dtype, int... shape) throws IOException {
        if (open != null) throw new IOException("npz: array '" + open.name + "' is still open");
        if (!written.add(name)) throw new IOException("npz: array '" + name + "' written twice");
        long numel = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("npz: array '" + name + "' has a negative dimension " + Arrays.toString(shape));
            numel = Math.multiplyExact(numel, d);
        }
        zip.putNextEntry(new ZipEntry(name + ".npy"));
        zip.write(Npy.header(dtype, shape));
        open = new ArrayStream(name, Math.multiplyExact(numel, dtype.byteSize()));
        return open;
    }

    private final class ArrayStream extends OutputStream {
        final String name;
        final long expected;
        long count;

        ArrayStream(String name, long expected) {
            this.name = name;
            this.expected = expected;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (count + len > expected) throw new IOException("npz: array '" + name + "' takes " + expected + " bytes, got more");
            zip.write(b, off, len);
            count += len;
        }

        @Override
        public void close() throws IOException {
            if (open != this) return;
            open = null;
            if (count != expected) throw new IOException("npz: array '" + name + "' takes " + expected + " bytes, got " + count);
            zip.closeEntry();
        }
    }
}
