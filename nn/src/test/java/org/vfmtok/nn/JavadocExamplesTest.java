package org.vfmtok.nn;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vfmtok.nn.io.TorchCheckpoint;
import org.vfmtok.nn.layers.Linear;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.testing.JavadocExamples;

/** The Javadoc examples of the nn module, compiled and run. */
class JavadocExamplesTest {
    private static final Path SELF = Path.of("src/test/java/org/vfmtok/nn/JavadocExamplesTest.java");
    private static final String MAIN = "src/main/java/org/vfmtok/nn/";

    static final class Block extends Module {
        final Linear fc1;
        final Tensor scale;

        Block(Rng rng) {
            // example: Module
            this.fc1 = register("fc1", new Linear(512, 1024, true, rng));
            this.scale = parameter("scale", Tensor.ones(512));
            // end example
        }
    }

    @Test
    void module() {
        Block b = new Block(new Rng(1));
        assertEquals(List.of("scale", "fc1.weight", "fc1.bias"), List.copyOf(b.stateDict().keySet()));
        assertArrayEquals(new int[] {1024, 512}, b.fc1.weight.shape());
        assertEquals(JavadocExamples.inTest(SELF, "Module"), JavadocExamples.inJavadoc(Path.of(MAIN + "Module.java"), 0));
    }

    @Test
    void torchCheckpoint() throws Exception {
        Path path = Path.of(JavadocExamplesTest.class.getResource("/fixtures/torch/nested.pt").toURI());
        Map<String, Tensor> seen;
        Object stepsSeen;
        // example: TorchCheckpoint
        try (TorchCheckpoint ckpt = TorchCheckpoint.open(path)) {
            Map<String, Tensor> weights = ckpt.tensors("model");   // "decoder.conv_in.weight" -> Tensor
            Object steps = ckpt.flatten().get("steps");             // Long
        // end example
            seen = weights;
            stepsSeen = steps;
            assertEquals(4, weights.get("decoder.conv_in.weight").dim());
        }
        assertTrue(seen.containsKey("decoder.conv_in.weight"));
        assertInstanceOf(Long.class, stepsSeen);
        String code = JavadocExamples.inTest(SELF, "TorchCheckpoint") + "\n}";
        assertEquals(code, JavadocExamples.inJavadoc(Path.of(MAIN + "io/TorchCheckpoint.java"), 0));
    }
}
