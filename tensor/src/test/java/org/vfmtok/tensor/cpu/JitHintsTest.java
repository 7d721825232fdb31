package org.vfmtok.tensor.cpu;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class JitHintsTest {
    /** On HotSpot (what the project runs on) the directive is in place once the backend has loaded. */
    @Test
    void installedWhenTheBackendLoads() {
        assertNotNull(VectorSupport.F);
        assertEquals("installed", JitHints.status());
    }

    /**
     * Every method of this module that takes or returns a vector is covered by a pattern: a new helper that is not
     * would be left to the heuristics, and its vectors boxed whenever they decline.
     */
    @Test
    void everyVectorHelperIsCovered() throws Exception {
        Path classes = Path.of(VectorSupport.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> uncovered = new ArrayList<>();
        int helpers = 0;
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = classes.relativize(f).toString().replace(".class", "").replace('/', '.');
                Class<?> c = Class.forName(name, false, getClass().getClassLoader());
                for (Method m : c.getDeclaredMethods()) {
                    boolean vectors = isVector(m.getReturnType());
                    for (Class<?> p : m.getParameterTypes()) vectors |= isVector(p);
                    if (!vectors || m.isSynthetic()) continue;
                    helpers++;
                    String pattern = c.getName().replace('.', '/');
                    if (!JitHints.INLINE.contains(pattern + "." + m.getName()) && !JitHints.INLINE.contains(pattern + ".*")) uncovered.add(c.getName() + "." + m.getName());
                }
            }
        }
        assertTrue(helpers > 10, "found only " + helpers + " vector helpers under " + classes);
        assertEquals(List.of(), uncovered, "vector helpers without a JitHints pattern");
    }

    private static boolean isVector(Class<?> t) {
        return jdk.incubator.vector.Vector.class.isAssignableFrom(t) || jdk.incubator.vector.VectorMask.class.isAssignableFrom(t);
    }

    @Test
    void theDirectiveIsHotSpotJson() {
        String d = JitHints.directive();
        assertTrue(d.startsWith("[{ match: [\"org/vfmtok/*.*\"], inline: [\"+org/vfmtok/tensor/cpu/VectorMath.exp\""), d);
        assertTrue(d.endsWith("\"+org/vfmtok/tensor/cpu/gemm/MicroKernel.scaled\"] }]"), d);
    }
}
