package org.vfmtok.tensor.cpu;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.Backends;

@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JitHintsTest {
    /** Loading and using the backend changes nothing in the JVM: the directive is an explicit opt-in. */
    @Test
    @Order(1)
    void notInstalledByLoadingTheBackend() {
        assertNotNull(VectorSupport.F);
        assertTrue(Backends.cpu().name().startsWith("cpu"));
        Tensor.ones(4, 4).matmul(Tensor.ones(4, 4));
        assertEquals("not installed", JitHints.status());
    }

    /** On HotSpot (what the project runs on) the directive is in place once a host asks for it, and asking again is harmless. */
    @Test
    @Order(2)
    void installedWhenAsked() {
        assertEquals("installed", Backends.installCompilerHints());
        assertEquals("installed", Backends.installCompilerHints());
        assertEquals("installed", JitHints.status());
    }

    @Test
    void theDirectiveNamesTheKernelsOnly() {
        assertEquals("[{ match: [\"org/vfmtok/tensor/cpu/CachedAttention.*\", \"org/vfmtok/tensor/cpu/gemm/RowGemm.*\", "
                + "\"org/vfmtok/tensor/cpu/VectorMath.expShift\", \"org/vfmtok/tensor/cpu/CpuPointwise.siluMul\", \"org/vfmtok/tensor/cpu/CpuNorm.normRows\", "
                + "\"org/vfmtok/tensor/cpu/CpuNorm.sumSqDev\"], inline: [\"+org/vfmtok/tensor/cpu/VectorMath.exp\", "
                + "\"+org/vfmtok/tensor/cpu/VectorMath.sigmoid\", \"+org/vfmtok/tensor/cpu/Lanes.sum\", \"+org/vfmtok/tensor/cpu/VectorSupport.widenBf16\"] },\n"
                + " { match: [\"*.*\"], inline: [\"-org/vfmtok/tensor/cpu/CpuPointwise.siluMul\", \"-org/vfmtok/tensor/cpu/CpuNorm.normRows\"] }]\n",
                JitHints.directive());
        for (String p : Stream.of(JitHints.ROOTS, JitHints.INLINE, JitHints.OWN_ROOTS).flatMap(l -> l.stream()).toList()) {
            assertTrue(p.startsWith("org/vfmtok/tensor/cpu/"), p + " is not a CPU kernel");
        }
    }

    /** The file the launcher passes to -XX:CompilerDirectivesFile is the same directive. */
    @Test
    void theShippedFileIsTheDirective() throws Exception {
        Path file = Path.of("..", "tools", "jit", "decode-directives.json");
        assertTrue(Files.isRegularFile(file), file.toAbsolutePath() + " is missing");
        assertEquals(JitHints.directive(), Files.readString(file));
    }

    /** Every named method exists (a rename would silently void the directive). */
    @Test
    void everyNamedMethodExists() throws Exception {
        for (String p : JitHints.INLINE) assertNamedMethodExists(p);
        for (String p : JitHints.OWN_ROOTS) assertNamedMethodExists(p);
        for (String p : JitHints.ROOTS) {
            if (p.endsWith(".*")) Class.forName(p.substring(0, p.length() - 2).replace('/', '.'), false, JitHintsTest.class.getClassLoader());
            else assertNamedMethodExists(p);
        }
    }

    private static void assertNamedMethodExists(String pattern) throws ClassNotFoundException {
        int dot = pattern.lastIndexOf('.');
        Class<?> c = Class.forName(pattern.substring(0, dot).replace('/', '.'), false, JitHintsTest.class.getClassLoader());
        String name = pattern.substring(dot + 1);
        assertTrue(Arrays.stream(c.getDeclaredMethods()).map(Method::getName).anyMatch(name::equals), pattern + " names no method");
    }
}
