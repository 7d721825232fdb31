package org.vfmtok.tensor.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.testing.JavadocExamples;

/** Launch's Javadoc example, compiled here (running it needs a GPU; the CUDA tests run the real fills). */
class LaunchJavadocExampleTest {
    /** Never called: the example must compile against Launch's API. */
    @SuppressWarnings("unused")
    static void fill(CudaDevice dev, long[] sizes, long offset, long[] strides, long base, int dtype, double value, long n) {
        // example: Launch
        try (Launch l = dev.launch(Kernels.FILL)) {
            l.shape(sizes).strided(offset, strides).ptr(base).i32(dtype).f64(value).i64(n).launch(dev.gridFor(n), 256, 0);
        }
        // end example
    }

    @Test
    void javadocShowsTheCompiledExample() {
        assertEquals(JavadocExamples.inTest(Path.of("src/test/java/org/vfmtok/tensor/cuda/LaunchJavadocExampleTest.java"), "Launch"),
                JavadocExamples.inJavadoc(Path.of("src/main/java/org/vfmtok/tensor/cuda/Launch.java"), 0));
    }
}
