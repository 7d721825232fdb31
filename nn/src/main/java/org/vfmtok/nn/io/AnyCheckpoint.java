package org.vfmtok.nn.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.io.Npy;
import org.vfmtok.tensor.io.SafetensorsFile;

/**
 * Opens any weight file the project reads — safetensors, PyTorch {@code .pt/.pth/.bin} (zip or legacy),
 * {@code .npy} — recognised by its first bytes rather than its name, as one flat map of dotted keys to
 * tensors and plain values. The map's tensors live until {@link #close()}.
 */
public final class AnyCheckpoint implements AutoCloseable {
    public enum Kind { SAFETENSORS, TORCH, NPY }

    private final Kind kind;
    private final Map<String, Object> entries;
    private final AutoCloseable owner;

    private AnyCheckpoint(Kind kind, Map<String, Object> entries, AutoCloseable owner) {
        this.kind = kind;
        this.entries = entries;
        this.owner = owner;
    }

    public static AnyCheckpoint open(Path file) throws IOException {
        org.vfmtok.tensor.io.FileKinds.requireRegularFile(file);
        Kind kind = detect(file);
        switch (kind) {
            case NPY -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put(file.getFileName().toString().replaceFirst("\\.npy$", ""), Npy.read(file));
                return new AnyCheckpoint(kind, m, null);
            }
            case SAFETENSORS -> {
                SafetensorsFile f = SafetensorsFile.open(file);
                Map<String, Object> m = new LinkedHashMap<>(f.tensors());
                f.metadata().forEach((k, v) -> m.put("__metadata__." + k, v));
                return new AnyCheckpoint(kind, m, f);
            }
            default -> {
                TorchCheckpoint c = TorchCheckpoint.open(file);
                return new AnyCheckpoint(kind, c.flatten(), c);
            }
        }
    }

    /** By content: the numpy magic, a zip or pickle (torch), else safetensors' length-prefixed JSON. */
    static Kind detect(Path file) throws IOException {
        byte[] head = new byte[9];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        }
        if (n >= 6 && (head[0] & 0xFF) == 0x93 && head[1] == 'N' && head[2] == 'U' && head[3] == 'M' && head[4] == 'P' && head[5] == 'Y') return Kind.NPY;
        if (n >= 4 && head[0] == 'P' && head[1] == 'K') return Kind.TORCH;
        // before the pickle check: a safetensors header length whose low byte is 0x80..0xFF starts like a PROTO opcode
        if (n >= 9 && head[8] == '{') return Kind.SAFETENSORS;
        if (n >= 2 && (head[0] & 0xFF) == 0x80) return Kind.TORCH; // legacy torch.save: a pickle PROTO opcode
        throw new IOException(file + ": not a safetensors, PyTorch or .npy file (unrecognised first bytes)");
    }

    public Kind kind() { return kind; }

    /** Every entry by dotted key, in file order: tensors, numbers, strings, booleans, null. */
    public Map<String, Object> entries() { return entries; }

    /** Tensors under {@code prefix} (e.g. "model" or "ema") with the prefix removed; all tensors for "". */
    public Map<String, Tensor> tensors(String prefix) {
        String p = prefix == null || prefix.isEmpty() ? "" : prefix + ".";
        Map<String, Tensor> out = new LinkedHashMap<>();
        entries.forEach((k, v) -> {
            if (v instanceof Tensor t && k.startsWith(p)) out.put(k.substring(p.length()), t);
        });
        return out;
    }

    @Override
    public void close() throws IOException {
        if (owner == null) return;
        try {
            owner.close();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }
}
