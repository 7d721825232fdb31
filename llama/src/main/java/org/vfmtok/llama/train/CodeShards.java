package org.vfmtok.llama.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.io.Npy;

/**
 * Pre-extracted token codes on disk, as {@code ./vfm extract-codes} writes them: shards
 * {@code codes-NNNNN.npy} (n, A, T) int64 — A augmentations per image (the image and its horizontal flip) of T
 * codes — with {@code labels-NNNNN.npy} (n) int64 beside them. Training picks one augmentation per sample at
 * random, as LlamaGen does with its flip / ten-crop codes.
 */
public final class CodeShards {
    /** All shards in memory: codes[i][a] is the T codes of augmentation a of sample i. */
    public record Data(int[][][] codes, int[] labels) {
        public int size() { return labels.length; }

        public int tokens() { return codes.length == 0 ? 0 : codes[0][0].length; }

        public int augmentations() { return codes.length == 0 ? 0 : codes[0].length; }

        public int maxCode() {
            int m = -1;
            for (int[][] s : codes) for (int[] a : s) for (int c : a) m = Math.max(m, c);
            return m;
        }

        public int numClasses() {
            int m = -1;
            for (int l : labels) m = Math.max(m, l);
            return m + 1;
        }
    }

    private CodeShards() {}

    /** Writes one shard pair. */
    public static void write(Path dir, int shard, int[][][] codes, int[] labels) throws IOException {
        if (codes.length != labels.length) throw new IllegalArgumentException(codes.length + " code rows but " + labels.length + " labels");
        if (codes.length == 0) return;
        int a = codes[0].length, t = codes[0][0].length;
        long[] flat = new long[codes.length * a * t];
        int k = 0;
        for (int[][] s : codes) for (int[] row : s) for (int c : row) flat[k++] = c;
        long[] lab = new long[labels.length];
        for (int i = 0; i < lab.length; i++) lab[i] = labels[i];
        Files.createDirectories(dir);
        try (Scope s = Scope.open("write-codes")) {
            Npy.write(dir.resolve(String.format("codes-%05d.npy", shard)), Tensor.ofLongs(flat, codes.length, a, t));
            Npy.write(dir.resolve(String.format("labels-%05d.npy", shard)), Tensor.ofLongs(lab, lab.length));
        }
    }

    /** Reads every shard of a folder (sorted by name); fails naming the file on a shape or pairing problem. */
    /** A code or label of a shard as an int, or an error naming the file (Math.toIntExact would say only "integer overflow"). */
    private static int intValue(Path file, String what, long v) throws IOException {
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) throw new IOException(file + ": " + what + " " + v + " is out of range");
        return (int) v;
    }

    public static Data read(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new IOException(dir + ": not a folder of code shards (run ./vfm extract-codes first)");
        List<Path> shards;
        try (Stream<Path> s = Files.list(dir)) {
            shards = s.filter(p -> p.getFileName().toString().matches("codes-\\d+\\.npy")).sorted().toList();
        }
        if (shards.isEmpty()) throw new IOException(dir + ": no codes-NNNNN.npy shards");
        List<int[][]> codes = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        int tokens = -1;
        for (Path p : shards) {
            Path lp = p.resolveSibling(p.getFileName().toString().replace("codes-", "labels-"));
            try (Scope s = Scope.open("read-codes")) {
                Tensor c = Npy.read(p);
                Tensor l = Npy.read(lp);
                if (c.dim() == 2) c = c.unsqueeze(1);
                if (c.dim() != 3 || c.dtype().isFloating()) throw new IOException(p + ": expected integer codes (n, A, T), got " + c.dtype() + java.util.Arrays.toString(c.shape()));
                if (l.dim() != 1 || l.size(0) != c.size(0)) throw new IOException(lp + ": expected " + c.size(0) + " labels, got " + java.util.Arrays.toString(l.shape()));
                if (tokens >= 0 && c.size(2) != tokens) throw new IOException(p + ": " + c.size(2) + " tokens per image, earlier shards have " + tokens);
                tokens = c.size(2);
                long[] cv = c.to(DType.I64).contiguous().toLongArray();
                long[] lv = l.to(DType.I64).toLongArray();
                int n = c.size(0), a = c.size(1), t = c.size(2);
                for (int i = 0; i < n; i++) {
                    int[][] s2 = new int[a][t];
                    for (int j = 0; j < a; j++) for (int k = 0; k < t; k++) s2[j][k] = intValue(p, "code", cv[(i * a + j) * t + k]);
                    codes.add(s2);
                    labels.add(intValue(p, "label", lv[i]));
                }
            }
        }
        return new Data(codes.toArray(int[][][]::new), labels.stream().mapToInt(Integer::intValue).toArray());
    }
}
