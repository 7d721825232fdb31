package org.vfmtok.tensor.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Strided operands for the elementwise kernels (common.cuh's {@code Shape} and {@code Strided}, 72 bytes
 * each). Before launching, {@link #merge} simplifies the iteration space: size-1 dims are dropped and
 * neighbouring dims that every operand walks contiguously (stride[d] = stride[d+1]·size[d+1]) become one,
 * so a contiguous tensor is one dim however many it has, and the kernels' index arithmetic stays short.
 */
final class Layouts {
    static final int MAX_DIMS = 8;
    static final long STRUCT_BYTES = 8 + 8L * MAX_DIMS;

    private Layouts() {}

    /** A merged iteration space: sizes and, per operand, strides (same length). */
    record Merged(long[] sizes, long[][] strides) {
        int rank() { return sizes.length; }

        long numel() {
            long n = 1;
            for (long s : sizes) n *= s;
            return n;
        }
    }

    /** Merges dims of {@code shape} walked by operands with the given strides (one array per operand). */
    static Merged merge(int[] shape, long[]... strides) {
        int r = shape.length;
        long[] sizes = new long[r];
        long[][] st = new long[strides.length][r];
        int k = 0;
        for (int d = 0; d < r; d++) {
            if (shape[d] == 1) continue; // contributes nothing to any offset
            if (k > 0) {
                boolean mergeable = true;
                for (int o = 0; o < strides.length; o++) mergeable &= strides[o][d] * shape[d] == st[o][k - 1];
                if (mergeable) {
                    // previous dim (k-1) absorbs this one: new stride is this dim's stride
                    sizes[k - 1] *= shape[d];
                    for (int o = 0; o < strides.length; o++) st[o][k - 1] = strides[o][d];
                    continue;
                }
            }
            sizes[k] = shape[d];
            for (int o = 0; o < strides.length; o++) st[o][k] = strides[o][d];
            k++;
        }
        long[][] outStrides = new long[strides.length][];
        for (int o = 0; o < strides.length; o++) outStrides[o] = Arrays.copyOf(st[o], k);
        return new Merged(Arrays.copyOf(sizes, k), outStrides);
    }

    /** The {@code Shape} struct. */
    static MemorySegment shape(Arena a, long[] sizes) {
        if (sizes.length > MAX_DIMS) throw new IllegalArgumentException("CUDA kernels take at most " + MAX_DIMS + " dims after merging, got " + sizes.length);
        MemorySegment s = a.allocate(STRUCT_BYTES, 8);
        s.set(ValueLayout.JAVA_INT, 0, sizes.length);
        for (int d = 0; d < sizes.length; d++) s.set(ValueLayout.JAVA_LONG, 8 + 8L * d, sizes[d]);
        return s;
    }

    /** The {@code Strided} struct: element offset and strides. */
    static MemorySegment operand(Arena a, long offset, long[] strides) {
        if (strides.length > MAX_DIMS) throw new IllegalArgumentException("CUDA kernels take at most " + MAX_DIMS + " dims, got " + strides.length);
        MemorySegment s = a.allocate(STRUCT_BYTES, 8);
        s.set(ValueLayout.JAVA_LONG, 0, offset);
        for (int d = 0; d < strides.length; d++) s.set(ValueLayout.JAVA_LONG, 8 + 8L * d, strides[d]);
        return s;
    }

    static long[] longs(int[] a) {
        long[] r = new long[a.length];
        for (int i = 0; i < a.length; i++) r[i] = a[i];
        return r;
    }
}
