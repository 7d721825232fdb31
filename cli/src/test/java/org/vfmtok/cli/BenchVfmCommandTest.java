package org.vfmtok.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./vfm bench vfm} as a smoke run: the smallest DINOv2 at a 28 px input, Java only (the full-size run
 * against PyTorch is for a quiet machine), and a wrong model name refused in one line.
 */
class BenchVfmCommandTest {
    private static CliRun run(String... args) { return CliRun.of(args); }

    @Test
    void smokeRunOfTheSmallestModelJavaOnly(@TempDir Path dir) throws Exception {
        Path md = dir.resolve("vfm.md");
        CliRun r = run("bench", "vfm", "--models", "dinov2-s14", "--image-size", "28", "--batch", "1,2", "--reps", "1", "--threads", "1", "--no-torch",
                "--out", md.toString());
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("java  features 2x4x384 2x4x384 2x4x384 2x4x384"), r.out());
        assertTrue(r.out().matches("(?s).*\\ndinov2-s14\\s+28\\s+2\\s+[0-9.]+\\s+-\\s+-\\s+0\\.4\\s.*"), "a row: model, size, batch, java s, no torch, no ratio, GFLOP\n" + r.out());
        String table = Files.readString(md);
        assertTrue(table.contains("| dinov2-s14 | 28 | 1 | 1x4x384 1x4x384 1x4x384 1x4x384 |"), table);
        assertTrue(table.contains("| dinov2-s14 | 28 | 2 |"), table);
    }

    @Test
    void unknownModelIsRefusedNamingIt() {
        CliRun r = run("bench", "vfm", "--models", "dinov2-s14,clip-b32", "--no-torch");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown model 'clip-b32'") && r.err().strip().lines().count() == 1, r.err());
    }
}
