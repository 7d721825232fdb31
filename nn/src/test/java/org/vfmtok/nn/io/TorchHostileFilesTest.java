package org.vfmtok.nn.io;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfmtok.tensor.Tensor;

/**
 * Malicious and damaged files end with a {@link TorchCheckpointException} that names the file and the
 * problem: nothing is executed, nothing huge is allocated, nothing else is thrown.
 */
class TorchHostileFilesTest {

    private static TorchCheckpointException rejected(String fixture, String... expectedInMessage) {
        Path p = TorchFixtures.path(fixture);
        TorchCheckpointException e = assertThrows(TorchCheckpointException.class, () -> TorchCheckpoint.open(p).close());
        assertTrue(e.getMessage().startsWith(p.toString()), "message names the file: " + e.getMessage());
        for (String s : expectedInMessage) assertTrue(e.getMessage().contains(s), "'" + s + "' in: " + e.getMessage());
        return e;
    }

    @Test
    void forbiddenGlobalIsNamedAndNeverCalled() {
        TorchCheckpointException e = rejected("evil_global.pt", "forbidden global posix.system", "nothing was executed");
        ForbiddenGlobalException f = assertInstanceOf(ForbiddenGlobalException.class, e.getCause());
        assertEquals("posix", f.module());
        assertEquals("system", f.name());
    }

    @Test
    void truncatedZip() { rejected("evil_truncated.pt", "no end-of-central-directory record"); }

    @Test
    void missingDataRecord() { rejected("evil_missing_record.pt", "missing zip record 'archive/data/0'", "torch.FloatStorage of 20 elements"); }

    @Test
    void recordShorterThanItsStorage() { rejected("evil_short_record.pt", "'archive/data/0' holds 7 bytes", "20 elements (80 bytes)"); }

    @Test
    void hugeDeclaredStorageSize() {
        // 2^60 floats: the size check against the 16-byte record comes before any read or allocation
        rejected("evil_huge_size.pt", "holds 16 bytes", "1152921504606846976 elements");
    }

    @Test
    void tensorReachingBeyondItsStorage() { rejected("evil_tensor_bounds.pt", "reaches beyond its torch.FloatStorage of 4 elements"); }

    @Test
    void notACheckpoint(@TempDir Path tmp) throws Exception {
        Path text = Files.writeString(tmp.resolve("notes.pt"), "hello world");
        TorchCheckpointException e = assertThrows(TorchCheckpointException.class, () -> TorchCheckpoint.open(text));
        assertTrue(e.getMessage().contains("neither a torch.save zip archive nor a legacy"), e.getMessage());
        Path empty = Files.write(tmp.resolve("empty.pt"), new byte[0]);
        assertThrows(TorchCheckpointException.class, () -> TorchCheckpoint.open(empty));
        Path missing = tmp.resolve("missing.pt");
        assertTrue(assertThrows(TorchCheckpointException.class, () -> TorchCheckpoint.open(missing)).getMessage().contains("missing.pt"));
    }

    @Test
    void legacyFileWithTruncatedStorage(@TempDir Path tmp) throws Exception {
        byte[] all = Files.readAllBytes(TorchFixtures.path("legacy.pt"));
        Path cut = Files.write(tmp.resolve("cut.pt"), Arrays.copyOf(all, all.length - 3));
        TorchCheckpointException e = assertThrows(TorchCheckpointException.class, () -> TorchCheckpoint.open(cut));
        assertTrue(e.getMessage().contains("bytes remain in the file"), e.getMessage());
    }

    /** Prefixes of a file, zip and legacy: success is impossible, any error must be ours. */
    @Test
    void truncationsFailCleanly(@TempDir Path tmp) throws Exception { truncations(tmp, 7); }

    @Test
    @Tag("heavy")
    void everyTruncationFailsCleanly(@TempDir Path tmp) throws Exception { truncations(tmp, 1); }

    private static void truncations(Path tmp, int step) throws Exception {
        for (String name : new String[] {"shared.pt", "legacy.pt"}) {
            byte[] all = Files.readAllBytes(TorchFixtures.path(name));
            Path p = tmp.resolve(name);
            for (int n = 0; n < all.length; n += step) {
                Files.write(p, Arrays.copyOf(all, n));
                int len = n;
                assertThrows(TorchCheckpointException.class, () -> TorchCheckpoint.open(p).close(), name + " cut at " + len);
            }
        }
    }

    /**
     * Random byte corruption: either the file still loads (and every tensor can be read in full, which
     * proves the bounds checks) or it fails with our exception. Seeded, so failures reproduce.
     */
    @Test
    void randomCorruptionFailsCleanlyOrLoadsSafely(@TempDir Path tmp) throws Exception { corruptions(tmp, 50, 42); }

    @Test
    @Tag("heavy")
    void manyRandomCorruptions(@TempDir Path tmp) throws Exception { corruptions(tmp, 2000, 7); }

    /** PyTree.flatten's own refusals of a corrupted structure (any other IllegalStateException is a defect). */
    static boolean isFlattenRefusal(IllegalStateException e) {
        String m = String.valueOf(e.getMessage());
        return m.startsWith("cyclic structure at '") || m.startsWith("two entries flatten to the same key '")
                || m.matches("more than \\d+ values to flatten \\(at '.*'\\)");
    }

    @Test
    void onlyFlattenRefusalsCountAsSafe() {
        assertTrue(isFlattenRefusal(new IllegalStateException("cyclic structure at 'a.b'")));
        assertTrue(isFlattenRefusal(new IllegalStateException("two entries flatten to the same key 'w'")));
        assertTrue(isFlattenRefusal(new IllegalStateException("more than 1000 values to flatten (at 'x')")));
        assertFalse(isFlattenRefusal(new IllegalStateException("element access on a cuda:0 tensor")));
        assertFalse(isFlattenRefusal(new IllegalStateException(null, null)));
    }

    private static void corruptions(Path tmp, int trials, long seed) throws Exception {
        SplittableRandom rng = new SplittableRandom(seed);
        int loaded = 0, rejected = 0;
        for (String name : new String[] {"shared.pt", "legacy.pt", "nested.pt"}) {
            byte[] all = Files.readAllBytes(TorchFixtures.path(name));
            Path p = tmp.resolve(name);
            for (int trial = 0; trial < trials; trial++) {
                byte[] bad = all.clone();
                int flips = 1 + rng.nextInt(4);
                for (int f = 0; f < flips; f++) bad[rng.nextInt(bad.length)] = (byte) rng.nextInt(256);
                Files.write(p, bad);
                try (TorchCheckpoint c = TorchCheckpoint.open(p)) {
                    loaded++;
                    try {
                        for (Object v : c.flatten().values()) if (v instanceof Tensor t) t.toDoubleArray();
                    } catch (IllegalStateException e) {
                        // a corrupted memo can make a cycle or clashing keys: flatten reports exactly these, nothing else
                        if (!isFlattenRefusal(e)) throw new AssertionError(name + " trial " + trial + ": unexpected " + e, e);
                    }
                } catch (TorchCheckpointException expected) {
                    rejected++;
                } catch (Throwable other) {
                    throw new AssertionError(name + " trial " + trial + ": unexpected " + other, other);
                }
            }
        }
        assertTrue(rejected > 0 && loaded > 0, "loaded " + loaded + ", rejected " + rejected);
    }
}
