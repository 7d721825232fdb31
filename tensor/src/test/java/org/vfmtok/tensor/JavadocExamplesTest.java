package org.vfmtok.tensor;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.ops.Pointwise;
import org.vfmtok.tensor.ops.Reductions;
import org.vfmtok.tensor.testing.JavadocExamples;

/** The Javadoc examples of the tensor module, compiled and run (the CUDA one lives in the cuda tests). */
class JavadocExamplesTest {
    private static final Path SELF = Path.of("src/test/java/org/vfmtok/tensor/JavadocExamplesTest.java");
    private static final String MAIN = "src/main/java/org/vfmtok/tensor/";

    /** A stand-in for a model: a loss that depends on one parameter. */
    private record Model(Tensor w) {
        Tensor forward(Tensor batch) { return Reductions.sum(Pointwise.mul(batch, w), new int[] {0}, false); }
    }

    @Test
    void scope() {
        Model model = new Model(Tensor.of(new float[] {1, 2, 3}).requiresGrad(true));
        Tensor batch = Tensor.of(new float[] {4, 5, 6});
        // example: Scope
        try (Scope step = Scope.open()) {
            Tensor loss = model.forward(batch);
            loss.backward();
        }   // activations, saved tensors and temporaries are freed here; parameter grads live in the
            // parameters' own scope
        // end example
        assertArrayEquals(new float[] {4, 5, 6}, model.w().grad().toFloatArray());
        assertEquals(JavadocExamples.inTest(SELF, "Scope"), JavadocExamples.inJavadoc(Path.of(MAIN + "Scope.java"), 0));
    }

    @Test
    void stridedIndex() {
        int[] shape = {2, 3};
        long[] aStrides = {3, 1}, bStrides = {1, 2};
        long n = 6;
        StringBuilder seen = new StringBuilder();
        class Run {
            void use(long a, long b) { seen.append(a).append(':').append(b).append(' '); }

            void run() {
                // example: StridedIndex
                StridedIndex it = new StridedIndex(shape, aStrides, bStrides);
                for (long i = 0; i < n; i++, it.next()) { use(it.offset(0), it.offset(1)); }
                // end example
            }
        }
        new Run().run();
        assertEquals("0:0 1:2 2:4 3:1 4:3 5:5 ", seen.toString());
        assertEquals(JavadocExamples.inTest(SELF, "StridedIndex"), JavadocExamples.inJavadoc(Path.of(MAIN + "StridedIndex.java"), 0));
    }

    /** A stand-in for the decoder the HeapMeter example measures. */
    private static final class Decoder {
        long[] last;

        void step(long[] tokens, int rows) { last = java.util.Arrays.copyOf(tokens, rows); }
    }

    @Test
    void heapMeter() {
        Decoder decoder = new Decoder();
        long[] tokens = {1, 2, 3};
        int rows = 2;
        // example: HeapMeter
        HeapMeter m = HeapMeter.start();
        decoder.step(tokens, rows);
        long bytes = m.stop();
        // end example
        assertTrue(bytes > 0, "the copy of the tokens allocates: " + bytes);
        assertEquals(JavadocExamples.inTest(SELF, "HeapMeter"), JavadocExamples.inJavadoc(Path.of(MAIN + "HeapMeter.java"), 0));
    }

    @Test
    void missingExamplesAreReportedByNameAndCount() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JavadocExamples.inJavadoc(Path.of(MAIN + "Scope.java"), 1));
        assertTrue(e.getMessage().endsWith("Scope.java has 1 Javadoc examples, not 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> JavadocExamples.inTest(SELF, "Nothing"));
    }
}
