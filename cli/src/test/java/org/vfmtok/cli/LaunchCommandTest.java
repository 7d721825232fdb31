package org.vfmtok.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code vfm launch} with real child JVMs running the hidden dist-check command (CPU only, 127.0.0.1). */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LaunchCommandTest {
    private static CliRun launch(String... args) { return CliRun.of(args); }

    @Test
    void ranksGetTheTorchrunVariablesAndMeet() {
        CliRun r = launch("launch", "--nproc", "3", "--timeout", "90", "dist-check", "--timeout", "60");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().filter(l -> l.contains(" token ")).toList();
        assertEquals(3, lines.size(), r.out() + r.err());
        for (int i = 0; i < 3; i++) {
            int rank = i;
            String line = lines.stream().filter(l -> l.startsWith("[rank " + rank + "] ")).findFirst().orElseThrow(() -> new AssertionError(r.out()));
            assertTrue(line.startsWith("[rank " + i + "] rank " + i + "/3 local " + i + " master 127.0.0.1:"), line);
        }
        Set<String> tokens = lines.stream().map(l -> l.substring(l.indexOf(" token ") + 7)).collect(Collectors.toSet());
        Set<String> ports = lines.stream().map(l -> l.replaceAll(".* master 127\\.0\\.0\\.1:(\\d+) .*", "$1")).collect(Collectors.toSet());
        assertEquals(1, tokens.size(), "every rank received rank 0's token: " + lines);
        assertEquals(1, ports.size(), "one MASTER_PORT for the job: " + lines);
    }

    @Test
    void aFailingRankStopsTheOthersAndIsNamed() {
        long start = System.nanoTime();
        CliRun r = launch("launch", "--nproc", "3", "--timeout", "90", "dist-check", "--fail-rank", "1", "--exit-code", "7", "--linger", "60");
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        assertEquals(7, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("vfm launch: rank 1 exited with code 7; stopped rank(s) [0, 2]"), r.err());
        assertTrue(seconds < 50, "the lingering ranks were stopped, not waited for (" + seconds + " s)");
    }

    @Test
    void aBrokenEnvironmentOrCommandFailsClearly() {
        CliRun r = launch("launch", "--nproc", "0", "info");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--nproc must be at least 1, got 0"), r.err());
        CliRun bad = launch("launch", "--nproc", "2", "--timeout", "60", "no-such-command");
        assertNotEquals(0, bad.code());
        assertTrue(bad.err().contains("exited with code"), bad.err());
    }
}
