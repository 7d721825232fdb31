package org.vfmtok.tensor.backend;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.Pointwise;

/**
 * A JVM started without {@code --add-modules jdk.incubator.vector} (a child process on the test class path):
 * the scalar backend works, the CPU backend fails at its first use with a message naming the flag.
 */
class WithoutVectorModuleTest {
    /** The child: one allocation, one kernel, one read; prints the result or the error's message. */
    public static void main(String[] args) {
        try {
            Tensor a = Tensor.of(new float[] {1, 2, 3}, 3);
            float[] sum = Pointwise.add(a, a).toFloatArray();
            System.out.println("OK " + sum[0] + " " + sum[1] + " " + sum[2]);
        } catch (Throwable t) {
            System.out.println("FAILED " + t.getClass().getName() + ": " + t.getMessage());
        }
    }

    private static String runChild(String... props) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.addAll(List.of(props));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(WithoutVectorModuleTest.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES));
        return out;
    }

    @Test
    void theScalarBackendNeedsNoIncubatorModule() throws Exception {
        String out = runChild("-Dvfmtok.backend=scalar");
        assertTrue(out.contains("OK 2.0 4.0 6.0"), out);
        assertFalse(out.contains("incubator"), "no Vector API class loaded: " + out);
    }

    @Test
    void theCpuBackendNamesTheMissingFlag() throws Exception {
        String out = runChild();
        assertTrue(out.contains("FAILED java.lang.IllegalStateException"), out);
        assertTrue(out.contains("--add-modules jdk.incubator.vector"), out);
        assertTrue(out.contains("-Dvfmtok.backend=scalar"), out);
    }

    @Test
    void thisJvmHasTheModule() {
        assertTrue(Backends.vectorApiAvailable(), "the tests run with --add-modules jdk.incubator.vector");
    }
}
