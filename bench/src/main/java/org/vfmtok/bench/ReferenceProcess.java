package org.vfmtok.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs a PyTorch reference benchmark script (tools/reference/*_bench.py) with Debian's torch on OpenBLAS
 * and the same thread count as the Java side, and returns the JSON line it prints.
 */
public final class ReferenceProcess {
    private ReferenceProcess() {}

    public static final Path PYTHON = Path.of("/usr/bin/python3");
    static final Path OPENBLAS = Path.of("/usr/lib/x86_64-linux-gnu/openblas-openmp");

    /** The project root (the folder holding tools/reference), searched upwards from the working directory. */
    public static Path root() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("tools/reference"))) p = p.getParent();
        if (p == null) throw new IllegalStateException("tools/reference not found above " + Path.of("").toAbsolutePath() + ": run from the project folder");
        return p;
    }

    public static void requireTorch() {
        if (!Files.isExecutable(PYTHON)) {
            throw new IllegalStateException("the PyTorch reference needs " + PYTHON + " with torch: apt-get install python3-torch libopenblas0-openmp");
        }
        if (!Files.isDirectory(OPENBLAS)) {
            throw new IllegalStateException("OpenBLAS for torch not found in " + OPENBLAS + ": apt-get install libopenblas0-openmp (torch otherwise runs on the 30-80x slower reference BLAS)");
        }
    }

    /** Runs {@code script args...} and parses its last stdout line as a flat JSON object. */
    public static Map<String, Object> run(String script, int threads, String... args) throws IOException, InterruptedException {
        requireTorch();
        List<String> cmd = new ArrayList<>(List.of(PYTHON.toString(), "tools/reference/" + script));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root().toFile()).redirectError(ProcessBuilder.Redirect.INHERIT);
        Map<String, String> env = pb.environment();
        env.put("LD_LIBRARY_PATH", OPENBLAS.toString());
        env.put("OMP_NUM_THREADS", Integer.toString(threads));
        env.put("OPENBLAS_NUM_THREADS", Integer.toString(threads));
        // let OpenBLAS pick its own kernel (a pinned OPENBLAS_CORETYPE would make the reference slower than it is)
        env.remove("OPENBLAS_CORETYPE");
        env.remove("OPENBLAS_L2_SIZE");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        int code = p.waitFor();
        if (code != 0) throw new IOException("reference " + script + " exited with " + code + ": " + out);
        String last = out.substring(out.lastIndexOf('\n') + 1);
        try {
            Object o = org.vfmtok.tensor.io.Json.parse(last);
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) o;
            return m;
        } catch (org.vfmtok.tensor.io.Json.JsonException e) {
            throw new IOException("reference " + script + " printed no JSON: " + last, e);
        }
    }

    /** Median of a JSON list of seconds. */
    public static double median(Object list) {
        List<?> l = (List<?>) list;
        double[] v = new double[l.size()];
        for (int i = 0; i < v.length; i++) v[i] = ((Number) l.get(i)).doubleValue();
        return Stats.median(v);
    }
}
