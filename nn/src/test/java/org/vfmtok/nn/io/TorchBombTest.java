package org.vfmtok.nn.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.io.InputLimits;

/**
 * A small {@code .pt} must not cost large memory: deflate bombs in storage or pickle records and pickles
 * that repeat a container opcode are refused with the limit and its override named. The hostile files
 * are built here from a checkpoint {@link TorchWriter} writes, with records replaced.
 */
class TorchBombTest {

    /** A storage record of 96 MB of zeros, deflated to a few hundred KB, behind a valid 4-element tensor. */
    @Test
    void deflatedStorageBombIsRefusedBeforeItIsAllocated(@TempDir Path tmp) throws Exception {
        Path file = rezip(tmp, Map.of("archive/data/0", new byte[96 << 20]));
        assertTrue(Files.size(file) < 1 << 20, "the bomb is small: " + Files.size(file));
        long before = allocatedBytes();
        TorchCheckpointException e = assertThrows(TorchCheckpointException.class, () -> TorchCheckpoint.open(file).close());
        assertTrue(allocatedBytes() - before < (32 << 20), "heap allocated while refusing: " + (allocatedBytes() - before));
        assertTrue(e.getMessage().startsWith(file + ": zip record 'archive/data/0' inflating to 100663296 bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("limit of " + (64 << 20) + " bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("-D" + InputLimits.INFLATED_BYTES + "=N"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    /** The same record loads once the limit is raised: it is the limit, not corruption, that refused it. */
    @Test
    void inflateLimitCanBeRaised(@TempDir Path tmp) throws Exception {
        Path file = rezip(tmp, Map.of("archive/data/0", new byte[70 << 20]));
        assertThrows(TorchCheckpointException.class, () -> TorchCheckpoint.open(file).close());
        withProperty(InputLimits.INFLATED_BYTES, Long.toString(80L << 20), () -> {
            try (TorchCheckpoint c = TorchCheckpoint.open(file)) {
                assertArrayEquals(new double[4], c.tensors("").get("w").toDoubleArray());
            }
        });
    }

    /** Many small bombs share one budget per archive. */
    @Test
    void budgetCoversAllRecordsOfAnArchive(@TempDir Path tmp) throws Exception {
        Map<String, byte[]> records = new LinkedHashMap<>();
        records.put("archive/data.pkl", pickleWithPadding(40 << 20)); // 40 MiB of pickle, under the limit alone
        records.put("archive/data/0", new byte[40 << 20]);            // ... and the storage, over it together
        Path file = rezip(tmp, records);
        TorchCheckpointException e = assertThrows(TorchCheckpointException.class, () -> TorchCheckpoint.open(file).close());
        assertTrue(e.getMessage().contains("zip record 'archive/data/0' inflating to " + (40 << 20) + " bytes ("), e.getMessage());
        assertTrue(e.getMessage().contains(" inflated before it"), e.getMessage());
    }

    /** 40 MB of EMPTY_LIST opcodes deflate to ~40 KB and would create 40 M lists (~1.6 GB of heap). */
    @Test
    void pickleThatRepeatsAContainerOpcodeIsRefused(@TempDir Path tmp) throws Exception {
        byte[] bomb = new byte[40_000_003];
        Arrays.fill(bomb, (byte) ']');
        bomb[0] = (byte) 0x80;
        bomb[1] = 2;
        bomb[bomb.length - 1] = '.';
        Path file = rezip(tmp, Map.of("archive/data.pkl", bomb));
        assertTrue(Files.size(file) < 1 << 20);
        long before = allocatedBytes();
        TorchCheckpointException e = assertThrows(TorchCheckpointException.class, () -> TorchCheckpoint.open(file).close());
        long used = allocatedBytes() - before;
        assertTrue(used < 600L << 20, "heap allocated while refusing: " + used);
        assertTrue(e.getMessage().contains("the number of values this pickle creates exceeds the limit of 4000000 values"), e.getMessage());
        assertTrue(e.getMessage().contains("-D" + InputLimits.PICKLE_OBJECTS + "=N"), e.getMessage());
    }

    /** Memo entries count too: LONG_BINPUT under ever new indices grows the memo without growing the stack. */
    @Test
    void memoEntriesCountAgainstTheLimit(@TempDir Path tmp) throws Exception {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(0x80);
        p.write(2);
        p.write('N');
        for (int i = 0; i < 2000; i++) {
            p.write('r');
            p.write(new byte[] {(byte) i, (byte) (i >> 8), 0, 0});
        }
        p.write('.');
        Path file = rezip(tmp, Map.of("archive/data.pkl", p.toByteArray()));
        withProperty(InputLimits.PICKLE_OBJECTS, "1000", () -> {
            TorchCheckpointException e = assertThrows(TorchCheckpointException.class, () -> TorchCheckpoint.open(file).close());
            assertTrue(e.getMessage().contains("limit of 1000 values"), e.getMessage());
        });
        try (TorchCheckpoint c = TorchCheckpoint.open(file)) {
            assertNull(c.root());
        }
    }

    // ------------------------------------------------------------------ helpers

    /** A valid pickle ({'w': tensor}) followed by {@code padding} bytes that are never read after STOP. */
    private static byte[] pickleWithPadding(int padding) throws Exception {
        byte[] pkl = original().get("archive/data.pkl");
        return Arrays.copyOf(pkl, pkl.length + padding);
    }

    private static Map<String, byte[]> original() throws Exception {
        Path dir = Files.createTempDirectory("bomb");
        try {
            Path f = dir.resolve("w.pt");
            TorchWriter.save(f, Map.of("w", Tensor.of(new float[4], 4)));
            Map<String, byte[]> records = new LinkedHashMap<>();
            try (ZipInputStream in = new ZipInputStream(Files.newInputStream(f))) {
                for (ZipEntry e; (e = in.getNextEntry()) != null; ) records.put(e.getName(), in.readAllBytes());
            }
            Files.delete(f);
            return records;
        } finally {
            Files.delete(dir);
        }
    }

    /** The checkpoint of {'w': 4 zeros}, with {@code replaced} records substituted, every record deflated. */
    static Path rezip(Path dir, Map<String, byte[]> replaced) throws Exception {
        Map<String, byte[]> records = original();
        records.putAll(replaced);
        Path out = dir.resolve("bomb.pt");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(out))) {
            zip.setLevel(1);
            for (var r : records.entrySet()) {
                zip.putNextEntry(new ZipEntry(r.getKey()));
                zip.write(r.getValue());
                zip.closeEntry();
            }
        }
        return out;
    }

    static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    interface Body {
        void run() throws Exception;
    }

    static void withProperty(String key, String value, Body body) throws Exception {
        String old = System.getProperty(key);
        System.setProperty(key, value);
        try {
            body.run();
        } finally {
            if (old == null) System.clearProperty(key);
            else System.setProperty(key, old);
        }
    }
}
