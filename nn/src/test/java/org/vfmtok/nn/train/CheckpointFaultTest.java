package org.vfmtok.nn.train;

import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;

/**
 * Fault injection on checkpoint writes, in child JVMs: SIGKILL at arbitrary moments of a stream of saves, and a
 * full disk (the file-size limit of {@code ulimit -f}, which makes write(2) fail with EFBIG as ENOSPC would).
 * Whatever happens, every checkpoint left loads with the values it was written with, the previous ones survive,
 * and the next start removes the temporaries.
 */
class CheckpointFaultTest {
    private static List<String> java(String... args) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), CheckpointWriterChild.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Every checkpoint in dir loads and holds its own step in every element. */
    private static int assertIntact(Path dir) throws Exception {
        int n = 0;
        for (Path p : Checkpoints.all(dir)) {
            try (Scope s = Scope.open()) {
                Checkpoints.Contents c = Checkpoints.load(p);
                long step = Long.parseLong(c.metadata().get("step"));
                assertEquals(Checkpoints.step(p), step, p.toString());
                Tensor w = c.section("model").get("w");
                for (float v : w.toFloatArray()) if (v != step) fail(p + " holds " + v + ", written with " + step);
                n++;
            }
        }
        return n;
    }

    private static long temporaries(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).count();
        }
    }

    @Test
    void killedDuringCheckpointWritesLeavesOnlyIntactCheckpoints(@TempDir Path tmp) throws Exception {
        int killedMidWrite = 0;
        for (int trial = 0; trial < 3; trial++) {
            Path dir = tmp.resolve("run" + trial);
            Files.createDirectories(dir);
            Process p = new ProcessBuilder(java("loop", dir.toString())).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null && !line.equals("saved 2")) { /* wait for two complete saves */ }
            assertEquals("saved 2", line, "the child stopped early");
            Thread.sleep(7L * trial); // somewhere in the next write
            p.destroyForcibly(); // SIGKILL: no shutdown hooks, no finally blocks
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            if (temporaries(dir) > 0) killedMidWrite++;
            assertTrue(assertIntact(dir) >= 1, "the checkpoints written before the kill survive");
            Checkpoints.removeTemporary(dir);
            assertEquals(0, temporaries(dir), "the next start removes what the killed write left");
        }
        System.err.println("checkpoint kill test: " + killedMidWrite + " of 3 kills landed inside a write");
    }

    @Test
    void aFullDiskFailsTheSaveWithItsCauseAndKeepsThePreviousCheckpoint(@TempDir Path dir) throws Exception {
        // ulimit -f 2048: files of at most 2 MiB; the second checkpoint (800 KB) fits, the third (6.4 MB) does not
        List<String> cmd = new ArrayList<>(List.of("bash", "-c", "ulimit -f 2048 && exec \"$0\" \"$@\""));
        cmd.addAll(java("grow", dir.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(3, p.exitValue(), out);
        assertTrue(out.contains("saved 2") && !out.contains("saved 3"), out);
        assertTrue(out.contains("File too large"), "the message keeps the system's cause: " + out);
        assertEquals(List.of(Checkpoints.pathFor(dir, 1), Checkpoints.pathFor(dir, 2)), Checkpoints.all(dir));
        assertEquals(2, assertIntact(dir));
        assertEquals(0, temporaries(dir), "a failed write removes its temporary file");
    }
}
