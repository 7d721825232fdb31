package org.vfmtok.llama;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;

/**
 * Opt-in (heavy): full-size GPT-B against the PyTorch reference, made on the fly. Runs
 * {@code tools/reference/make_llamagen_fixtures.py --config GPT-B} with /usr/bin/python3 (official N(0, 0.02)
 * init, output.weight random too; ~0.9 GB checkpoint in a temp dir), then compares the full-sequence and
 * KV-cache logits and the greedy codes of all 256 steps with cfg 1.0 and 1.5. Fails (never skips) when python or
 * torch is missing. Run: {@code mvn test -pl llama -Dvfm.groups=heavy -Dtest=GptBReferenceTest}.
 */
@Tag("heavy")
class GptBReferenceTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    @Test
    void gptBMatchesTheReference(@TempDir Path dir) throws Exception {
        Path script = Path.of("..", "tools", "reference", "make_llamagen_fixtures.py").toAbsolutePath().normalize();
        // the heavy group asked for this comparison: a missing torch fails it, naming what to install
        org.vfmtok.tensor.testing.PythonReference.require("torch", "numpy");
        assertTrue(Files.exists(script), script + " not found");

        Process p = new ProcessBuilder(List.of(PYTHON.toString(), script.toString(), "--config", "GPT-B", "--out", dir.toString()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("make.log").toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.MINUTES), "reference timed out");
        assertEquals(0, p.exitValue(), () -> "reference failed:\n" + read(dir.resolve("make.log")));

        Fixture f = new Fixture(dir);
        GPTConfig b = GPTConfig.preset("GPT-B");
        assertEquals(b.parameterCount(), f.config.parameterCount(), "the reference's config is GPT-B: " + f.config);
        assertEquals(b.ffnDim(), f.config.ffnDim());
        try (Scope s = Scope.open(); Grad.Mode ng = Grad.noGrad()) {
            GPT g = GPT.load(dir.resolve("gpt.pt"), GPTConfig.preset("GPT-B"));
            assertEquals(110_888_448L, g.parameterCount());
            Tensor classes = f.npy("train_classes"), codes = f.npy("train_codes");
            int n = codes.size(1), rows = classes.size(0), v = g.config.vocabSize();
            double full = Fixture.relError(f.npy("logits_full").toFloatArray(), g.forward(classes, codes.narrow(1, 0, n - 1)).toFloatArray());
            assertTrue(full < 1e-4, "GPT-B full logits relative error " + full);

            float[] kv = new float[rows * n * v], row = new float[v];
            int[] cl = Fixture.ints(classes), cd = Fixture.ints(codes), feed = new int[rows];
            try (KVDecoder d = new KVDecoder(g, rows)) {
                for (int t = 0; t < n; t++) {
                    if (t == 0) d.prefill(cl);
                    else {
                        for (int i = 0; i < rows; i++) feed[i] = cd[i * n + t - 1];
                        d.step(feed, rows);
                    }
                    for (int i = 0; i < rows; i++) {
                        d.copyLogits(i, row);
                        System.arraycopy(row, 0, kv, (i * n + t) * v, v);
                    }
                }
            }
            double kvErr = Fixture.relError(f.npy("logits_kv").toFloatArray(), kv);
            assertTrue(kvErr < 1e-4, "GPT-B KV logits relative error " + kvErr);

            int[] gen = Fixture.ints(f.npy("gen_classes"));
            try (Generator generator = new Generator(g)) {
                for (String c : new String[] {"greedy_cfg1", "greedy_cfg1.5"}) {
                    Map<?, ?> spec = f.caseOf(c);
                    double cfg = ((Number) spec.get("cfg_scale")).doubleValue();
                    int[][] got = generator.generate(gen, new GenerationOptions(cfg, SamplingOptions.greedy(), 0), null);
                    int[] want = Fixture.ints(f.npy(c + "_codes"));
                    for (int i = 0; i < gen.length; i++) {
                        for (int t = 0; t < n; t++) assertEquals(want[i * n + t], got[i][t], c + " row " + i + " step " + t);
                    }
                }
            }
            System.out.printf("GPT-B vs reference: full logits rel %.3g, KV logits rel %.3g, greedy codes identical (cfg 1, 1.5)%n", full, kvErr);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            return "(no log)";
        }
    }
}
