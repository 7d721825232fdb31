package org.vfmtok.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Element types. F64 exists for the double-precision gradient checks and the scalar oracle; models
 * compute in F32 (BF16/F16 are storage types widened on load).
 *
 * <p>Reads and writes through {@link #read}/{@link #write} go through {@code double} and are meant for
 * the scalar reference backend, conversions and tests, never for hot loops.
 */
public enum DType {
    F32(4, true, "F32"),
    F64(8, true, "F64"),
    F16(2, true, "F16"),
    BF16(2, true, "BF16"),
    I32(4, false, "I32"),
    I64(8, false, "I64"),
    U8(1, false, "U8"),
    BOOL(1, false, "BOOL");

    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

    private final int byteSize;
    private final boolean floating;
    private final String safetensorsName;

    DType(int byteSize, boolean floating, String safetensorsName) {
        this.byteSize = byteSize;
        this.floating = floating;
        this.safetensorsName = safetensorsName;
    }

    public int byteSize() { return byteSize; }

    public boolean isFloating() { return floating; }

    /** The dtype's name in safetensors headers ("F32", "BF16", ...). */
    public String safetensorsName() { return safetensorsName; }

    public static DType fromSafetensorsName(String name) {
        for (DType t : values()) if (t.safetensorsName.equals(name)) return t;
        throw new IllegalArgumentException("unsupported safetensors dtype '" + name + "'");
    }

    /** Reads element {@code index} (in elements, not bytes) as a double. */
    public double read(MemorySegment seg, long index) {
        long off = index * byteSize;
        return switch (this) {
            case F32 -> seg.get(FLOAT, off);
            case F64 -> seg.get(DOUBLE, off);
            case F16 -> Float.float16ToFloat(seg.get(SHORT, off));
            case BF16 -> bf16ToFloat(seg.get(SHORT, off));
            case I32 -> seg.get(INT, off);
            case I64 -> seg.get(LONG, off);
            case U8 -> seg.get(ValueLayout.JAVA_BYTE, off) & 0xFF;
            case BOOL -> seg.get(ValueLayout.JAVA_BYTE, off) != 0 ? 1 : 0;
        };
    }

    /** Writes element {@code index}, converting with round-to-nearest-even (floats) or truncation (ints). */
    public void write(MemorySegment seg, long index, double v) {
        long off = index * byteSize;
        switch (this) {
            case F32 -> seg.set(FLOAT, off, (float) v);
            case F64 -> seg.set(DOUBLE, off, v);
            case F16 -> seg.set(SHORT, off, Float.floatToFloat16((float) v));
            case BF16 -> seg.set(SHORT, off, floatToBf16((float) v));
            case I32 -> seg.set(INT, off, (int) v);
            case I64 -> seg.set(LONG, off, (long) v);
            case U8 -> seg.set(ValueLayout.JAVA_BYTE, off, (byte) (int) v);
            case BOOL -> seg.set(ValueLayout.JAVA_BYTE, off, (byte) (v != 0 ? 1 : 0));
        }
    }

    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** Round to nearest even, as PyTorch's {@code c10::BFloat16} conversion does; NaN stays NaN. */
    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) 0x7FC0;
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }
}
