package org.vfmtok.nn.optim;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;

/**
 * Four steps of Adam, AdamW and SGD (with LlamaGen's decay-on-matrices groups, global-norm clipping at
 * 1.0 and an EMA of 0.9) against torch.optim trajectories from tools/fixtures/make_optim_fixtures.py.
 */
class OptimizerParityTest {
    private static Map<String, float[]> fixtures() throws IOException {
        Map<String, float[]> m = new HashMap<>();
        try (InputStream in = OptimizerParityTest.class.getResourceAsStream("/fixtures/optim/trajectories.txt")) {
            assertNotNull(in, "fixture missing");
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank()) continue;
                String[] parts = line.trim().split(" ");
                int n = Integer.parseInt(parts[1]);
                float[] v = new float[n];
                for (int i = 0; i < n; i++) v[i] = Float.parseFloat(parts[2 + i]);
                m.put(parts[0], v);
            }
        }
        return m;
    }

    private static void run(String name, Function<List<ParamGroup>, Optimizer> make) throws IOException {
        Map<String, float[]> fx = fixtures();
        try (Scope s = Scope.open()) {
            Tensor w = Tensor.of(fx.get("w0"), 5, 3).requiresGrad(true);
            Tensor b = Tensor.of(fx.get("b0"), 3).requiresGrad(true);
            Map<String, Tensor> named = new java.util.LinkedHashMap<>();
            named.put("w", w);
            named.put("b", b);
            Optimizer opt = make.apply(ParamGroup.decayOnMatrices(named, 1e-2, 0.05));
            Ema ema = new Ema(Map.of("w", w), 0.9, Scope.current());
            for (int i = 0; i < 4; i++) {
                w.setGrad(Tensor.of(fx.get("gw" + i), 5, 3));
                b.setGrad(Tensor.of(fx.get("gb" + i), 3));
                double norm = GradClip.clipGlobalNorm(List.of(w, b), 1.0);
                assertEquals(fx.get(name + ".norm" + i)[0], norm, 1e-4 * norm, name + " grad norm at step " + i);
                opt.step();
                ema.update();
                assertClose(name + ".w" + i, fx.get(name + ".w" + i), w.toFloatArray());
                assertClose(name + ".b" + i, fx.get(name + ".b" + i), b.toFloatArray());
                assertClose(name + ".ema" + i, fx.get(name + ".ema" + i), ema.stateDict().get("w").toFloatArray());
            }
        }
    }

    private static void assertClose(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 2e-6 + 2e-6 * Math.abs(expected[i]), what + "[" + i + "]");
        }
    }

    @Test
    void adamMatchesTorch() throws IOException {
        run("adam", g -> Adam.adam(g, 0.9, 0.95, 1e-8));
    }

    @Test
    void adamWMatchesTorch() throws IOException {
        run("adamw", g -> Adam.adamW(g, 0.9, 0.95, 1e-8));
    }

    @Test
    void sgdMatchesTorch() throws IOException {
        run("sgd", g -> new Sgd(g, 0.9));
    }

    @Test
    void stateRoundTripsForExactResume() {
        try (Scope s = Scope.open()) {
            Tensor w = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2).requiresGrad(true);
            Optimizer a = Adam.adamW(ParamGroup.single(List.of(w), 0.1, 0.01), 0.9, 0.95, 1e-8);
            w.setGrad(Tensor.of(new float[] {0.5f, -1, 2, 0}, 2, 2));
            a.step();
            Map<String, Tensor> saved = a.stateDict();
            Tensor w2 = Tensor.of(w.toFloatArray(), 2, 2).requiresGrad(true);
            Optimizer b = Adam.adamW(ParamGroup.single(List.of(w2), 0.1, 0.01), 0.9, 0.95, 1e-8);
            b.loadStateDict(saved);
            w2.setGrad(Tensor.of(new float[] {0.5f, -1, 2, 0}, 2, 2));
            a.step();
            b.step();
            assertArrayEquals(w.toFloatArray(), w2.toFloatArray());
            assertEquals(2, b.steps());
        }
    }
}
