package org.vfmtok.tensor.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.Shapes;
import org.vfmtok.tensor.StridedIndex;

/** Merging dims must enumerate exactly the offsets of the original layout, in the same order. */
class LayoutsTest {
    /** Offsets of every element of (shape, strides) in row-major order, as the kernels' offset_of computes them. */
    private static long[] kernelOffsets(long[] sizes, long[] strides, long n) {
        long[] out = new long[(int) n];
        for (long i = 0; i < n; i++) {
            long off = 0, rem = i;
            for (int d = sizes.length - 1; d >= 0; d--) {
                off += (rem % sizes[d]) * strides[d];
                rem /= sizes[d];
            }
            out[(int) i] = off;
        }
        return out;
    }

    private static long[] referenceOffsets(int[] shape, long[] strides) {
        long n = Shapes.numel(shape);
        long[] out = new long[(int) n];
        StridedIndex it = new StridedIndex(shape, strides).start(0);
        for (int i = 0; i < n; i++, it.next()) out[i] = it.offset(0);
        return out;
    }

    @Test
    void mergedLayoutsVisitTheSameOffsets() {
        Random r = new Random(7);
        for (int trial = 0; trial < 500; trial++) {
            int rank = r.nextInt(6);
            int[] shape = new int[rank];
            for (int d = 0; d < rank; d++) shape[d] = 1 + r.nextInt(4);
            long[] contiguous = Shapes.contiguousStrides(shape);
            // operand 0: contiguous; operand 1: permuted or broadcast; operand 2: a narrowed view
            long[] a = contiguous.clone();
            long[] b = new long[rank];
            for (int d = 0; d < rank; d++) b[d] = r.nextInt(3) == 0 ? 0 : contiguous[rank - 1 - d] * (1 + r.nextInt(2));
            long[] c = new long[rank];
            long s = 1;
            for (int d = rank - 1; d >= 0; d--) {
                c[d] = s;
                s *= shape[d] + r.nextInt(2);
            }
            Layouts.Merged m = Layouts.merge(shape, a, b, c);
            assertTrue(m.rank() <= rank);
            assertEquals(Shapes.numel(shape), m.numel());
            long[][] in = {a, b, c};
            for (int o = 0; o < 3; o++) {
                assertArrayEquals(referenceOffsets(shape, in[o]), kernelOffsets(m.sizes(), m.strides()[o], m.numel()),
                        "shape " + Arrays.toString(shape) + " strides " + Arrays.toString(in[o]));
            }
        }
    }

    @Test
    void contiguousCollapsesToOneDimAndSizeOneDimsVanish() {
        int[] shape = {2, 1, 3, 4};
        Layouts.Merged m = Layouts.merge(shape, Shapes.contiguousStrides(shape));
        assertArrayEquals(new long[] {24}, m.sizes());
        assertArrayEquals(new long[] {1}, m.strides()[0]);
        Layouts.Merged t = Layouts.merge(new int[] {3, 4}, new long[] {1, 3}); // a transposed view stays 2-d
        assertEquals(2, t.rank());
        Layouts.Merged scalar = Layouts.merge(new int[] {1, 1}, new long[] {5, 9});
        assertEquals(0, scalar.rank());
        assertEquals(1, scalar.numel());
    }
}
