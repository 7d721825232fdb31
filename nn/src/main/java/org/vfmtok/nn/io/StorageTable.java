package org.vfmtok.nn.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.vfmtok.tensor.Device;
import org.vfmtok.tensor.Storage;

/**
 * Turns the storage references of a checkpoint's pickle ({@code ('storage', torch.FloatStorage, key,
 * location, numel[, view])}) into {@link Storage}s, one per key, so that tensors viewing the same storage
 * share memory in Java too. Subclasses say where a key's bytes are ({@link #rawBytes}); this class checks
 * sizes, widens int16/int8 and caches.
 */
abstract class StorageTable {
    /** A storage as the pickle sees it; {@code storage} is null during a dry run (legacy first pass). */
    record Loaded(TorchStorageType type, long numel, Storage storage) {}

    private final Map<String, Loaded> byKey = new HashMap<>();
    private final Arena arena;

    /** @param arena owns memory for widened or inflated storages; null for a dry run */
    StorageTable(Arena arena) { this.arena = arena; }

    /**
     * Exactly {@code bytes} bytes holding key's elements as the file stores them, or null for a dry run.
     * Must fail with a message naming the record if they are not all there.
     */
    abstract MemorySegment rawBytes(String key, TorchStorageType type, long numel, long bytes) throws TorchCheckpointException;

    final Loaded load(TorchStorageType type, String key, long numel, List<Object> view) throws TorchCheckpointException {
        Loaded root = byKey.get(key);
        if (root == null) {
            long bytes = bytes(type, numel, "storage '" + key + "'");
            MemorySegment raw = rawBytes(key, type, numel, bytes);
            root = new Loaded(type, numel, raw == null ? null : Storage.borrow(widened(raw, type, numel), Device.CPU));
            byKey.put(key, root);
        } else if (root.type() != type || root.numel() != numel) {
            throw new TorchCheckpointException("storage '" + key + "' is referenced both as " + root.type() + " of " + root.numel()
                    + " elements and as " + type + " of " + numel + " elements");
        }
        return view == null ? root : view(root, key, view);
    }

    /** A legacy storage view {@code (view_key, offset, size)} in elements of the root storage. */
    private Loaded view(Loaded root, String rootKey, List<Object> view) throws TorchCheckpointException {
        if (view.size() != 3 || !(view.get(0) instanceof String viewKey) || !(view.get(1) instanceof Long off)
                || !(view.get(2) instanceof Long size) || off < 0 || size < 0 || off > root.numel() - size) {
            throw new TorchCheckpointException("bad storage view " + view + " of storage '" + rootKey + "' with " + root.numel() + " elements");
        }
        Loaded existing = byKey.get(viewKey);
        if (existing != null) return existing;
        Storage s = null;
        if (root.storage() != null) {
            long es = root.type().dtype().byteSize();
            s = Storage.borrow(root.storage().segment().asSlice(off * es, size * es), Device.CPU);
        }
        Loaded v = new Loaded(root.type(), size, s);
        byKey.put(viewKey, v);
        return v;
    }

    /** The bytes {@code numel} elements take in the file, overflow-checked. */
    static long bytes(TorchStorageType type, long numel, String what) throws TorchCheckpointException {
        if (numel < 0) throw new TorchCheckpointException(what + " declares a negative size " + numel);
        try {
            return Math.multiplyExact(numel, (long) type.fileElementSize());
        } catch (ArithmeticException e) {
            throw new TorchCheckpointException(what + " declares " + numel + " elements of " + type + ", more bytes than a file can hold");
        }
    }

    private MemorySegment widened(MemorySegment raw, TorchStorageType type, long numel) {
        if (!type.widens()) return raw;
        MemorySegment out = arena.allocate(numel * type.dtype().byteSize(), 64);
        type.widen(raw, out, numel);
        return out;
    }
}
