package org.vfmtok.vfmtok.train;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.vfmtok.VFMTokenizer;
import org.vfmtok.vfmtok.data.ImageSource;
import org.vfmtok.vfmtok.data.ImageStream;

/**
 * Tokenises a dataset for AR training: every image (as its source gives it: the centre crop for an image
 * folder) and, optionally, its horizontal flip, encoded with the frozen tokenizer. Unreadable images are
 * skipped and counted.
 */
public final class CodeExtraction {
    /** codes[i][a][t]: augmentation a (0 the image, 1 its flip) of kept sample i; labels[i]; indices[i] its source index. */
    public record Codes(int[][][] codes, int[] labels, int[] indices, int skipped) {}

    private CodeExtraction() {}

    public static Codes extract(VFMTokenizer tok, ImageSource data, int batch, boolean withFlips, IntConsumer progress) {
        int side = tok.config().imageSize(), len = 3 * side * side;
        List<int[][]> codes = new ArrayList<>();
        List<Integer> labels = new ArrayList<>(), indices = new ArrayList<>();
        int skipped = 0;
        for (int start = 0; start < data.size(); start += batch) {
            int end = Math.min(data.size(), start + batch);
            List<float[]> imgs = new ArrayList<>();
            List<Integer> idx = new ArrayList<>();
            for (int i = start; i < end; i++) {
                try {
                    imgs.add(data.load(i, side, new Rng(i)));
                    idx.add(i);
                } catch (IOException e) {
                    skipped++;
                    System.err.println("skipping unreadable sample " + i + ": " + e.getMessage());
                }
            }
            if (!imgs.isEmpty()) {
                int n = imgs.size(), views = withFlips ? 2 : 1;
                float[] px = new float[n * views * len];
                for (int i = 0; i < n; i++) {
                    System.arraycopy(imgs.get(i), 0, px, i * views * len, len);
                    if (withFlips) {
                        float[] f = imgs.get(i).clone();
                        ImageStream.flipInPlace(f, side);
                        System.arraycopy(f, 0, px, (i * views + 1) * len, len);
                    }
                }
                long[] c;
                try (Scope s = Scope.open("extract")) {
                    c = tok.encode(Tensor.of(px, n * views, 3, side, side)).toLongArray();
                }
                int t = tok.config().tokens();
                for (int i = 0; i < n; i++) {
                    int[][] row = new int[views][t];
                    for (int a = 0; a < views; a++) for (int k = 0; k < t; k++) row[a][k] = (int) c[(i * views + a) * t + k];
                    codes.add(row);
                    labels.add(data.label(idx.get(i)));
                    indices.add(idx.get(i));
                }
            }
            if (progress != null) progress.accept(end);
        }
        return new Codes(codes.toArray(int[][][]::new), labels.stream().mapToInt(Integer::intValue).toArray(),
                indices.stream().mapToInt(Integer::intValue).toArray(), skipped);
    }
}
