package org.vfmtok.tensor;

import static org.vfmtok.tensor.DType.DOUBLE;
import static org.vfmtok.tensor.DType.FLOAT;
import static org.vfmtok.tensor.DType.INT;
import static org.vfmtok.tensor.DType.LONG;
import static org.vfmtok.tensor.DType.SHORT;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Element-by-element conversion between dtypes for {@link Tensor#of(DType, double[], int...)} and the
 * {@code to*Array} methods (slow path: Java arrays in, Java arrays out).
 *
 * <p>The one rule: a conversion between two floating dtypes rounds to nearest even, as a cast would;
 * every other conversion must be exact, and a value that would change (1.5 into I32, 300 into U8,
 * 2<sup>24</sup>+1 into F32, a finite value that overflows to infinity, 2 into BOOL) is an error naming
 * the element, its value and the target dtype. Integers are read and written as {@code long}, never
 * through {@code double}, so I64 values above 2<sup>53</sup> survive.
 */
final class ArrayConversion {
    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;

    private ArrayConversion() {}

    /**
     * Converts {@code n} contiguous elements of dtype {@code from} starting at element {@code fromIndex}
     * of {@code src} into dtype {@code to} starting at element 0 of {@code dst}.
     *
     * @param what names the operation in error messages, e.g. {@code "Tensor.of(I32, double[])"}
     */
    static void convert(DType from, MemorySegment src, long fromIndex, DType to, MemorySegment dst, long n, String what) {
        if (from == to) {
            MemorySegment.copy(src, fromIndex * from.byteSize(), dst, 0, n * from.byteSize());
            return;
        }
        for (long i = 0; i < n; i++) {
            if (from.isFloating()) writeFloating(to, dst, i, from.read(src, fromIndex + i), what);
            else writeIntegral(to, dst, i, readIntegral(from, src, fromIndex + i), what);
        }
    }

    private static long readIntegral(DType t, MemorySegment seg, long index) {
        long off = index * t.byteSize();
        return switch (t) {
            case I32 -> seg.get(INT, off);
            case I64 -> seg.get(LONG, off);
            case U8 -> seg.get(BYTE, off) & 0xFF;
            case BOOL -> seg.get(BYTE, off) != 0 ? 1 : 0;
            default -> throw new IllegalStateException(t + " is not an integer dtype");
        };
    }

    /** Writes a value read from a floating dtype (exactly representable as a double). */
    private static void writeFloating(DType t, MemorySegment seg, long index, double v, String what) {
        long off = index * t.byteSize();
        switch (t) {
            case F64 -> seg.set(DOUBLE, off, v);
            case F32 -> seg.set(FLOAT, off, finite((float) v, v, index, t, what));
            case F16 -> seg.set(SHORT, off, Float.floatToFloat16(finite(Float.float16ToFloat(Float.floatToFloat16((float) v)), v, index, t, what)));
            case BF16 -> seg.set(SHORT, off, DType.floatToBf16(finite(DType.bf16ToFloat(DType.floatToBf16((float) v)), v, index, t, what)));
            default -> {
                if (v != Math.rint(v) || Double.isInfinite(v)) throw lossy(index, Double.toString(v), t, "it is not an integer", what);
                // -2^63 is a long, 2^63 is not; every double in between with no fraction is exact as a long.
                if (v < -0x1p63 || v >= 0x1p63) throw lossy(index, Double.toString(v), t, "it is out of range", what);
                writeIntegral(t, seg, index, (long) v, what, Double.toString(v));
            }
        }
    }

    /** Rounding between floating types is allowed, overflow of a finite value to infinity is not. */
    private static float finite(float rounded, double v, long index, DType t, String what) {
        if (Float.isInfinite(rounded) && !Double.isInfinite(v)) throw lossy(index, Double.toString(v), t, "it overflows to infinity", what);
        return rounded;
    }

    private static void writeIntegral(DType t, MemorySegment seg, long index, long v, String what) {
        writeIntegral(t, seg, index, v, what, Long.toString(v));
    }

    private static void writeIntegral(DType t, MemorySegment seg, long index, long v, String what, String shown) {
        long off = index * t.byteSize();
        switch (t) {
            case I64 -> seg.set(LONG, off, v);
            case I32 -> {
                if (v != (int) v) throw lossy(index, shown, t, "it is out of range", what);
                seg.set(INT, off, (int) v);
            }
            case U8 -> {
                if (v < 0 || v > 255) throw lossy(index, shown, t, "it is outside 0..255", what);
                seg.set(BYTE, off, (byte) v);
            }
            case BOOL -> {
                if (v != 0 && v != 1) throw lossy(index, shown, t, "only 0 and 1 are booleans", what);
                seg.set(BYTE, off, (byte) v);
            }
            case F64 -> seg.set(DOUBLE, off, exact((double) v, v, index, t, what));
            case F32 -> seg.set(FLOAT, off, (float) exact((float) v, v, index, t, what));
            case F16 -> {
                short h = Float.floatToFloat16((float) v);
                exact(Float.float16ToFloat(h), v, index, t, what);
                seg.set(SHORT, off, h);
            }
            case BF16 -> {
                short h = DType.floatToBf16((float) v);
                exact(DType.bf16ToFloat(h), v, index, t, what);
                seg.set(SHORT, off, h);
            }
        }
    }

    /** {@code back} is {@code v} after conversion to a floating dtype; it must equal {@code v}. */
    private static double exact(double back, long v, long index, DType t, String what) {
        // (long) 2^63 saturates to Long.MAX_VALUE, so 2^63 must be rejected before the comparison.
        if (Double.isInfinite(back) || back == 0x1p63 || (long) back != v) {
            throw lossy(index, Long.toString(v), t, "it is not exactly representable", what);
        }
        return back;
    }

    private static IllegalArgumentException lossy(long index, String value, DType t, String why, String what) {
        return new IllegalArgumentException(what + ": element " + index + " (" + value + ") cannot be converted to " + t + ": " + why);
    }
}
