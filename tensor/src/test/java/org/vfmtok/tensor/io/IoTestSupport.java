package org.vfmtok.tensor.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.NativeMemory;
import org.vfmtok.tensor.Tensor;

/** Shared helpers for the io tests: random tensors, an independent byte oracle, allocation probes. */
final class IoTestSupport {
    private IoTestSupport() {}

    /** Fills every element of {@code t} (through its strides) with a random value valid for its dtype. */
    static Tensor randomFill(Tensor t, SplittableRandom rng) {
        forEachIndex(t.shape(), idx -> t.setDouble(randomValue(t.dtype(), rng), idx));
        return t;
    }

    static double randomValue(DType dtype, SplittableRandom rng) {
        return switch (dtype) {
            case F32, F64, F16, BF16 -> (rng.nextDouble() - 0.5) * 20;
            case I32 -> rng.nextInt(-1_000_000_000, 1_000_000_000);
            case I64 -> rng.nextLong(-(1L << 50), 1L << 50);
            case U8 -> rng.nextInt(256);
            case BOOL -> rng.nextInt(2);
        };
    }

    /** A fresh random contiguous tensor. */
    static Tensor random(DType dtype, SplittableRandom rng, int... shape) {
        return randomFill(Tensor.empty(dtype, shape), rng);
    }

    /**
     * Named tensors of one dtype covering the layouts a writer must handle: contiguous, 0-d, empty,
     * transposed, strided slice, expanded (stride 0), narrowed with an offset, size-1 dims.
     */
    static Map<String, Tensor> layouts(DType dtype, SplittableRandom rng) {
        String p = dtype.name().toLowerCase() + ".";
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put(p + "contiguous", random(dtype, rng, 3, 5));
        m.put(p + "scalar", random(dtype, rng));
        m.put(p + "empty", Tensor.empty(dtype, 0, 3));
        m.put(p + "empty.inner", Tensor.empty(dtype, 4, 0, 2));
        m.put(p + "transposed", random(dtype, rng, 4, 3).transpose(0, 1));
        m.put(p + "strided", random(dtype, rng, 5, 9).slice(1, 1, 9, 3));
        m.put(p + "expanded", random(dtype, rng, 3, 1).expand(3, 4));
        m.put(p + "narrowed", random(dtype, rng, 6, 4, 2).narrow(0, 2, 3).permute(2, 0, 1));
        m.put(p + "ones", random(dtype, rng, 1, 1, 7, 1));
        return m;
    }

    /**
     * Row-major element bytes of any view, walking indices one element at a time: an oracle that
     * shares no code with the writers under test.
     */
    static byte[] rowMajorBytes(Tensor t) {
        int bs = t.dtype().byteSize();
        long[] strides = t.strides();
        MemorySegment seg = t.segment();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        forEachIndex(t.shape(), idx -> {
            long e = t.offset();
            for (int d = 0; d < idx.length; d++) e += idx[d] * strides[d];
            for (int b = 0; b < bs; b++) out.write(seg.get(ValueLayout.JAVA_BYTE, e * bs + b));
        });
        return out.toByteArray();
    }

    static void assertSameTensor(String what, Tensor expected, Tensor actual) {
        assertEquals(expected.dtype(), actual.dtype(), what + ": dtype");
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        assertArrayEquals(rowMajorBytes(expected), rowMajorBytes(actual), what + ": element bytes");
    }

    interface IndexVisitor {
        void visit(int[] idx);
    }

    static void forEachIndex(int[] shape, IndexVisitor v) {
        for (int s : shape) if (s == 0) return;
        int[] idx = new int[shape.length];
        while (true) {
            v.visit(idx);
            int d = shape.length - 1;
            while (d >= 0 && ++idx[d] == shape[d]) idx[d--] = 0;
            if (d < 0) return;
        }
    }

    static Path resource(String name) {
        try {
            return Path.of(IoTestSupport.class.getResource(name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new AssertionError("missing test resource " + name, e);
        }
    }

    /** Heap bytes allocated by this thread so far (HotSpot's per-thread TLAB accounting). */
    static long threadAllocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /**
     * Runs {@code body}, which must throw {@code type}, and checks that it allocated at most
     * {@code maxHeapBytes} on the heap and no native memory: a reader that trusted a declared size
     * would allocate it before failing.
     */
    static <T extends Throwable> T assertFailsCheaply(Class<T> type, long maxHeapBytes, org.junit.jupiter.api.function.Executable body) {
        long nativeBefore = NativeMemory.liveBytes();
        long heapBefore = threadAllocatedBytes();
        T ex = assertThrows(type, body);
        long heap = threadAllocatedBytes() - heapBefore;
        assertTrue(heap <= maxHeapBytes, "allocated " + heap + " heap bytes while failing (limit " + maxHeapBytes + "): " + ex.getMessage());
        assertEquals(nativeBefore, NativeMemory.liveBytes(), "native memory allocated while failing");
        return ex;
    }

    static void assertMessageContains(Throwable ex, String... fragments) {
        for (String f : fragments) {
            assertTrue(ex.getMessage().contains(f), "message lacks \"" + f + "\": " + ex.getMessage());
        }
    }

    static String describe(int[] shape) { return Arrays.toString(shape); }
}
