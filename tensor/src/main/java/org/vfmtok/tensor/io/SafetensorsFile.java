package org.vfmtok.tensor.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import org.vfmtok.tensor.Tensor;

/**
 * A safetensors file mapped read-only into memory. Tensors returned by {@link #tensor} are zero-copy
 * views of the mapping: they stay valid until {@link #close()}, which unmaps the file; any access
 * afterwards fails with an {@link IllegalStateException} rather than reading unmapped memory. Use
 * {@link Safetensors#load} to get copies that outlive the file. The mapping is read-only: writing
 * into a mapped tensor (in-place ops, optimizer updates) fails with the JDK's
 * {@code IllegalArgumentException("Attempt to write a read-only segment")}; trainable parameters
 * should be loaded as copies.
 *
 * <p>The header is fully validated by {@link #open} (see {@link SafetensorsHeader}), so every tensor
 * of an opened file can be read. The mapping uses a shared arena: tensors may be read from any thread.
 * As with any memory mapping, truncating the file on disk while it is open makes later reads fail
 * with an {@link InternalError}.
 *
 * <p>File order, used by {@link #names()} and {@link #tensors()}, is ascending data offset, which is
 * also header order for files from the reference writer and from {@link Safetensors#save}.
 */
public final class SafetensorsFile implements AutoCloseable {
    private final Path path;
    private final Arena arena;
    private final MemorySegment data;
    private final Map<String, TensorInfo> infos;
    private final Map<String, String> metadata;
    private volatile boolean closed;

    private SafetensorsFile(Path path, Arena arena, MemorySegment data, SafetensorsHeader header) {
        this.path = path;
        this.arena = arena;
        this.data = data;
        Map<String, TensorInfo> m = new LinkedHashMap<>();
        for (TensorInfo t : header.tensors()) m.put(t.name(), t);
        this.infos = Collections.unmodifiableMap(m);
        this.metadata = header.metadata();
    }

    /** Validates the header and maps the data section read-only. */
    public static SafetensorsFile open(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new SafetensorsException(path, null, "file has " + size + " bytes, too short for the 8-byte header length");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0, path);
            long n = lenBuf.getLong(0); // u64 on disk: negative here means >= 2^63
            if (n < 0 || n > SafetensorsHeader.MAX_HEADER_BYTES) {
                throw new SafetensorsException(path, null, "declared header length " + Long.toUnsignedString(n)
                        + " exceeds the " + SafetensorsHeader.MAX_HEADER_BYTES + "-byte limit: not a safetensors file or corrupt");
            }
            if (n > size - 8) {
                throw new SafetensorsException(path, null, "declared header length " + n + " is larger than the rest of the file ("
                        + (size - 8) + " bytes): file truncated or not a safetensors file");
            }
            if (n < 2) throw new SafetensorsException(path, null, "declared header length " + n + " is too small for a JSON object");
            ByteBuffer header = ByteBuffer.allocate((int) n); // checked against the real file size above
            readFully(ch, header, 8, path);
            long dataStart = 8 + n;
            long dataLength = size - dataStart;
            SafetensorsHeader parsed = SafetensorsHeader.parse(path, header.array(), dataLength);
            Arena arena = Arena.ofShared();
            try {
                MemorySegment data = dataLength == 0 ? MemorySegment.NULL
                        : ch.map(FileChannel.MapMode.READ_ONLY, dataStart, dataLength, arena);
                return new SafetensorsFile(path, arena, data, parsed);
            } catch (IOException | RuntimeException e) {
                arena.close();
                throw e;
            }
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position, Path path) throws IOException {
        long p = position;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, p);
            if (r < 0) throw new SafetensorsException(path, null, "file ended while reading its header (truncated?)");
            p += r;
        }
    }

    public Path path() { return path; }

    /** Tensor names in file order. */
    public Set<String> names() { return infos.keySet(); }

    /** Validated header entries in file order. */
    public List<TensorInfo> infos() { return List.copyOf(infos.values()); }

    public boolean contains(String name) { return infos.containsKey(name); }

    /** The header entry of {@code name}: dtype, shape and byte range in the data section. */
    public TensorInfo info(String name) {
        TensorInfo t = infos.get(name);
        if (t == null) throw missing(name);
        return t;
    }

    /** A zero-copy view of tensor {@code name}, valid until this file is closed. */
    public Tensor tensor(String name) {
        checkOpen();
        TensorInfo t = info(name);
        return Tensor.wrap(data.asSlice(t.begin(), t.byteSize()), t.dtype(), t.shape());
    }

    /** Zero-copy views of every tensor, in file order. */
    public Map<String, Tensor> tensors() {
        checkOpen();
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String name : infos.keySet()) out.put(name, tensor(name));
        return out;
    }

    /** The raw bytes of tensor {@code name} (row-major, little-endian), valid until close. */
    public MemorySegment bytes(String name) {
        checkOpen();
        TensorInfo t = info(name);
        return data.asSlice(t.begin(), t.byteSize());
    }

    /** The {@code __metadata__} map (empty when the file has none). */
    public Map<String, String> metadata() { return metadata; }

    private void checkOpen() {
        if (closed) throw new IllegalStateException(path + ": safetensors file is closed");
    }

    private NoSuchElementException missing(String name) {
        StringBuilder sb = new StringBuilder(SafetensorsException.describe(path, name, "no such tensor; the file has "
                + infos.size() + " tensors"));
        int shown = 0;
        for (String n : infos.keySet()) {
            if (shown == 5) {
                sb.append(", ...");
                break;
            }
            sb.append(shown++ == 0 ? ": " : ", ").append(SafetensorsException.printable(n));
        }
        return new NoSuchElementException(sb.toString());
    }

    /** Unmaps the file; tensors obtained from it become unusable. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        arena.close();
    }
}
