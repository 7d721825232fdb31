package org.vfmtok.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.vfmtok.nn.io.AnyCheckpoint;
import org.vfmtok.tensor.StridedIndex;
import org.vfmtok.tensor.Tensor;
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

    static String line(String name, Object v) {
        if (v instanceof Tensor t) {
            double sum = 0, sq = 0;
            var seg = t.segment();
            StridedIndex it = new StridedIndex(t.shape(), t.strides()).start(t.offset());
            for (long i = 0, n = t.numel(); i < n; i++, it.next()) {
                double x = t.dtype().read(seg, it.offset(0));
                sum += x;
                sq += x * x;
            }
            return String.format(Locale.ROOT, "%s %s %s %.6g %.6g", name, t.dtype(), Arrays.toString(t.shape()).replace(" ", ""), sum, Math.sqrt(sq));
        }
        return name + " = " + (v instanceof String s ? "'" + s + "'" : String.valueOf(v));
    }
}
