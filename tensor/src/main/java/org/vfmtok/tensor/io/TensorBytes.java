package org.vfmtok.tensor.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;
import org.vfmtok.tensor.Device;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Shapes;
import org.vfmtok.tensor.StridedIndex;
import org.vfmtok.tensor.Tensor;

/**
 * Streams a tensor's elements to a channel in row-major order and little-endian byte order (the
 * storage order of every backend here), whatever the view's strides: contiguous tensors go out
 * straight from their storage, other views are gathered row by row through a small staging buffer,
 * so saving a transposed or expanded view never allocates a full-size copy.
 */
final class TensorBytes {
    private static final int STAGING_BYTES = 1 << 20;
    /** FileChannel writes of a single ByteBuffer are limited to 2 GiB; write in slices. */
    private static final long MAX_WRITE = 1L << 30;

    private TensorBytes() {}

    /** Bytes that {@link #write} produces for {@code t}. */
    static long byteCount(Tensor t) {
        return Math.multiplyExact(t.numel(), (long) t.dtype().byteSize());
    }

    static void write(Tensor t, WritableByteChannel out) throws IOException {
        if (!t.device().isCpu()) {
            // Device tensors are copied to the host one at a time, freed right after.
            try (Scope s = Scope.open("tensor-bytes")) {
                write(t.detach().to(Device.CPU), out);
            }
            return;
        }
        long n = t.numel();
        if (n == 0) return;
        MemorySegment seg = t.segment(); // fails clearly if the storage was freed
        int bs = t.dtype().byteSize();
        if (t.isContiguous()) {
            writeFully(out, seg.asSlice(t.byteOffset(), n * bs));
            return;
        }
        int[] shape = t.shape();
        long[] strides = t.strides();
        int last = shape.length - 1; // >= 0: a 0-d tensor is contiguous
        int rowLength = shape[last];
        long rowStride = strides[last];
        int[] outer = Arrays.copyOf(shape, last);
        long rows = Shapes.numel(outer);
        try (Arena arena = Arena.ofConfined()) {
            Staging staging = new Staging(arena.allocate(STAGING_BYTES), out);
            StridedIndex it = new StridedIndex(outer, Arrays.copyOf(strides, last)).start(t.offset());
            for (long r = 0; r < rows; r++, it.next()) {
                long base = it.offset(0);
                if (rowStride == 1) {
                    staging.append(seg, base * bs, (long) rowLength * bs);
                } else {
                    staging.gather(seg, base * bs, rowStride * bs, rowLength, bs);
                }
            }
            staging.flush();
        }
    }

    static void writeFully(WritableByteChannel out, MemorySegment bytes) throws IOException {
        for (long p = 0; p < bytes.byteSize(); p += MAX_WRITE) {
            ByteBuffer b = bytes.asSlice(p, Math.min(MAX_WRITE, bytes.byteSize() - p)).asByteBuffer();
            while (b.hasRemaining()) out.write(b);
        }
    }

    private static final class Staging {
        private final MemorySegment buffer;
        private final WritableByteChannel out;
        private long filled;

        Staging(MemorySegment buffer, WritableByteChannel out) {
            this.buffer = buffer;
            this.out = out;
        }

        void append(MemorySegment src, long offset, long length) throws IOException {
            while (length > 0) {
                long k = Math.min(length, buffer.byteSize() - filled);
                MemorySegment.copy(src, offset, buffer, filled, k);
                filled += k;
                offset += k;
                length -= k;
                if (filled == buffer.byteSize()) flush();
            }
        }

        /** Appends {@code count} elements of {@code bs} bytes found {@code step} bytes apart. */
        void gather(MemorySegment src, long offset, long step, int count, int bs) throws IOException {
            for (int j = 0; j < count; j++, offset += step) {
                if (filled + bs > buffer.byteSize()) flush();
                // Typed moves: far cheaper per element than a bulk MemorySegment.copy of 2-8 bytes.
                switch (bs) {
                    case 1 -> buffer.set(ValueLayout.JAVA_BYTE, filled, src.get(ValueLayout.JAVA_BYTE, offset));
                    case 2 -> buffer.set(ValueLayout.JAVA_SHORT_UNALIGNED, filled, src.get(ValueLayout.JAVA_SHORT_UNALIGNED, offset));
                    case 4 -> buffer.set(ValueLayout.JAVA_INT_UNALIGNED, filled, src.get(ValueLayout.JAVA_INT_UNALIGNED, offset));
                    case 8 -> buffer.set(ValueLayout.JAVA_LONG_UNALIGNED, filled, src.get(ValueLayout.JAVA_LONG_UNALIGNED, offset));
                    default -> MemorySegment.copy(src, offset, buffer, filled, bs);
                }
                filled += bs;
            }
        }

        void flush() throws IOException {
            writeFully(out, buffer.asSlice(0, filled));
            filled = 0;
        }
    }
}
