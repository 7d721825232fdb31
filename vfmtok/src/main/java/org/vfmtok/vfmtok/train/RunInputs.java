package org.vfmtok.vfmtok.train;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.vfmtok.nn.train.Checkpoints;
import org.vfmtok.tensor.io.AtomicFiles;
import org.vfmtok.tensor.io.FileKinds;
import org.vfmtok.tensor.io.Json;

/**
 * What a training run was started from, recorded in its folder: the architecture (the run's
 * {@code tokenizer.json} or {@code gpt.json}) and named inputs in {@code inputs.json} (the data source, the
 * SHA-256 of weight files such as the frozen VFM). {@link #check} runs before anything is written: a fresh
 * start into a folder that holds checkpoints is refused, and so is a resume whose architecture or any
 * recorded input differs, with every difference named. Only then does {@link #record} write the files,
 * so a refused command leaves the run folder as it was.
 *
 * <p>An input given as {@code null} is not checked (the caller does not know it); an input the folder has
 * no record of (a run from before it was recorded) is not compared and gets recorded.
 */
public final class RunInputs {
    /** The file, in the run folder, holding the named inputs. */
    public static final String FILE = "inputs.json";

    private final String architectureFile;
    private final Map<String, Object> architecture;
    private final Map<String, String> inputs = new LinkedHashMap<>();

    /** @param architectureFile the run folder's architecture file name ({@code gpt.json}, {@code tokenizer.json}) */
    public RunInputs(String architectureFile, Map<String, Object> architecture) {
        this.architectureFile = Objects.requireNonNull(architectureFile);
        this.architecture = Objects.requireNonNull(architecture);
    }

    /** Adds a named input (e.g. {@code "data"}, {@code "vfm_sha256"}); {@code null} leaves it unchecked. */
    public RunInputs with(String key, String value) {
        inputs.put(key, value);
        return this;
    }

    /** The named inputs given so far (null values are unchecked ones). */
    public Map<String, String> inputs() { return java.util.Collections.unmodifiableMap(inputs); }

    /** SHA-256 of a file's bytes, as lowercase hex. */
    public static String sha256(Path file) throws IOException {
        FileKinds.requireRegularFile(file);
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is a required JDK algorithm", e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new IOException(file + ": cannot hash: " + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /**
     * Validates {@code runDir} for a fresh start or a resume with these inputs; writes nothing. Throws
     * IllegalArgumentException for a fresh start where checkpoints are, and for a resume with a different
     * architecture or input (all differences listed).
     */
    public void check(Path runDir, boolean resume) throws IOException {
        if (Files.exists(runDir) && !Files.isDirectory(runDir)) {
            throw new IOException(runDir + " " + FileKinds.describe(runDir) + ": a run folder (--out) must be a folder");
        }
        boolean started = Files.isDirectory(runDir) && Checkpoints.latest(runDir).isPresent();
        if (!resume) {
            if (started) throw new IllegalArgumentException(runDir + " already holds a run (checkpoints found): pass --resume to continue it, or another --out");
            return;
        }
        if (!started) return; // nothing to continue: the run starts afresh
        List<String> diffs = differences(runDir);
        if (!diffs.isEmpty()) {
            throw new IllegalArgumentException("cannot resume " + runDir + " (left unchanged): it was started with other inputs: "
                    + String.join("; ", diffs) + ". Resume with the run's own inputs, or start a new run with another --out");
        }
    }

    /** The differences between the recorded inputs and these, one phrase each; empty when they match. */
    public List<String> differences(Path runDir) throws IOException {
        List<String> out = new ArrayList<>();
        Path archFile = runDir.resolve(architectureFile);
        if (Files.exists(archFile)) {
            Map<String, Object> recorded = flatten(readObject(archFile));
            Map<String, Object> given = flatten(normalise(architecture));
            for (String k : new TreeSet<>(union(recorded.keySet(), given.keySet()))) {
                Object r = recorded.get(k), g = given.get(k);
                if (!same(r, g)) out.add("architecture " + k + ": recorded " + show(r) + ", now " + show(g));
            }
        }
        Map<String, Object> recorded = readRecordedInputs(runDir);
        for (var e : inputs.entrySet()) {
            Object r = recorded.get(e.getKey());
            if (e.getValue() == null || r == null) continue;
            if (!r.equals(e.getValue())) out.add(e.getKey() + ": recorded " + show(r) + ", now " + show(e.getValue()));
        }
        return out;
    }

    /**
     * Creates the run folder and writes the architecture file and {@code inputs.json} (atomically). Call
     * after {@link #check}.
     */
    public void record(Path runDir) throws IOException {
        Files.createDirectories(runDir);
        AtomicFiles.writeString(runDir.resolve(architectureFile), JsonOut.write(architecture));
        Map<String, Object> merged = new LinkedHashMap<>(readRecordedInputs(runDir));
        for (var e : inputs.entrySet()) if (e.getValue() != null) merged.put(e.getKey(), e.getValue());
        AtomicFiles.writeString(runDir.resolve(FILE), JsonOut.write(merged));
    }

    private static Map<String, Object> readRecordedInputs(Path runDir) throws IOException {
        Path f = runDir.resolve(FILE);
        return Files.exists(f) ? readObject(f) : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readObject(Path file) throws IOException {
        return Json.readObject(file, m -> (Map<String, Object>) m);
    }

    /** The map as it reads back from JSON (numbers as Long/Double), so recorded and given values compare alike. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> normalise(Map<String, Object> m) {
        try {
            return (Map<String, Object>) Json.parse(JsonOut.write(m));
        } catch (Json.JsonException e) {
            throw new IllegalStateException("JsonOut wrote JSON that does not parse: " + e.getMessage(), e);
        }
    }

    private static Map<String, Object> flatten(Map<String, Object> m) {
        Map<String, Object> out = new LinkedHashMap<>();
        flatten("", m, out);
        return out;
    }

    private static void flatten(String prefix, Map<?, ?> m, Map<String, Object> out) {
        for (var e : m.entrySet()) {
            String k = prefix + e.getKey();
            if (e.getValue() instanceof Map<?, ?> sub) flatten(k + ".", sub, out);
            else out.put(k, e.getValue());
        }
    }

    private static <T> List<T> union(java.util.Set<T> a, java.util.Set<T> b) {
        List<T> l = new ArrayList<>(a);
        for (T t : b) if (!a.contains(t)) l.add(t);
        return l;
    }

    private static boolean same(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) return x.doubleValue() == y.doubleValue();
        return Objects.equals(a, b);
    }

    private static String show(Object v) {
        if (v == null) return "(none)";
        if (v instanceof String s) return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"").replaceAll("\\p{Cntrl}", "?") + '"';
        return String.valueOf(v);
    }
}
