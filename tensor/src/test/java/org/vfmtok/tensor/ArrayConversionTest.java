package org.vfmtok.tensor;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** {@link Tensor#of(DType, double[], int...)} and the {@code to*Array} methods for every dtype. */
class ArrayConversionTest {
    @Test
    void everyDtypeRoundTripsSmallWholeNumbers() {
        double[] values = {0, 1, 0, 1, 1, 0};
        for (DType t : DType.values()) {
            Tensor d = Tensor.of(t, values, 2, 3);
            assertEquals(t, d.dtype());
            assertArrayEquals(new int[] {2, 3}, d.shape());
            assertArrayEquals(values, d.toDoubleArray(), t.toString());
            assertArrayEquals(new float[] {0, 1, 0, 1, 1, 0}, d.toFloatArray(), t.toString());
            assertArrayEquals(new long[] {0, 1, 0, 1, 1, 0}, d.toLongArray(), t.toString());
            assertArrayEquals(new int[] {0, 1, 0, 1, 1, 0}, d.toIntArray(), t.toString());
            assertArrayEquals(values, Tensor.of(t, new float[] {0, 1, 0, 1, 1, 0}, 2, 3).toDoubleArray(), t.toString());
            assertArrayEquals(values, Tensor.of(t, new long[] {0, 1, 0, 1, 1, 0}, 2, 3).toDoubleArray(), t.toString());
            assertArrayEquals(values, Tensor.of(t, new int[] {0, 1, 0, 1, 1, 0}, 2, 3).toDoubleArray(), t.toString());
        }
    }

    @Test
    void noShapeMeansAVectorAndOneValueAScalar() {
        assertArrayEquals(new int[] {3}, Tensor.of(DType.I64, new int[] {4, 5, 6}).shape());
        assertArrayEquals(new int[] {}, Tensor.of(DType.BF16, new double[] {2.5}).shape());
        assertEquals(2.5, Tensor.of(DType.BF16, new double[] {2.5}).item());
    }

    @Test
    void floatingTargetsRoundToNearestEven() {
        // BF16 keeps 7 fraction bits: 1 + 2^-8 is halfway between 1 and 1 + 2^-7 (even: 1), and
        // 1 + 3 * 2^-8 halfway between 1 + 2^-7 and 1 + 2^-6 (even: 1 + 2^-6).
        assertEquals(1.0, Tensor.of(DType.BF16, new double[] {1 + 0x1p-8}).item());
        assertEquals(1 + 0x1p-7 * 2, Tensor.of(DType.BF16, new double[] {1 + 3 * 0x1p-8}).item());
        assertEquals((double) (float) 0.1, Tensor.of(DType.F32, new double[] {0.1}).item());
        assertEquals((float) 0.1, Tensor.of(new double[] {0.1}).toFloatArray()[0]);
        float[] special = Tensor.of(DType.F16, new float[] {Float.NaN, Float.POSITIVE_INFINITY, -0f}).toFloatArray();
        assertTrue(Float.isNaN(special[0]));
        assertEquals(Float.POSITIVE_INFINITY, special[1]);
        assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(special[2]));
    }

    @Test
    void longsAbove2To53SurviveI64BothWays() {
        long big = (1L << 53) + 1; // not a double
        long[] data = {big, Long.MIN_VALUE, Long.MAX_VALUE};
        Tensor t = Tensor.of(DType.I64, data);
        assertArrayEquals(data, t.toLongArray());
        assertArrayEquals(data, Tensor.ofLongs(data).toLongArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, t::toDoubleArray);
        assertTrue(e.getMessage().contains("element 0 (" + big + ")"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(DType.F64, new long[] {Long.MAX_VALUE}));
        assertThrows(IllegalArgumentException.class, t::toIntArray);
    }

    @Test
    void lossyConversionsAreErrorsNamingElementValueAndDtype() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.of(DType.I32, new double[] {1, 1.5}));
        assertEquals("Tensor.of(I32, double[]): element 1 (1.5) cannot be converted to I32: it is not an integer", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(DType.U8, new int[] {300}));
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(DType.U8, new int[] {-1}));
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(DType.BOOL, new long[] {2}));
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(DType.I32, new long[] {1L << 31}));
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(DType.I64, new double[] {0x1p63}));
        assertEquals(Long.MIN_VALUE, Tensor.of(DType.I64, new double[] {-0x1p63}).toLongArray()[0]);
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(DType.I64, new float[] {Float.NaN}));
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(DType.F32, new int[] {(1 << 24) + 1}));
        assertEquals((1 << 24) + 2, Tensor.of(DType.F32, new int[] {(1 << 24) + 2}).toIntArray()[0]);
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(DType.F16, new int[] {65536 * 2}));
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(DType.F16, new double[] {1e6}));
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(DType.F32, new double[] {1e300}));
        IllegalArgumentException t = assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[] {0.5f, 2}, 2).toIntArray());
        assertTrue(t.getMessage().startsWith("to int[] from F32[2]: element 0 (0.5)"), t.getMessage());
    }

    @Test
    void toArrayReadsStridedViewsAndCountsFromTheViewOffset() {
        Tensor t = Tensor.of(DType.I64, new long[] {0, 1, 2, 3, 4, 5}, 2, 3);
        assertArrayEquals(new int[] {1, 4}, t.select(1, 1).toIntArray());
        assertArrayEquals(new float[] {3, 4, 5}, t.select(0, 1).toFloatArray());
        assertArrayEquals(new long[] {0, 3, 1, 4, 2, 5}, t.transpose(0, 1).toLongArray());
    }

    @Test
    void shapeMismatchIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.of(DType.I32, new int[] {1, 2, 3}, 2, 2));
        assertEquals("3 values do not fill shape [2, 2]", e.getMessage());
    }
}
