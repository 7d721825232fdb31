package org.vfmtok.nn.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The two layouts torch.save writes, each turned into the unpickled root object. */
final class TorchFormats {
    /** data.pkl and the legacy pickles of real checkpoints are kilobytes to a few megabytes. */
    static final long MAX_PICKLE_BYTES = 256L << 20;

    private static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    private static final long LEGACY_PROTOCOL = 1001;
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    // ------------------------------------------------------------------ zip (torch >= 1.6 default)

    /**
     * {@code <top>/data.pkl} with storages in {@code <top>/data/<key>}; the top folder is named after the
     * file when it was saved, so it is found rather than assumed.
     */
    static Object readZip(MemorySegment file, Arena arena) throws TorchCheckpointException {
        ZipArchive zip = new ZipArchive(file);
        String top = null;
        for (String name : zip.entries().keySet()) {
            int slash = name.indexOf('/');
            if (slash > 0 && name.substring(slash + 1).equals("data.pkl")) {
                if (top != null) throw new TorchCheckpointException("zip archive has several data.pkl records ('" + shown(top) + "data.pkl', '" + shown(name) + "')");
                top = name.substring(0, slash + 1);
            }
        }
        if (top == null) {
            throw new TorchCheckpointException("zip archive has no '<folder>/data.pkl' record: not a torch.save checkpoint"
                    + (zip.entries().isEmpty() ? " (no records)" : " (records: " + first(zip.entries().keySet()) + ")"));
        }
        ZipArchive.Entry order = zip.entry(top + "byteorder");
        if (order != null) {
            String bo = new String(zip.data(order, arena, true).toArray(ValueLayout.JAVA_BYTE)).strip();
            if (!bo.equals("little")) throw new TorchCheckpointException("checkpoint was saved with byte order '" + shown(bo) + "'; only little-endian is supported");
        }
        ZipArchive.Entry pkl = zip.entry(top + "data.pkl");
        if (pkl.size() > MAX_PICKLE_BYTES) {
            throw new TorchCheckpointException("record '" + shown(pkl.name()) + "' is " + pkl.size() + " bytes, over the " + MAX_PICKLE_BYTES + "-byte limit for pickles");
        }
        MemorySegment pickle = zip.data(pkl, arena, true);
        String dataDir = top + "data/";
        StorageTable storages = new StorageTable(arena) {
            @Override
            MemorySegment rawBytes(String key, TorchStorageType type, long numel, long bytes) throws TorchCheckpointException {
                String name = dataDir + key;
                ZipArchive.Entry e = zip.entry(name);
                if (e == null) throw new TorchCheckpointException("missing zip record '" + shown(name) + "' for a " + type + " of " + numel + " elements");
                if (e.size() < bytes) {
                    throw new TorchCheckpointException("zip record '" + shown(name) + "' holds " + e.size() + " bytes but its " + type + " declares "
                            + numel + " elements (" + bytes + " bytes)");
                }
                return zip.data(e, arena, false).asSlice(0, bytes);
            }
        };
        Unpickler u = new Unpickler(pickle, 0, pickle.byteSize(), new TorchGlobals(storages));
        return u.load();
    }

    /** Names and strings from the file, escaped for messages. */
    private static String shown(String s) { return org.vfmtok.tensor.io.TerminalText.escape(s, 200); }

    private static String first(Iterable<String> names) {
        StringBuilder sb = new StringBuilder();
        int n = 0;
        for (String s : names) {
            if (n++ == 5) return sb.append(", ...").toString();
            sb.append(n > 1 ? ", " : "").append(shown(s));
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ legacy (_use_new_zipfile_serialization=False)

    static boolean looksLikeLegacy(MemorySegment file) {
        // pickle PROTO 2 followed by LONG1 (the magic number)
        return file.byteSize() >= 3 && (file.get(ValueLayout.JAVA_BYTE, 0) & 0xFF) == 0x80 && (file.get(ValueLayout.JAVA_BYTE, 2) & 0xFF) == 0x8a;
    }

    /**
     * Pickles for the magic number, protocol version and sys_info, then the object pickle, then the
     * list of storage keys, then per key an int64 element count and the raw elements. The element sizes
     * are only known from the object pickle, so it runs twice: a dry run that records each key's type,
     * and the real run once the storages have been located.
     */
    static Object readLegacy(MemorySegment file, Arena arena) throws TorchCheckpointException {
        Unpickler.Resolver plain = new Unpickler.Resolver() {
            @Override
            public Object global(String module, String name) throws TorchCheckpointException { throw new ForbiddenGlobalException(module, name); }

            @Override
            public Object persistentLoad(Object pid) throws TorchCheckpointException {
                throw new TorchCheckpointException("unexpected persistent id in a legacy header pickle");
            }
        };
        Unpickler header = new Unpickler(file, 0, MAX_PICKLE_BYTES, plain);
        Object magic = header.load();
        if (!LEGACY_MAGIC.equals(magic instanceof Long l ? BigInteger.valueOf(l) : magic)) {
            throw new TorchCheckpointException("not a torch.save file: bad magic number " + Unpickler.typeName(magic));
        }
        Object protocol = header.load();
        if (!Long.valueOf(LEGACY_PROTOCOL).equals(protocol)) throw new TorchCheckpointException("unsupported legacy protocol version " + Unpickler.typeName(protocol));
        Object sysInfo = header.load();
        if (sysInfo instanceof Map<?, ?> info && Boolean.FALSE.equals(info.get("little_endian"))) {
            throw new TorchCheckpointException("checkpoint was saved on a big-endian machine; only little-endian is supported");
        }
        long objectStart = header.position();

        // dry run: which storage type and size each key has
        Map<String, StorageTable.Loaded> declared = new HashMap<>();
        StorageTable dry = new StorageTable(null) {
            @Override
            MemorySegment rawBytes(String key, TorchStorageType type, long numel, long bytes) {
                declared.put(key, new StorageTable.Loaded(type, numel, null));
                return null;
            }
        };
        Unpickler dryRun = new Unpickler(file, objectStart, MAX_PICKLE_BYTES, new TorchGlobals(dry));
        dryRun.load();
        Unpickler keysReader = new Unpickler(file, dryRun.position(), MAX_PICKLE_BYTES, plain);
        Object keysObj = keysReader.load();
        if (!(keysObj instanceof List<?> keys)) throw new TorchCheckpointException("legacy storage key list is a " + Unpickler.typeName(keysObj));

        Map<String, MemorySegment> located = new HashMap<>();
        long p = keysReader.position();
        List<String> order = new ArrayList<>();
        for (Object k : keys) {
            if (!(k instanceof String key) || !declared.containsKey(key) || located.containsKey(key)) {
                throw new TorchCheckpointException("legacy storage key " + Unpickler.typeName(k) + " is unknown or repeated");
            }
            StorageTable.Loaded d = declared.get(key);
            if (p > file.byteSize() - 8) throw new TorchCheckpointException("storage '" + key + "' is missing: the file ends at byte " + file.byteSize() + " (truncated?)");
            long count = file.get(I64, p);
            if (count != d.numel()) {
                throw new TorchCheckpointException("storage '" + key + "' holds " + count + " elements in the file but the pickle declares " + d.numel());
            }
            long bytes = StorageTable.bytes(d.type(), count, "storage '" + key + "'");
            if (bytes > file.byteSize() - p - 8) {
                throw new TorchCheckpointException("storage '" + key + "' declares " + count + " elements (" + bytes + " bytes) but only "
                        + (file.byteSize() - p - 8) + " bytes remain in the file (truncated?)");
            }
            located.put(key, file.asSlice(p + 8, bytes));
            order.add(key);
            p += 8 + bytes;
        }
        if (located.size() != declared.size()) {
            List<String> missing = new ArrayList<>(declared.keySet());
            missing.removeAll(order);
            throw new TorchCheckpointException("storages " + missing + " are referenced but not in the file's storage list");
        }
        StorageTable real = new StorageTable(arena) {
            @Override
            MemorySegment rawBytes(String key, TorchStorageType type, long numel, long bytes) {
                return located.get(key);
            }
        };
        return new Unpickler(file, objectStart, MAX_PICKLE_BYTES, new TorchGlobals(real)).load();
    }

    private TorchFormats() {}
}
