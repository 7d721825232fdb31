package org.vfmtok.nn.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.vfmtok.tensor.io.InputLimits;
import org.vfmtok.tensor.io.TerminalText;

/**
 * A minimal read-only zip reader over a mapped file, written for torch.save archives: it gives the byte
 * range of each record so STORED records (how torch writes storages, 64-byte aligned) can be used in
 * place, and inflates DEFLATED ones into memory of the given arena. Supports ZIP64. Every offset and
 * size read from the file is checked against the file before use.
 */
final class ZipArchive {
    /** One record of the central directory. */
    record Entry(String name, int method, long compressedSize, long size, long crc, long localHeaderOffset) {}

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int EOCD = 0x06054b50, ZIP64_EOCD = 0x06064b50, ZIP64_LOCATOR = 0x07064b50, CENTRAL = 0x02014b50,
            LOCAL = 0x04034b50;
    /** Deflate cannot expand more than about 1032:1; a larger declared ratio is a lie (or a bomb). */
    private static final long MAX_DEFLATE_RATIO = 1100;

    private final MemorySegment file;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    /** Bytes inflated so far; all deflated records together stay within {@link InputLimits#inflatedBytes}. */
    private long inflated;

    ZipArchive(MemorySegment file) throws TorchCheckpointException {
        this.file = file;
        readCentralDirectory();
    }

    static boolean looksLikeZip(MemorySegment file) {
        return file.byteSize() >= 4 && file.get(U32, 0) == LOCAL;
    }

    Map<String, Entry> entries() { return Collections.unmodifiableMap(entries); }

    Entry entry(String name) { return entries.get(name); }

    /**
     * The bytes of a record: a slice of the mapping if STORED, else inflated into {@code arena}.
     * {@code verifyCrc} checks the CRC-32 too (used for small records; storages are too big to hash
     * on every load).
     */
    MemorySegment data(Entry e, Arena arena, boolean verifyCrc) throws TorchCheckpointException {
        long start = dataStart(e);
        MemorySegment compressed = file.asSlice(start, e.compressedSize());
        MemorySegment out;
        if (e.method() == 0) {
            if (e.size() != e.compressedSize()) {
                throw new TorchCheckpointException("zip record '" + shown(e) + "' is stored but declares " + e.size() + " bytes, "
                        + e.compressedSize() + " stored");
            }
            out = compressed;
        } else if (e.method() == 8) {
            out = inflate(e, compressed, arena);
        } else {
            throw new TorchCheckpointException("zip record '" + shown(e) + "' uses compression method " + e.method()
                    + "; only stored (0) and deflate (8) are supported");
        }
        if (verifyCrc) {
            CRC32 crc = new CRC32();
            crc.update(out.asByteBuffer());
            if (crc.getValue() != e.crc()) throw new TorchCheckpointException("zip record '" + shown(e) + "' fails its CRC check (corrupt file)");
        }
        return out;
    }

    private MemorySegment inflate(Entry e, MemorySegment compressed, Arena arena) throws TorchCheckpointException {
        if (e.size() > Math.max(1024, e.compressedSize()) * MAX_DEFLATE_RATIO) {
            throw new TorchCheckpointException("zip record '" + shown(e) + "' declares " + e.size() + " bytes from only "
                    + e.compressedSize() + " compressed bytes");
        }
        long limit = InputLimits.inflatedBytes(file.byteSize());
        if (e.size() > limit - inflated) {
            throw new TorchCheckpointException(InputLimits.refusal(null, "zip record '" + shown(e) + "' inflating to " + e.size()
                    + " bytes (" + inflated + " inflated before it, from a " + file.byteSize() + "-byte archive)", limit,
                    "bytes of decompressed data", InputLimits.INFLATED_BYTES));
        }
        inflated += e.size();
        MemorySegment out = arena.allocate(Math.max(1, e.size()), 64).asSlice(0, e.size());
        Inflater inf = new Inflater(true);
        try {
            inf.setInput(compressed.asByteBuffer());
            ByteBuffer dst = out.asByteBuffer();
            while (!inf.finished() && dst.hasRemaining()) {
                int n = inf.inflate(dst);
                if (n == 0 && (inf.needsInput() || inf.needsDictionary())) break;
            }
            long produced = dst.position();
            boolean more = !inf.finished() && inf.inflate(ByteBuffer.allocate(1)) > 0;
            if (produced != e.size() || more) {
                throw new TorchCheckpointException("zip record '" + shown(e) + "' inflates to " + (more ? "more than " : "") + produced
                        + " bytes but declares " + e.size());
            }
            return out;
        } catch (DataFormatException ex) {
            throw new TorchCheckpointException("zip record '" + shown(e) + "' has corrupt deflate data: " + ex.getMessage());
        } finally {
            inf.end();
        }
    }

    /** Where a record's data begins: after its local header, whose name and extra lengths may differ from the central ones. */
    long dataStart(Entry e) throws TorchCheckpointException {
        long h = e.localHeaderOffset();
        if (h < 0 || h > file.byteSize() - 30 || file.get(U32, h) != LOCAL) {
            throw new TorchCheckpointException("zip record '" + shown(e) + "' has no valid local header at offset " + h);
        }
        long start = h + 30 + u16(h + 26) + u16(h + 28);
        if (e.compressedSize() < 0 || start > file.byteSize() || e.compressedSize() > file.byteSize() - start) {
            throw new TorchCheckpointException("zip record '" + shown(e) + "' needs " + e.compressedSize() + " bytes at offset " + start
                    + " but the file has " + file.byteSize() + " bytes (truncated?)");
        }
        return start;
    }

    // ------------------------------------------------------------------ central directory

    private void readCentralDirectory() throws TorchCheckpointException {
        long size = file.byteSize();
        long eocd = -1;
        for (long p = size - 22; p >= Math.max(0, size - 22 - 65535); p--) {
            if (file.get(U32, p) == EOCD) {
                eocd = p;
                break;
            }
        }
        if (eocd < 0) throw new TorchCheckpointException("not a complete zip archive: no end-of-central-directory record (truncated file?)");
        long count = u16(eocd + 10);
        long cdSize = u32(eocd + 12);
        long cdOffset = u32(eocd + 16);
        if (count == 0xFFFF || cdSize == 0xFFFFFFFFL || cdOffset == 0xFFFFFFFFL) {
            long loc = eocd - 20;
            if (loc < 0 || file.get(U32, loc) != ZIP64_LOCATOR) throw new TorchCheckpointException("zip64 archive without a zip64 locator");
            long z = file.get(U64, loc + 8);
            if (z < 0 || z > size - 56 || file.get(U32, z) != ZIP64_EOCD) throw new TorchCheckpointException("bad zip64 end-of-central-directory offset " + z);
            count = file.get(U64, z + 32);
            cdSize = file.get(U64, z + 40);
            cdOffset = file.get(U64, z + 48);
        }
        if (cdOffset < 0 || cdSize < 0 || cdOffset > size || cdSize > size - cdOffset || count < 0 || count > cdSize / 46) {
            throw new TorchCheckpointException("zip central directory (" + count + " records, " + cdSize + " bytes at " + cdOffset
                    + ") does not fit in the " + size + "-byte file");
        }
        long p = cdOffset, cdEnd = cdOffset + cdSize;
        for (long i = 0; i < count; i++) {
            if (p > cdEnd - 46 || file.get(U32, p) != CENTRAL) throw new TorchCheckpointException("corrupt zip central directory at offset " + p);
            int flags = u16(p + 8);
            int method = u16(p + 10);
            long crc = u32(p + 16);
            long csize = u32(p + 20), usize = u32(p + 24);
            int nameLen = u16(p + 28), extraLen = u16(p + 30), commentLen = u16(p + 32);
            long local = u32(p + 42);
            long next = p + 46 + nameLen + extraLen + commentLen;
            if (next > cdEnd) throw new TorchCheckpointException("corrupt zip central directory at offset " + p);
            String name = new String(file.asSlice(p + 46, nameLen).toArray(ValueLayout.JAVA_BYTE),
                    (flags & 0x800) != 0 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            if ((flags & 1) != 0) throw new TorchCheckpointException("zip record '" + TerminalText.escape(name, 200) + "' is encrypted");
            // ZIP64 extra field: the 64-bit values, in this order, for the fields that hold 0xFFFFFFFF
            long x = p + 46 + nameLen, xEnd = x + extraLen;
            while (x + 4 <= xEnd) {
                int id = u16(x), len = u16(x + 2);
                long v = x + 4;
                if (v + len > xEnd) break;
                if (id == 1) {
                    if (usize == 0xFFFFFFFFL && v + 8 <= x + 4 + len) { usize = file.get(U64, v); v += 8; }
                    if (csize == 0xFFFFFFFFL && v + 8 <= x + 4 + len) { csize = file.get(U64, v); v += 8; }
                    if (local == 0xFFFFFFFFL && v + 8 <= x + 4 + len) { local = file.get(U64, v); }
                }
                x += 4 + len;
            }
            entries.put(name, new Entry(name, method, csize, usize, crc, local));
            p = next;
        }
    }

    private static String shown(Entry e) { return TerminalText.escape(e.name(), 200); }

    private int u16(long at) { return file.get(U16, at) & 0xFFFF; }

    private long u32(long at) { return Integer.toUnsignedLong(file.get(U32, at)); }
}
