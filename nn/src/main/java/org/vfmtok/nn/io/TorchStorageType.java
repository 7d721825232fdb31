package org.vfmtok.nn.io;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.vfmtok.tensor.DType;

/**
 * The storage classes {@code torch.save} names ({@code torch.FloatStorage}, ...): the element size in the
 * file and the {@link DType} of the Java tensor. int16 and int8 have no Java dtype, so their storages are
 * widened to I32 on load (a copy; tensors sharing such a storage still share the widened copy).
 */
public enum TorchStorageType {
    FLOAT("FloatStorage", DType.F32, 4),
    DOUBLE("DoubleStorage", DType.F64, 8),
    HALF("HalfStorage", DType.F16, 2),
    BFLOAT16("BFloat16Storage", DType.BF16, 2),
    LONG("LongStorage", DType.I64, 8),
    INT("IntStorage", DType.I32, 4),
    SHORT("ShortStorage", DType.I32, 2),
    CHAR("CharStorage", DType.I32, 1),
    BYTE("ByteStorage", DType.U8, 1),
    BOOL("BoolStorage", DType.BOOL, 1),
    UNTYPED("UntypedStorage", DType.U8, 1);

    private final String className;
    private final DType dtype;
    private final int fileElementSize;

    TorchStorageType(String className, DType dtype, int fileElementSize) {
        this.className = className;
        this.dtype = dtype;
        this.fileElementSize = fileElementSize;
    }

    /** The class name under module {@code torch}, e.g. "FloatStorage". */
    public String className() { return className; }

    /** The dtype of tensors built on this storage in Java. */
    public DType dtype() { return dtype; }

    /** Bytes per element in the file. */
    public int fileElementSize() { return fileElementSize; }

    /** True when the file's elements must be converted (int16/int8 → I32) instead of mapped. */
    public boolean widens() { return fileElementSize != dtype.byteSize(); }

    /** The storage type named {@code torch.<name>}, or null. */
    public static TorchStorageType byClassName(String name) {
        for (TorchStorageType t : values()) if (t.className.equals(name)) return t;
        return null;
    }

    /** Converts {@code count} int16/int8 elements of {@code src} into the I32 segment {@code dst}. */
    void widen(MemorySegment src, MemorySegment dst, long count) {
        ValueLayout.OfInt out = ValueLayout.JAVA_INT_UNALIGNED;
        for (long i = 0; i < count; i++) {
            int v = switch (this) {
                case SHORT -> src.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 2 * i);
                case CHAR -> src.get(ValueLayout.JAVA_BYTE, i);
                default -> throw new IllegalStateException(this + " does not widen");
            };
            dst.set(out, 4 * i, v);
        }
    }

    @Override
    public String toString() { return "torch." + className; }
}
