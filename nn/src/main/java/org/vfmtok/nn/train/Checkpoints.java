package org.vfmtok.nn.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Device;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.io.Safetensors;

/**
 * Training checkpoints: one safetensors file per save, {@code ckpt-<step>.safetensors} in the run folder,
 * sections flattened with dotted prefixes ({@code model.*}, {@code ema.*}, {@code optimizer.*}) and scalar
 * state (step, RNG, data position, arguments) in the metadata. Writes are atomic (temporary file, then
 * rename), so a crash leaves the previous checkpoint intact; only the newest {@code keep} are kept. The
 * temporary files a killed write leaves are removed at the next start ({@link #removeTemporary}).
 */
public final class Checkpoints {
    private static final Pattern NAME = Pattern.compile("ckpt-(\\d+)\\.safetensors");
    /** What an interrupted atomic write leaves: {@code .<name>.<hex>.tmp} beside a checkpoint or the metrics. */
    private static final Pattern TEMPORARY = Pattern.compile("\\.(ckpt-\\d+\\.safetensors|metrics\\.jsonl)\\.[0-9a-f]+\\.tmp");
    /** The suffix given to a checkpoint that could not be read (kept for inspection, no longer listed). */
    public static final String UNREADABLE_SUFFIX = ".unreadable";

    private Checkpoints() {}

    /** What a checkpoint holds: tensor sections by name and string metadata. */
    public record Contents(Map<String, Map<String, Tensor>> sections, Map<String, String> metadata) {
        public Map<String, Tensor> section(String name) {
            Map<String, Tensor> s = sections.get(name);
            if (s == null) throw new IllegalArgumentException("checkpoint has no section '" + name + "' (has " + sections.keySet() + ")");
            return s;
        }
    }

    public static Path pathFor(Path runDir, long step) { return runDir.resolve(String.format("ckpt-%08d.safetensors", step)); }

    public static void save(Path file, Contents contents) throws IOException {
        Map<String, Tensor> flat = new LinkedHashMap<>();
        contents.sections().forEach((sec, tensors) -> tensors.forEach((k, v) -> flat.put(sec + "." + k, v)));
        Files.createDirectories(file.toAbsolutePath().getParent());
        Safetensors.save(file, flat, contents.metadata());
    }

    /** Loads every tensor (copied into the current scope) and splits the sections at the first dot. */
    public static Contents load(Path file) throws IOException {
        Map<String, Tensor> flat = Safetensors.load(file);
        Map<String, Map<String, Tensor>> sections = new LinkedHashMap<>();
        flat.forEach((k, v) -> {
            int dot = k.indexOf('.');
            String sec = dot < 0 ? "" : k.substring(0, dot);
            sections.computeIfAbsent(sec, x -> new LinkedHashMap<>()).put(k.substring(dot + 1), v);
        });
        Map<String, String> meta;
        try (var f = org.vfmtok.tensor.io.SafetensorsFile.open(file)) {
            meta = new LinkedHashMap<>(f.metadata());
        }
        return new Contents(sections, meta);
    }

    /** The checkpoint with the highest step in {@code runDir}, if any. */
    public static Optional<Path> latest(Path runDir) throws IOException {
        List<Path> all = list(runDir);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** Every checkpoint in {@code runDir}, oldest first. */
    public static List<Path> all(Path runDir) throws IOException { return list(runDir); }

    /**
     * Deletes the temporary files that interrupted checkpoint or metrics writes left in {@code runDir} (a process
     * killed between creating and renaming one); returns the files removed.
     */
    public static List<Path> removeTemporary(Path runDir) throws IOException {
        if (!Files.isDirectory(runDir)) return List.of();
        List<Path> stale = new ArrayList<>();
        try (Stream<Path> s = Files.list(runDir)) {
            s.filter(p -> TEMPORARY.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).forEach(stale::add);
        }
        for (Path p : stale) Files.deleteIfExists(p);
        return stale;
    }

    /** Renames an unreadable checkpoint to {@code <name>.unreadable} so that it is neither resumed from nor counted as kept. */
    public static Path setAside(Path checkpoint) throws IOException {
        Path aside = checkpoint.resolveSibling(checkpoint.getFileName() + UNREADABLE_SUFFIX);
        return Files.move(checkpoint, aside, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * The first non-finite value in floating-point tensors of {@code sections}, as "section.key[index] = value",
     * or null when all are finite (a checkpoint holding NaN or an infinity must never be written).
     */
    public static String firstNonFinite(Map<String, Map<String, Tensor>> sections) {
        for (var sec : sections.entrySet()) {
            for (var e : sec.getValue().entrySet()) {
                Tensor t = e.getValue();
                if (!t.dtype().isFloating() || t.numel() == 0) continue;
                Tensor f = t.device().isCpu() ? t : t.detach().to(Device.CPU);
                if (f.dtype() != DType.F32) f = f.detach().to(DType.F32);
                if (!f.isContiguous()) f = f.detach().contiguous();
                MemorySegment seg = f.segment();
                long base = f.byteOffset();
                for (long i = 0, n = f.numel(); i < n; i++) {
                    float v = seg.get(ValueLayout.JAVA_FLOAT, base + i * 4);
                    if (!Float.isFinite(v)) return sec.getKey() + "." + e.getKey() + "[" + i + "] = " + v;
                }
            }
        }
        return null;
    }

    /** Deletes all but the newest {@code keep} checkpoints. */
    public static void prune(Path runDir, int keep) throws IOException {
        List<Path> all = list(runDir);
        for (int i = 0; i < all.size() - keep; i++) Files.deleteIfExists(all.get(i));
    }

    private static List<Path> list(Path runDir) throws IOException {
        if (!Files.isDirectory(runDir)) return List.of();
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(runDir)) {
            s.filter(p -> NAME.matcher(p.getFileName().toString()).matches()).forEach(out::add);
        }
        out.sort((a, b) -> Long.compare(step(a), step(b)));
        return out;
    }

    static long step(Path p) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        if (!m.matches()) throw new IllegalArgumentException("not a checkpoint name: " + p);
        return Long.parseLong(m.group(1));
    }
}
