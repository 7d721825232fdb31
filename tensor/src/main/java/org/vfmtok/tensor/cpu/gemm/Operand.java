package org.vfmtok.tensor.cpu.gemm;

import java.lang.foreign.MemorySegment;
import org.vfmtok.tensor.DType;

/**
 * One matrix of a GEMM as the kernels see it: storage, element type, the element offset of (0, 0) and
 * the strides (in elements) of its two dims. A transposed matrix is the same storage with the strides
 * swapped, so packing handles every layout.
 */
public record Operand(MemorySegment seg, DType dtype, long offset, long rowStride, long colStride) {
    /** The same storage at another element offset (the next batch item). */
    public Operand at(long newOffset) { return new Operand(seg, dtype, newOffset, rowStride, colStride); }

    /** The transposed matrix (a view: rows become columns). */
    public Operand transposed() { return new Operand(seg, dtype, offset, colStride, rowStride); }
}
