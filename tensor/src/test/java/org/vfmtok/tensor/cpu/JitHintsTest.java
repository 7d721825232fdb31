package org.vfmtok.tensor.cpu;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.reflect.Method;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class JitHintsTest {
    /** On HotSpot (what the project runs on) the directive is in place once the backend has loaded. */
    @Test
    void installedWhenTheBackendLoads() {
        assertNotNull(VectorSupport.F);
        assertEquals("installed", JitHints.status());
    }

    @Test
    void theDirectiveIsHotSpotJson() {
        assertEquals("[{ match: [\"org/vfmtok/llama/*.*\", \"org/vfmtok/tensor/cpu/VectorMath.expShift\", \"org/vfmtok/tensor/cpu/CpuPointwise.siluMul\", "
                + "\"org/vfmtok/tensor/cpu/CpuNorm.rmsNormRow\", \"org/vfmtok/tensor/cpu/CpuNorm.sumSqDev\"], inline: [\"+org/vfmtok/tensor/cpu/VectorMath.exp\", "
                + "\"+org/vfmtok/tensor/cpu/VectorMath.sigmoid\", \"+org/vfmtok/tensor/cpu/Lanes.sum\", \"+org/vfmtok/tensor/cpu/VectorSupport.widenBf16\"] }]", JitHints.directive());
    }

    /** Every named method exists (a rename would silently void the directive). */
    @Test
    void everyNamedMethodExists() throws Exception {
        for (String p : JitHints.INLINE) assertNamedMethodExists(p);
        for (String p : JitHints.ROOTS) if (!p.endsWith("*.*")) assertNamedMethodExists(p);
    }

    private static void assertNamedMethodExists(String pattern) throws ClassNotFoundException {
        int dot = pattern.lastIndexOf('.');
        Class<?> c = Class.forName(pattern.substring(0, dot).replace('/', '.'), false, JitHintsTest.class.getClassLoader());
        String name = pattern.substring(dot + 1);
        assertTrue(Arrays.stream(c.getDeclaredMethods()).map(Method::getName).anyMatch(name::equals), pattern + " names no method");
    }
}
