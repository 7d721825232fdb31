package org.vfmtok.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vfmtok.eval.gen.NpzWriter;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.io.AtomicFiles;
import org.vfmtok.tensor.io.Json;
import org.vfmtok.tensor.io.Npy;
import org.vfmtok.vfmtok.train.JsonOut;

/**
 * The resumable state of a {@code sample} run: the folder {@code OUT.parts} next to the npz, holding
 * {@code manifest.json} (every setting that changes the samples) and one {@code batch-BBBBBB.npy} per finished global
 * batch (uint8 (n, S, S, 3), written atomically, so a kill leaves either the whole batch or nothing). A restart with
 * the same settings skips the batches whose file exists; other settings are refused, naming the first that differs.
 * {@link #assemble} turns the parts into the npz ({@code arr_0} images, {@code arr_1} int64 labels) and removes them.
 */
final class SampleParts {
    static final String MANIFEST = "manifest.json";

    private final Path dir;
    private final SamplePlan plan;

    SampleParts(Path out, SamplePlan plan) {
        Path abs = out.toAbsolutePath();
        this.dir = abs.resolveSibling(abs.getFileName() + ".parts");
        this.plan = plan;
    }

    Path dir() { return dir; }

    Path part(int batch) { return dir.resolve(String.format("batch-%06d.npy", batch)); }

    boolean done(int batch) { return Files.isRegularFile(part(batch)); }

    /** The batches without a part file, in order. */
    List<Integer> missing() {
        List<Integer> m = new ArrayList<>();
        for (int b = 0; b < plan.batches(); b++) if (!done(b)) m.add(b);
        return m;
    }

    /**
     * Creates the folder and its manifest, or checks an existing manifest against {@code settings} (the plan's own
     * fields are added). Several ranks may call this at once: each writes the same text atomically.
     */
    void open(Map<String, String> settings) throws IOException {
        Map<String, String> want = new LinkedHashMap<>();
        want.put("format", "vfm-sample-parts-1");
        want.put("classes", java.util.Arrays.toString(plan.classes()));
        want.put("per_class", Integer.toString(plan.perClass()));
        want.put("batch", Integer.toString(plan.batch()));
        want.put("size", Integer.toString(plan.size()));
        want.putAll(settings);
        Path manifest = dir.resolve(MANIFEST);
        if (Files.isRegularFile(manifest)) {
            Object parsed;
            try {
                parsed = Json.parse(Files.readString(manifest));
            } catch (Json.JsonException e) {
                throw new IOException(manifest + ": unreadable manifest (" + e.getMessage() + "); delete " + dir + " to start over");
            }
            if (!(parsed instanceof Map<?, ?> have)) throw new IOException(manifest + ": not a JSON object; delete " + dir + " to start over");
            for (var e : want.entrySet()) {
                Object h = have.get(e.getKey());
                if (!e.getValue().equals(h == null ? null : h.toString())) {
                    throw new IllegalArgumentException(dir + " holds the parts of another run: it has " + e.getKey() + "=" + h + ", this run " + e.getKey() + "="
                            + e.getValue() + " (use another --out, or delete the folder to start over)");
                }
            }
            return;
        }
        Files.createDirectories(dir);
        AtomicFiles.writeString(manifest, JsonOut.write(want));
    }

    /** Writes batch b's images (n, S, S, 3) uint8, atomically. */
    void write(int batch, Tensor images) throws IOException {
        int n = plan.end(batch) - plan.first(batch);
        int[] want = {n, plan.size(), plan.size(), 3};
        if (!java.util.Arrays.equals(images.shape(), want) || images.dtype() != DType.U8) {
            throw new IllegalStateException("batch " + batch + ": images " + java.util.Arrays.toString(images.shape()) + " " + images.dtype() + ", expected "
                    + java.util.Arrays.toString(want) + " U8");
        }
        Npy.write(part(batch), images);
    }

    /** Reads batch b's images into {@code into} (its bytes), checking the shape. */
    private byte[] read(int batch, byte[] into) throws IOException {
        int n = plan.end(batch) - plan.first(batch);
        try (Scope s = Scope.open("sample-part")) {
            Tensor t = Npy.read(part(batch));
            int[] want = {n, plan.size(), plan.size(), 3};
            if (t.dtype() != DType.U8 || !java.util.Arrays.equals(t.shape(), want)) {
                throw new IOException(part(batch) + ": " + t.dtype() + " " + java.util.Arrays.toString(t.shape()) + ", expected U8 " + java.util.Arrays.toString(want)
                        + " (delete it and run again to resample that batch)");
            }
            int bytes = Math.toIntExact(t.numel());
            byte[] buf = into.length >= bytes ? into : new byte[bytes];
            MemorySegment.copy(t.segment(), t.byteOffset(), MemorySegment.ofArray(buf), 0, bytes);
            return buf;
        }
    }

    /** Writes the npz from all parts (every batch must be done), atomically, then deletes the parts folder. */
    void assemble(Path out) throws IOException {
        List<Integer> missing = missing();
        if (!missing.isEmpty()) {
            throw new IllegalStateException(missing.size() + " of " + plan.batches() + " batches are not sampled yet (first: " + part(missing.get(0))
                    + "): run the sampling again to finish them");
        }
        int n = plan.images();
        byte[] labels = new byte[n * 8];
        java.nio.ByteBuffer lb = java.nio.ByteBuffer.wrap(labels).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) lb.putLong(plan.label(i));
        NpzWriter.write(out, npz -> {
            byte[] buffer = new byte[0];
            try (OutputStream images = npz.begin("arr_0", DType.U8, n, plan.size(), plan.size(), 3)) {
                for (int b = 0; b < plan.batches(); b++) {
                    buffer = read(b, buffer);
                    images.write(buffer, 0, Math.toIntExact((plan.end(b) - plan.first(b)) * plan.imageBytes()));
                }
            }
            try (OutputStream l = npz.begin("arr_1", DType.I64, n)) {
                l.write(labels);
            }
        });
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) Files.delete(p);
        }
        Files.delete(dir);
    }
}
