package org.vfmtok.tensor;

import java.util.Arrays;

/** Shape and stride arithmetic shared by the tensor core and every backend. */
public final class Shapes {
    private Shapes() {}

    public static long numel(int[] shape) {
        long n = 1;
        for (int s : shape) n *= s;
        return n;
    }

    public static long[] contiguousStrides(int[] shape) {
        long[] st = new long[shape.length];
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            st[i] = s;
            s *= shape[i];
        }
        return st;
    }

    /** Normalises a possibly negative dimension index, with an error naming the rank. */
    public static int dim(int d, int rank) {
        int r = d < 0 ? d + rank : d;
        if (r < 0 || r >= Math.max(rank, 1) && !(rank == 0 && r == 0)) {
            throw new IllegalArgumentException("dimension " + d + " out of range for a tensor of rank " + rank);
        }
        return r;
    }

    /** NumPy/PyTorch broadcasting of two shapes; the error names both. */
    public static int[] broadcast(int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int da = i - (n - a.length) >= 0 ? a[i - (n - a.length)] : 1;
            int db = i - (n - b.length) >= 0 ? b[i - (n - b.length)] : 1;
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + " cannot be broadcast");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** Infers a single -1 entry of a reshape target. */
    public static int[] inferShape(int[] target, long numel) {
        int[] out = target.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("only one dimension can be -1 in " + Arrays.toString(target));
                infer = i;
            } else {
                if (out[i] < 0) throw new IllegalArgumentException("negative size in " + Arrays.toString(target));
                known *= out[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || numel % known != 0) {
                throw new IllegalArgumentException("cannot reshape " + numel + " elements to " + Arrays.toString(target));
            }
            out[infer] = (int) (numel / known);
        } else if (known != numel) {
            throw new IllegalArgumentException("cannot reshape " + numel + " elements to " + Arrays.toString(target));
        }
        return out;
    }

    /**
     * Strides for viewing a tensor of {@code shape}/{@code strides} as {@code newShape} without copying,
     * or null when the memory layout does not allow it (PyTorch's {@code computeStride}).
     */
    public static long[] viewStrides(int[] shape, long[] strides, int[] newShape) {
        long numel = numel(shape);
        long[] newStrides = new long[newShape.length];
        if (numel == 0) return contiguousStrides(newShape);
        int viewD = newShape.length - 1;
        long chunkBase = strides.length == 0 ? 1 : strides[strides.length - 1];
        long tensorNumel = 1;
        long viewNumel = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            tensorNumel *= shape[d];
            if (d == 0 || (shape[d - 1] != 1 && strides[d - 1] != tensorNumel * chunkBase)) {
                while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1)) {
                    newStrides[viewD] = viewNumel * chunkBase;
                    viewNumel *= newShape[viewD];
                    viewD--;
                }
                if (viewNumel != tensorNumel) return null;
                if (d > 0) {
                    chunkBase = strides[d - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }
        if (viewD != -1) {
            for (; viewD >= 0; viewD--) newStrides[viewD] = 1; // leading size-1 dims
        }
        return newStrides;
    }

    public static String str(int[] shape) { return Arrays.toString(shape); }
}
