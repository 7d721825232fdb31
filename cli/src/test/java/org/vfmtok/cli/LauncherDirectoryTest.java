package org.vfmtok.cli;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ./vfm launcher runs a command in the caller's directory (a relative path means what the caller meant)
 * and only builds and benchmarks in the project folder. Checked on a copy of the script in a fake project,
 * with a stand-in java that prints its working directory and arguments, so no build is needed.
 */
class LauncherDirectoryTest {
    static void executable(Path p, String text) throws Exception {
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    static String run(Path cwd, Path script, Path jdk, String... args) throws Exception {
        String[] cmd = new String[args.length + 2];
        cmd[0] = "bash";
        cmd[1] = script.toString();
        System.arraycopy(args, 0, cmd, 2, args.length);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", jdk.toString());
        pb.environment().put("PATH", jdk.resolve("bin") + ":" + System.getenv("PATH"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out.strip();
    }

    @Test
    void commandsRunWhereTheCallerIs(@TempDir Path dir) throws Exception {
        Path launcher = Path.of("..", "vfm").toAbsolutePath().normalize();
        assumeTrue(Files.isRegularFile(launcher), "the launcher is at the project root");
        Path project = Files.createDirectories(dir.resolve("proj"));
        Files.copy(launcher, project.resolve("vfm"));
        Path target = Files.createDirectories(project.resolve("cli/target"));
        Files.writeString(target.resolve("vfm.classpath"), "/nowhere.jar");
        Files.writeString(target.resolve("vfm.stamp"), "");
        Path jdk = Files.createDirectories(dir.resolve("jdk/bin"));
        executable(jdk.resolve("java"), "#!/bin/sh\nif [ \"$1\" = -version ]; then echo 'openjdk version \"25\"' >&2; exit 0; fi\n"
                + "while [ \"$1\" != org.vfmtok.cli.Main ]; do shift; done; shift\necho \"cwd=$(pwd) args=$*\"\n");
        executable(jdk.resolve("mvn"), "#!/bin/sh\necho \"mvn in $(pwd)\" >&2\n");
        Path caller = Files.createDirectories(dir.resolve("elsewhere"));

        String out = run(caller, Path.of("..", "proj", "vfm"), jdk.getParent(), "inspect", "model.pt");
        assertEquals("cwd=" + caller.toRealPath() + " args=inspect model.pt", out, "a relative argument is resolved where the caller is");
        out = run(caller, Path.of("..", "proj", "vfm"), jdk.getParent(), "bench-gemm");
        assertEquals("cwd=" + project.toRealPath() + " args=bench-gemm", out, "benchmarks run in the project folder (tools/reference)");
    }
}
