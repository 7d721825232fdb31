package org.vfmtok.tensor.io;

import java.util.Arrays;
import org.vfmtok.tensor.DType;

/**
 * One entry of a safetensors header: name, dtype, shape and the byte range {@code [begin, end)}
 * relative to the start of the file's data section (as {@code data_offsets} in the header).
 * Instances produced by {@link SafetensorsFile} have been validated: {@code end - begin} equals
 * {@code numel * dtype.byteSize()} and the range lies inside the data section.
 */
public record TensorInfo(String name, DType dtype, int[] shape, long begin, long end) {
    public TensorInfo {
        shape = shape.clone();
    }

    /** A copy of the shape. */
    @Override
    public int[] shape() { return shape.clone(); }

    public int rank() { return shape.length; }

    public long numel() {
        long n = 1;
        for (int s : shape) n *= s;
        return n;
    }

    public long byteSize() { return end - begin; }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape)
                && begin == t.begin && end == t.end;
    }

    @Override
    public int hashCode() { return (name.hashCode() * 31 + dtype.hashCode()) * 31 + Arrays.hashCode(shape); }

    @Override
    public String toString() {
        return name + ": " + dtype + Arrays.toString(shape) + " @[" + begin + ", " + end + ")";
    }
}
