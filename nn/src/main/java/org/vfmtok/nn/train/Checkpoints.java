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
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.io.Safetensors;

/**
 * Training checkpoints: one safetensors file per save, {@code ckpt-<step>.safetensors} in the run folder,
 * sections flattened with dotted prefixes ({@code model.*}, {@code ema.*}, {@code optimizer.*}) and scalar
 * state (step, RNG, data position, arguments) in the metadata. Writes are atomic (temporary file, then
 * rename), so a crash leaves the previous checkpoint intact; only the newest {@code keep} are kept.
 */
public final class Checkpoints {
    private static final Pattern NAME = Pattern.compile("ckpt-(\\d+)\\.safetensors");

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
