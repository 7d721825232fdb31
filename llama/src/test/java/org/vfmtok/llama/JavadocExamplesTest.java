package org.vfmtok.llama;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.testing.JavadocExamples;

/** The Javadoc examples of the llama module, compiled and run. */
class JavadocExamplesTest {
    private static final Path SELF = Path.of("src/test/java/org/vfmtok/llama/JavadocExamplesTest.java");

    @Test
    void generator() {
        GPT gpt = new GPT(GPTConfig.of("tiny", 32, 2, 2, 64, 50, 400, 3), new Rng(7));
        // example: Generator
        Generator g = new Generator(gpt);
        int[][] codes = g.generate(new int[] {207, 360}, new GenerationOptions(1.5, SamplingOptions.defaults(), 0), null);
        // end example
        g.close();
        assertEquals(2, codes.length);
        for (int[] row : codes) {
            assertEquals(9, row.length);
            for (int c : row) assertTrue(c >= 0 && c < 50, "code " + c);
        }
        assertEquals(JavadocExamples.inTest(SELF, "Generator"),
                JavadocExamples.inJavadoc(Path.of("src/main/java/org/vfmtok/llama/Generator.java"), 0));
    }
}
