package org.vfmtok.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Streams arrays into an {@code .npz} laid out as {@code numpy.savez} writes it: a zip of STORED (uncompressed)
 * {@code NAME.npy} entries, each with the {@code numpy.save} header (version 1.0, 64-byte aligned, spare spaces
 * for growth), ZIP64 where an entry passes 4 GiB. The data never sits in memory whole: it is read twice from its
 * source, once for the CRC a STORED entry must declare up front, once to write it.
 */
final class NpzWriter implements AutoCloseable {
    /** The bytes of one array, in C order, given chunk by chunk; called twice, must give the same bytes each time. */
    @FunctionalInterface
    interface Source {
        void forEachChunk(ChunkSink sink) throws IOException;
    }

    @FunctionalInterface
    interface ChunkSink {
        void accept(byte[] bytes, int offset, int length) throws IOException;
    }

    private final ZipOutputStream zip;

    NpzWriter(OutputStream out) {
        zip = new ZipOutputStream(out);
        zip.setMethod(ZipOutputStream.STORED);
    }

    /** Adds {@code name}.npy with dtype {@code descr} (NumPy's, e.g. {@code |u1}, {@code <i8}) and {@code shape}. */
    void add(String name, String descr, int elementBytes, int[] shape, Source data) throws IOException {
        long numel = 1;
        for (int d : shape) numel = Math.multiplyExact(numel, (long) d);
        long dataBytes = Math.multiplyExact(numel, (long) elementBytes);
        byte[] header = npyHeader(descr, shape);
        CRC32 crc = new CRC32();
        crc.update(header);
        long[] seen = {0};
        data.forEachChunk((b, off, len) -> {
            crc.update(b, off, len);
            seen[0] += len;
        });
        if (seen[0] != dataBytes) throw new IOException(name + ": the source gave " + seen[0] + " bytes, the shape needs " + dataBytes);
        ZipEntry e = new ZipEntry(name + ".npy");
        e.setMethod(ZipEntry.STORED);
        e.setSize(header.length + dataBytes);
        e.setCompressedSize(header.length + dataBytes);
        e.setCrc(crc.getValue());
        e.setTime(315532800000L + 12 * 3600_000L); // a fixed time (1980-01-01, as zipfile writes for np.savez): the same samples give the same bytes
        zip.putNextEntry(e);
        zip.write(header);
        CRC32 again = new CRC32();
        again.update(header);
        data.forEachChunk((b, off, len) -> {
            again.update(b, off, len);
            zip.write(b, off, len);
        });
        if (again.getValue() != crc.getValue()) throw new IOException(name + ": the source changed between its two reads");
        zip.closeEntry();
    }

    /** The {@code numpy.save} header of a C-order array (what {@code org.vfmtok.tensor.io.Npy#write} writes before the data). */
    static byte[] npyHeader(String descr, int[] shape) {
        StringBuilder dict = new StringBuilder("{'descr': '").append(descr).append("', 'fortran_order': False, 'shape': (");
        for (int i = 0; i < shape.length; i++) dict.append(i == 0 ? "" : ", ").append(shape[i]);
        dict.append(shape.length == 1 ? ",), }" : "), }");
        if (shape.length > 0) dict.append(" ".repeat(Math.max(0, 21 - Integer.toString(shape[0]).length())));
        int hlen = dict.length() + 1;
        int padlen = 64 - ((10 + hlen) % 64);
        if (hlen + padlen > 0xFFFF) throw new IllegalArgumentException("npy header too long for format 1.0: " + dict.length() + " characters");
        byte[] out = new byte[10 + hlen + padlen];
        byte[] magic = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
        System.arraycopy(magic, 0, out, 0, 8);
        out[8] = (byte) ((hlen + padlen) & 0xFF);
        out[9] = (byte) ((hlen + padlen) >>> 8);
        byte[] text = dict.toString().getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(text, 0, out, 10, text.length);
        for (int i = 10 + text.length; i < out.length - 1; i++) out[i] = ' ';
        out[out.length - 1] = '\n';
        return out;
    }

    /** Writes the central directory; the underlying stream stays open (it is the caller's). */
    @Override
    public void close() throws IOException {
        zip.finish();
    }
}
