package org.vfmtok.nn.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.vfmtok.tensor.Tensor;

/**
 * A PyTorch checkpoint written by {@code torch.save} ({@code .pt/.pth/.bin}), read without running any
 * Python: the zip format (torch ≥ 1.6) and the legacy format ({@code _use_new_zipfile_serialization=False}).
 *
 * <pre>{@code
 * try (TorchCheckpoint ckpt = TorchCheckpoint.open(path)) {
 *     Map<String, Tensor> weights = ckpt.tensors("model");   // "decoder.conv_in.weight" -> Tensor
 *     Object steps = ckpt.flatten().get("steps");             // Long
 * }
 * }</pre>
 *
 * <p>The pickle is interpreted by {@link Unpickler} with an allow-list of globals ({@link TorchGlobals});
 * anything else fails with {@link ForbiddenGlobalException}. Result model: dicts/OrderedDicts are
 * insertion-ordered {@code Map}s ({@link PickledOrderedDict} for OrderedDict; keys are usually Strings,
 * optimizer state uses Long keys), lists and tuples are {@code List}s, {@code argparse.Namespace} is a
 * {@link Namespace}, and tensors are {@link Tensor}s; numbers are Long/Double (BigInteger beyond 64 bits).
 *
 * <p>Memory: the file is mapped, and tensors of STORED records (torch writes storages uncompressed)
 * view the mapping directly; tensors that view one storage in Python share one {@code Storage} here, with
 * the same offsets and strides. Compressed records and int16/int8 storages (widened to I32) are copied
 * into memory owned by this checkpoint. The mapping is copy-on-write when the file may be opened for
 * writing (writes to tensors never reach the file) and read-only otherwise. All tensors become invalid at
 * {@link #close()}: copy what must outlive it, or use {@link #stateDict}, whose memory lives as long as
 * its tensors are reachable.
 */
public final class TorchCheckpoint implements AutoCloseable {
    /** The two layouts of torch.save. */
    public enum Format { ZIP, LEGACY }

    private final Path file;
    private final Format format;
    private final Arena arena;
    private final boolean ownsArena;
    private final Object root;
    private Map<String, Object> flat;

    private TorchCheckpoint(Path file, Format format, Arena arena, boolean ownsArena, Object root) {
        this.file = file;
        this.format = format;
        this.arena = arena;
        this.ownsArena = ownsArena;
        this.root = root;
    }

    /** Opens and unpickles {@code file}; close it to unmap the file and free copied storages. */
    public static TorchCheckpoint open(Path file) throws TorchCheckpointException {
        return open(file, Arena.ofShared(), true);
    }

    /**
     * The tensors under {@code prefix} ("model", "ema", or "" for all) of {@code file}, keyed relative to
     * the prefix. The mapping stays alive while any returned tensor is reachable (garbage-collected arena).
     */
    public static Map<String, Tensor> stateDict(Path file, String prefix) throws TorchCheckpointException {
        TorchCheckpoint c = open(file, Arena.ofAuto(), false);
        try {
            return c.tensors(prefix);
        } catch (IllegalArgumentException e) {
            throw new TorchCheckpointException(file, e);
        }
    }

    private static TorchCheckpoint open(Path file, Arena arena, boolean ownsArena) throws TorchCheckpointException {
        try {
            if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) throw new TorchCheckpointException("only little-endian hosts are supported");
            MemorySegment map = map(file, arena);
            Format format;
            Object root;
            if (ZipArchive.looksLikeZip(map)) {
                format = Format.ZIP;
                root = TorchFormats.readZip(map, arena);
            } else if (TorchFormats.looksLikeLegacy(map)) {
                format = Format.LEGACY;
                root = TorchFormats.readLegacy(map, arena);
            } else {
                throw new TorchCheckpointException("neither a torch.save zip archive nor a legacy torch.save file ("
                        + (map.byteSize() < 4 ? map.byteSize() + " bytes" : "starts with " + hex(map)) + ")");
            }
            return new TorchCheckpoint(file, format, arena, ownsArena, root);
        } catch (IOException | RuntimeException e) {
            if (ownsArena) arena.close();
            throw new TorchCheckpointException(file, e);
        }
    }

    /**
     * Read-only: opening a checkpoint for writing (even for a private copy-on-write mapping) makes file
     * watchers report it modified. Tensors of a checkpoint are read, never written in place.
     */
    private static MemorySegment map(Path file, Arena arena) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
        }
    }

    private static String hex(MemorySegment m) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 4; i++) sb.append(String.format("%02x", m.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i)));
        return sb.toString();
    }

    public Path file() { return file; }

    public Format format() { return format; }

    /** The unpickled object (usually a Map). */
    public Object root() { return root; }

    /** {@code "model.decoder.conv_in.weight" -> Tensor}, {@code "args.lr" -> 1e-4}, ... (see {@link PyTree#flatten}). */
    public Map<String, Object> flatten() {
        if (flat == null) flat = java.util.Collections.unmodifiableMap(PyTree.flatten(root));
        return flat;
    }

    /**
     * The tensors under {@code prefix} keyed relative to it ({@code tensors("model")} gives
     * {@code "decoder.conv_in.weight"}); all tensors for "" or null.
     *
     * @throws IllegalArgumentException if nothing lies under {@code prefix} (the message lists the top-level keys)
     */
    public Map<String, Tensor> tensors(String prefix) { return PyTree.tensors(flatten(), prefix); }

    /** Unmaps the file and frees copied storages; tensors from this checkpoint must not be used afterwards. */
    @Override
    public void close() {
        if (ownsArena && arena.scope().isAlive()) arena.close();
    }

    @Override
    public String toString() { return "TorchCheckpoint[" + file + ", " + format + "]"; }
}
