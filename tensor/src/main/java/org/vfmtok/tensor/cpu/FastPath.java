package org.vfmtok.tensor.cpu;

import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;

/**
 * The one guard of the CPU fast paths: which layouts a Vector API kernel reads directly. Everything else goes to
 * the scalar reference. Single-tensor checks (no varargs array), so a guard on a decode step allocates nothing.
 */
public final class FastPath {
    private FastPath() {}

    /** Null (an absent optional operand), or F32 in CPU memory, contiguous. */
    public static boolean denseF32(Tensor t) {
        return t == null || (t.dtype() == DType.F32 && t.device().isCpu() && t.isContiguous());
    }

    /** F32 in CPU memory, any strides (kernels that walk strides themselves). */
    public static boolean anyStridesF32(Tensor t) {
        return t.dtype() == DType.F32 && t.device().isCpu();
    }

    /** F32 in CPU memory with a contiguous last dim (rows at any stride). */
    public static boolean rowsF32(Tensor t) {
        return rowsOf(t, DType.F32);
    }

    /** {@code dtype} in CPU memory with a contiguous last dim (rows at any stride). */
    public static boolean rowsOf(Tensor t, DType dtype) {
        return t.dtype() == dtype && t.device().isCpu() && (t.dim() == 0 || t.stride(-1) == 1 || t.size(-1) <= 1);
    }

    /** {@link #denseF32} for each (null allowed). */
    public static boolean denseF32(Tensor... ts) {
        for (Tensor t : ts) if (!denseF32(t)) return false;
        return true;
    }

    /**
     * Whether a row kernel over this many elements (a norm, a rotation) runs on the calling thread: up to 128K
     * elements, handing the rows to the workers costs about what it saves, and staying on the caller makes no
     * parallel body, so a decode step's rows (up to ~100 rows of a GPT-L) allocate nothing.
     */
    public static boolean onCaller(long elements) {
        return elements <= 1 << 17;
    }
}
