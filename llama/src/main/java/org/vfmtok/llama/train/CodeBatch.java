package org.vfmtok.llama.train;

import org.vfmtok.tensor.Tensor;

/** A batch for AR training: class labels (B) and token codes (B, T), on the heap until asked for tensors. */
public record CodeBatch(int[] labels, int[][] codes) {
    public Tensor labelTensor() {
        long[] l = new long[labels.length];
        for (int i = 0; i < l.length; i++) l[i] = labels[i];
        return Tensor.ofLongs(l, l.length);
    }

    public Tensor codeTensor() {
        int t = codes[0].length;
        long[] c = new long[codes.length * t];
        for (int i = 0; i < codes.length; i++) for (int j = 0; j < t; j++) c[i * t + j] = codes[i][j];
        return Tensor.ofLongs(c, codes.length, t);
    }
}
