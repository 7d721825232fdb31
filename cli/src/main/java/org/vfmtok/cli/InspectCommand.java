package org.vfmtok.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.vfmtok.nn.io.AnyCheckpoint;
import org.vfmtok.tensor.StridedIndex;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.io.TerminalText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./vfm inspect FILE}: one line per entry, {@code name dtype shape sum l2norm}. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"List every tensor of a safetensors, PyTorch (.pt/.pth/.bin) or .npy file:",
                "  name dtype shape sum l2norm",
                "Nested keys are joined with dots (model.decoder.conv_in.weight); non-tensor entries",
                "(steps, args.*) are listed with their values."})
final class InspectCommand implements java.util.concurrent.Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "The file to list.")
    Path file;

    @Option(names = "--prefix", paramLabel = "P", description = "Only keys under this prefix (e.g. model, ema).")
    String prefix;

    @Override
    public Integer call() throws Exception {
        try (AnyCheckpoint c = AnyCheckpoint.open(file)) {
            String p = prefix == null ? "" : prefix.endsWith(".") ? prefix : prefix + ".";
            int shown = 0;
            for (Map.Entry<String, Object> e : c.entries().entrySet()) {
                if (!e.getKey().startsWith(p) && !e.getKey().equals(prefix)) continue;
                System.out.println(line(e.getKey(), e.getValue()));
                shown++;
            }
            if (shown == 0 && prefix != null) {
                throw new IllegalArgumentException("no entries under prefix '" + prefix + "' in " + file);
            }
        }
        return 0;
    }

    /** One output line; keys and strings come from the file, so the whole line is {@link TerminalText#escape}d. */
    static String line(String name, Object v) {
        if (v instanceof Tensor t) {
            String shape = Arrays.toString(t.shape()).replace(" ", "");
            Stats st = Stats.of(t);
            return TerminalText.escape(String.format(Locale.ROOT, "%s %s %s %.6g %.6g%s", name, t.dtype(), shape, st.sum, Math.sqrt(st.sq), st.note));
        }
        return TerminalText.escape(name + " = " + (v instanceof String s ? "'" + s + "'" : String.valueOf(v)));
    }

    /**
     * Sum and sum of squares of a tensor at a cost bounded by its storage, not its logical size: a
     * 750-byte file may hold a legal stride-0 view of shape [2^31-1, 2^31-1]. Dimensions of stride 0 (or
     * size 1) repeat the same elements, so they are dropped; if what remains still addresses more
     * elements than the storage holds (overlapping strides), the statistics cover the storage elements
     * between the view's first and last element instead, and the note says so.
     */
    record Stats(double sum, double sq, String note) {
        static Stats of(Tensor t) {
            int[] shape = t.shape();
            long[] strides = t.strides();
            long stored = t.storage().byteSize() / Math.max(1, t.dtype().byteSize());
            if (t.numel() <= stored) return over(t, shape, strides, "");
            if (t.numel() == 0) return new Stats(0, 0, "");
            int kept = 0;
            for (int d = 0; d < shape.length; d++) if (shape[d] != 1 && strides[d] != 0) kept++;
            int[] s = new int[kept];
            long[] st = new long[kept];
            long distinct = 1;
            for (int d = 0, k = 0; d < shape.length; d++) {
                if (shape[d] != 1 && strides[d] != 0) {
                    s[k] = shape[d];
                    st[k++] = strides[d];
                    distinct *= shape[d]; // <= numel of a view with numel <= Long.MAX_VALUE
                }
            }
            if (distinct <= stored) {
                return over(t, s, st, " (statistics over the " + distinct + " elements left once the stride-0 dimensions, which repeat them, are dropped)");
            }
            long lo = t.offset(), hi = t.offset();
            for (int d = 0; d < shape.length; d++) {
                long reach = (long) (shape[d] - 1) * strides[d];
                if (reach < 0) lo += reach;
                else hi += reach;
            }
            long n = hi - lo + 1;
            return over(t.storage().segment(), t, new int[] {(int) Math.min(n, Integer.MAX_VALUE)}, new long[] {1}, lo,
                    " (statistics over the " + n + " stored elements the overlapping view spans, not its " + t.numel() + " logical ones)");
        }

        private static Stats over(Tensor t, int[] shape, long[] strides, String note) {
            return over(t.segment(), t, shape, strides, t.offset(), note);
        }

        private static Stats over(java.lang.foreign.MemorySegment seg, Tensor t, int[] shape, long[] strides, long offset, String note) {
            double sum = 0, sq = 0;
            StridedIndex it = new StridedIndex(shape, strides).start(offset);
            for (long i = 0, n = org.vfmtok.tensor.Shapes.numel(shape); i < n; i++, it.next()) {
                double x = t.dtype().read(seg, it.offset(0));
                sum += x;
                sq += x * x;
            }
            return new Stats(sum, sq, note);
        }
    }
}
