package org.vfmtok.tensor;

/**
 * Walks the elements of a shape in row-major order while tracking the element offsets of several
 * strided operands at once. Used by the scalar reference backend and by slow paths; fast kernels
 * handle their own layouts.
 *
 * <pre>{@code
 * StridedIndex it = new StridedIndex(shape, aStrides, bStrides);
 * for (long i = 0; i < n; i++, it.next()) { use(it.offset(0), it.offset(1)); }
 * }</pre>
 */
public final class StridedIndex {
    private final int[] shape;
    private final long[][] strides;
    private final int[] idx;
    private final long[] offsets;

    public StridedIndex(int[] shape, long[]... strides) {
        this.shape = shape;
        this.strides = strides;
        this.idx = new int[shape.length];
        this.offsets = new long[strides.length];
    }

    /** Starts the operands at these base offsets. */
    public StridedIndex start(long... base) {
        System.arraycopy(base, 0, offsets, 0, base.length);
        return this;
    }

    public long offset(int operand) { return offsets[operand]; }

    public int index(int dim) { return idx[dim]; }

    public void next() {
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d]++;
            for (int k = 0; k < offsets.length; k++) offsets[k] += strides[k][d];
            if (idx[d] < shape[d]) return;
            for (int k = 0; k < offsets.length; k++) offsets[k] -= strides[k][d] * shape[d];
            idx[d] = 0;
        }
    }
}
