package org.vfmtok.vfmtok.train;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfmtok.nn.train.Checkpoints;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.io.Safetensors;

/** A run folder is validated before it is written: a refused start or resume leaves every file as it was. */
class RunInputsTest {
    static RunInputs inputs(int dim, String data, String vfmHash) {
        Map<String, Object> arch = new LinkedHashMap<>();
        arch.put("dim", dim);
        arch.put("norm_eps", 1e-5);
        arch.put("vfm", Map.of("depth", 2));
        return new RunInputs("gpt.json", arch).with("data", data).with("vfm_sha256", vfmHash);
    }

    /** Every file's bytes and modification time. */
    static Map<String, Object> snapshot(Path dir) throws IOException {
        Map<String, Object> m = new TreeMap<>();
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) {
                m.put(p.getFileName() + ".bytes", java.util.HexFormat.of().formatHex(Files.readAllBytes(p)));
                m.put(p.getFileName() + ".mtime", Files.getLastModifiedTime(p));
            }
        }
        return m;
    }

    static Path startedRun(Path dir) throws IOException {
        Path run = dir.resolve("run");
        inputs(64, "shapes", "aa11").check(run, false);
        inputs(64, "shapes", "aa11").record(run);
        Safetensors.save(Checkpoints.pathFor(run, 1), Map.of("model.w", Tensor.of(new float[] {1}, 1)), Map.of("step", "1"));
        // an old timestamp, so that a rewrite with the same bytes would still show
        try (var s = Files.list(run)) {
            for (Path p : s.toList()) Files.setLastModifiedTime(p, FileTime.fromMillis(1_000_000_000_000L));
        }
        return run;
    }

    @Test
    void aMatchingResumePassesAndAFreshStartIsRefused(@TempDir Path dir) throws IOException {
        Path run = startedRun(dir);
        Map<String, Object> before = snapshot(run);
        inputs(64, "shapes", "aa11").check(run, true);
        inputs(64, "shapes", null).check(run, true); // an input the caller does not know is not checked
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> inputs(64, "shapes", "aa11").check(run, false));
        assertTrue(e.getMessage().contains("already holds a run"), e.getMessage());
        assertEquals(before, snapshot(run));
    }

    @Test
    void aResumeWithOtherInputsNamesEveryDifferenceAndChangesNothing(@TempDir Path dir) throws IOException {
        Path run = startedRun(dir);
        Map<String, Object> before = snapshot(run);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> inputs(128, "folder x", "bb22").check(run, true));
        String m = e.getMessage();
        assertTrue(m.contains("architecture dim: recorded 64, now 128"), m);
        assertTrue(m.contains("data: recorded \"shapes\", now \"folder x\""), m);
        assertTrue(m.contains("vfm_sha256: recorded \"aa11\", now \"bb22\""), m);
        assertEquals(before, snapshot(run));

        Map<String, Object> arch = new LinkedHashMap<>();
        arch.put("dim", 64);
        arch.put("norm_eps", 1e-5);
        arch.put("vfm", Map.of("depth", 3));
        e = assertThrows(IllegalArgumentException.class, () -> new RunInputs("gpt.json", arch).check(run, true));
        assertTrue(e.getMessage().contains("architecture vfm.depth: recorded 2, now 3"), e.getMessage());
        assertEquals(before, snapshot(run));
    }

    @Test
    void aRunFolderThatIsAFileIsRefused(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("file"), "x");
        IOException e = assertThrows(IOException.class, () -> inputs(1, "d", null).check(f, false));
        assertTrue(e.getMessage().contains("is a regular file"), e.getMessage());
    }

    @Test
    void theHashIsSha256OfTheBytes(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("f"), "abc");
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", RunInputs.sha256(f));
    }
}
