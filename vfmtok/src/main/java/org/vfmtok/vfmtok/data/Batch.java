package org.vfmtok.vfmtok.data;

import org.vfmtok.tensor.Tensor;

/**
 * A batch of decoded images on the Java heap: planar pixels in [-1, 1] ({@code n}·3·side² floats), their
 * labels, and the dataset indices they came from. Tensors are made on demand in the caller's scope (the
 * batch itself is produced on decoder threads, which must not own tensor memory).
 */
public record Batch(float[] pixels, int[] labels, int[] indices, int side) {
    public int size() { return labels.length; }

    /** (B, 3, side, side) F32 in the current scope. */
    public Tensor images() { return Tensor.of(pixels, labels.length, 3, side, side); }

    /** (B) I64 class labels in the current scope. */
    public Tensor labelTensor() {
        long[] l = new long[labels.length];
        for (int i = 0; i < l.length; i++) l[i] = labels[i];
        return Tensor.ofLongs(l, l.length);
    }
}
