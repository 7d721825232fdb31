package org.vfmtok.vfmtok;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.testing.JavadocExamples;

/**
 * The Javadoc examples of the vfmtok module. VFMTokenizer's needs the released checkpoints, so it is
 * compiled here but not run.
 */
class JavadocExamplesTest {
    private static final Path SELF = Path.of("src/test/java/org/vfmtok/vfmtok/JavadocExamplesTest.java");

    /** Never called: the example must compile against VFMTokenizer's API. */
    @SuppressWarnings("unused")
    static void tokenizer(Tensor images) throws IOException {
        // example: VFMTokenizer
        VFMTokenizer tok = VFMTokenizer.load(Path.of("vfmtok-tokenizer.pt"), Path.of("dinov2_vitl14_reg4_pretrain.pth"), null);
        try (Scope s = Scope.open()) {
            Tensor codes = tok.encode(images);        // (B, 256) I64
            Tensor recon = tok.decode(codes);         // (B, 3, 336, 336) in about [-1, 1]
        }
        // end example
    }

    @Test
    void javadocShowsTheCompiledExample() {
        assertEquals(JavadocExamples.inTest(SELF, "VFMTokenizer"),
                JavadocExamples.inJavadoc(Path.of("src/main/java/org/vfmtok/vfmtok/VFMTokenizer.java"), 0));
    }
}
