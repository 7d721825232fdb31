package org.vfmtok.nn.train;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;

/**
 * A child JVM for {@link CheckpointFaultTest}: writes checkpoints as a training run does, each tensor filled with its
 * step, and reports every completed save on stdout. {@code loop DIR}: forever (the parent kills it with SIGKILL);
 * {@code grow DIR}: a small checkpoint, then ever larger ones (the parent caps the file size), printing the
 * failure's message.
 */
public final class CheckpointWriterChild {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        boolean grow = args[0].equals("grow");
        try {
            for (long step = 1; ; step++) {
                int n = grow ? 25_000 * (int) Math.pow(8, step - 1) : 1 << 20;
                try (Scope s = Scope.open()) {
                    Map<String, Tensor> model = new LinkedHashMap<>();
                    model.put("w", Tensor.full(DType.F32, step, n));
                    Checkpoints.save(Checkpoints.pathFor(dir, step), new Checkpoints.Contents(Map.of("model", model), Map.of("step", Long.toString(step))));
                    Checkpoints.prune(dir, 2);
                }
                System.out.println("saved " + step);
                System.out.flush();
                if (grow && step == 4) return;
            }
        } catch (Exception e) {
            System.out.println("error: " + e.getMessage() + (e.getCause() != null ? " / cause: " + e.getCause().getMessage() : ""));
            System.out.flush();
            System.exit(3);
        }
    }
}
