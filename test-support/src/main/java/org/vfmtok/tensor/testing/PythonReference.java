package org.vfmtok.tensor.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;

/**
 * The PyTorch reference interpreter of the parity tests. Those tests are in the opt-in {@code heavy} group: whoever
 * runs it ({@code ./vfm test-all}) asked for the comparison, so a missing interpreter or module fails the test with
 * what to install; it is never a silent skip (the default run leaves the group out).
 */
public final class PythonReference {
    /** Debian's interpreter, where {@code apt-get install python3-torch} puts torch. */
    public static final Path PYTHON = Path.of("/usr/bin/python3");

    private PythonReference() {}

    /** {@link #PYTHON}, after checking that it can import every one of {@code modules}; fails the test otherwise. */
    public static Path require(String... modules) {
        String what = "the heavy parity tests compare with PyTorch and need " + PYTHON + " importing " + String.join(", ", modules)
                + " (apt-get install python3-torch python3-numpy python3-pil)";
        if (!Files.isExecutable(PYTHON)) Assertions.fail(what + ": " + PYTHON + " is missing");
        String error = importError(modules);
        if (error != null) Assertions.fail(what + ": " + error);
        return PYTHON;
    }

    /** Why {@link #PYTHON} cannot import {@code modules} (its last line of output), or null when it can. */
    public static String importError(String... modules) {
        try {
            Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import " + String.join(", ", modules)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "importing took more than 2 minutes";
            }
            if (p.exitValue() == 0) return null;
            String[] lines = out.split("\n");
            return lines.length == 0 ? "exit status " + p.exitValue() : lines[lines.length - 1];
        } catch (IOException e) {
            return "cannot run " + PYTHON + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
