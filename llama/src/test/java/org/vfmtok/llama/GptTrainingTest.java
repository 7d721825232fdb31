package org.vfmtok.llama;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;

/** Initialisation, training-mode dropouts and gradients of the full-sequence forward. */
class GptTrainingTest {
    private static final GPTConfig SMALL = GPTConfig.of("tiny", 32, 2, 2, 64, 50, 7, 3);

    @Test
    void officialInitialisation() {
        try (Scope s = Scope.open()) {
            GPT g = GPT.random(SMALL, 3);
            var sd = g.stateDict();
            assertEquals(0.0, sd.get("output.weight").sum().item(), 0.0, "output.weight starts at zero");
            assertEquals(32.0, sd.get("norm.weight").sum().item(), 0.0);
            float[] w = sd.get("tok_embeddings.weight").toFloatArray();
            double sq = 0;
            for (float v : w) sq += v * v;
            assertEquals(0.02, Math.sqrt(sq / w.length), 0.002, "N(0, 0.02)");
            assertArrayEquals(w, GPT.random(SMALL, 3).stateDict().get("tok_embeddings.weight").toFloatArray(), "same seed, same weights");
        }
    }

    @Test
    void dropoutsOnlyInTrainingAndGradientsFlow() {
        try (Scope s = Scope.open()) {
            GPT g = GPT.random(SMALL, 4);
            g.initialize(4, true);   // non-zero output so that every weight gets a gradient
            Tensor cls = Tensor.ofLongs(new long[] {1, 6, 7}, 3), codes = Tensor.ofLongs(new long[] {
                1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27}, 3, 9);
            g.eval();
            float[] a, b;
            try (Grad.Mode ng = Grad.noGrad()) {
                a = g.forward(cls, codes.narrow(1, 0, 8)).toFloatArray();
                b = g.forward(cls, codes.narrow(1, 0, 8)).toFloatArray();
            }
            assertArrayEquals(a, b, "eval is deterministic");
            g.train(true);
            Tensor loss = g.loss(cls, codes);
            float[] c = g.forward(cls, codes.narrow(1, 0, 8)).toFloatArray();
            assertFalse(java.util.Arrays.equals(a, c), "training mode applies dropout");
            loss.backward();
            for (var e : g.namedParameters().entrySet()) {
                assertNotNull(e.getValue().grad(), e.getKey());
                assertTrue(e.getValue().grad().mul(e.getValue().grad()).sum().item() > 0, "gradient of " + e.getKey());
            }
        }
    }

    @Test
    void classLabelDropoutToTheNullClass() {
        try (Scope s = Scope.open()) {
            GPT g = new GPT(SMALL, new Rng(5));
            long[] labels = new long[20000];
            java.util.Arrays.fill(labels, 3);
            long[] out = g.dropLabelsForTest(Tensor.ofLongs(labels, labels.length));
            int dropped = 0;
            for (long l : out) {
                assertTrue(l == 3 || l == 7, "label " + l);
                if (l == 7) dropped++;
            }
            assertEquals(0.1, dropped / 20000.0, 0.01, "class_dropout_prob 0.1");
        }
    }
}
