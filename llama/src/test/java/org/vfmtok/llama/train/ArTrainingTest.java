package org.vfmtok.llama.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfmtok.llama.GPTConfig;
import org.vfmtok.nn.train.Checkpoints;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;

class ArTrainingTest {
    /** Class c's sequences are c, c+1, c+2, c+3 (mod 8), flipped copies reversed: learnable from the class alone. */
    static CodeShards.Data toyCodes(int n) {
        int[][][] codes = new int[n][2][4];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
            for (int t = 0; t < 4; t++) {
                codes[i][0][t] = (labels[i] + t) % 8;
                codes[i][1][3 - t] = (labels[i] + t) % 8;
            }
        }
        return new CodeShards.Data(codes, labels);
    }

    static GPTConfig tiny() { return new GPTConfig("tiny", 16, 1, 2, 32, 8, 3, 2, 10000, 1e-5, 0.1, 0.1, 0.1, 0.1, 0.02); }

    static ArTraining.Options options(Path dir, long steps) {
        return new ArTraining.Options(dir, tiny(), 8, steps, 3e-3, 0.05, 0.9, 1.0, 5, 0, 1, false, 3, 1.0, 2);
    }

    @Test
    void shardsRoundTripAndRejectMismatches(@TempDir Path dir) throws IOException {
        CodeShards.Data d = toyCodes(10);
        CodeShards.write(dir, 0, java.util.Arrays.copyOfRange(d.codes(), 0, 6), java.util.Arrays.copyOfRange(d.labels(), 0, 6));
        CodeShards.write(dir, 1, java.util.Arrays.copyOfRange(d.codes(), 6, 10), java.util.Arrays.copyOfRange(d.labels(), 6, 10));
        CodeShards.Data r = CodeShards.read(dir);
        assertEquals(10, r.size());
        assertEquals(2, r.augmentations());
        assertEquals(4, r.tokens());
        assertEquals(3, r.numClasses());
        for (int i = 0; i < 10; i++) {
            assertArrayEquals(d.codes()[i][1], r.codes()[i][1]);
            assertEquals(d.labels()[i], r.labels()[i]);
        }
        Files.delete(dir.resolve("labels-00001.npy"));
        assertThrows(IOException.class, () -> CodeShards.read(dir));
        assertThrows(IOException.class, () -> CodeShards.read(dir.resolve("nothing")));
    }

    @Test
    void streamIsSeekable() {
        CodeStream a = new CodeStream(toyCodes(7), 3, 1), b = new CodeStream(toyCodes(7), 3, 1);
        List<CodeBatch> first = new ArrayList<>();
        for (int i = 0; i < 5; i++) first.add(a.next());
        b.seek(6);
        for (int i = 2; i < 5; i++) {
            CodeBatch x = b.next(), y = first.get(i);
            assertArrayEquals(y.labels(), x.labels());
            for (int k = 0; k < 3; k++) assertArrayEquals(y.codes()[k], x.codes()[k]);
        }
    }

    @Test
    void lossFallsCheckpointsHaveTheLayoutAndResumeIsExact(@TempDir Path dir) throws IOException {
        CodeShards.Data d = toyCodes(30);
        ArTraining.Result straight = ArTraining.train(new CodeStream(d, 8, 4), options(dir.resolve("a"), 40), null, null, false);
        ArTraining.train(new CodeStream(d, 8, 4), options(dir.resolve("b"), 25), null, null, false);
        ArTraining.Result resumed = ArTraining.train(new CodeStream(d, 8, 4), options(dir.resolve("b"), 40), null, null, true);
        Map<String, Tensor> x = straight.model().stateDict(), y = resumed.model().stateDict();
        // Bit for bit: every kernel on the training path gives the same bits interpreted and compiled
        // (VectorMath.exp instead of VectorOperators.EXP, Lanes.tree instead of reduceLanes), so the JIT
        // state of the two runs cannot matter.
        for (String k : x.keySet()) {
            assertArrayEquals(x.get(k).toFloatArray(), y.get(k).toFloatArray(), k);
        }

        List<Double> losses = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("a/metrics.jsonl"))) {
            losses.add(Double.parseDouble(line.replaceAll(".*\"loss\":([^,]+),.*", "$1")));
        }
        assertEquals(40, losses.size());
        double early = losses.subList(0, 5).stream().mapToDouble(v -> v).average().orElseThrow();
        double late = losses.subList(35, 40).stream().mapToDouble(v -> v).average().orElseThrow();
        assertTrue(late < 0.6 * early, "loss falls: " + early + " -> " + late);

        Checkpoints.Contents c = Checkpoints.load(Checkpoints.latest(dir.resolve("a")).orElseThrow());
        assertEquals(java.util.Set.of("model", "ema", "optimizer"), c.sections().keySet());
        assertTrue(c.section("model").containsKey("cls_embedding.embedding_table.weight"));
        assertEquals(4, c.section("model").get("cls_embedding.embedding_table.weight").size(0), "3 classes + the null class");
        assertTrue(c.metadata().get("args").contains("\"weight_decay\""));
        assertEquals(tiny().dim(), GPTConfig.fromJson(dir.resolve("a/gpt.json")).dim());

        // the trained model generates each class's sequence
        int[][] s = ArTraining.sample(straight.model(), 3, 1, 1.0, 1);
        int ok = 0;
        for (int cl = 0; cl < 3; cl++) for (int t = 0; t < 4; t++) if (s[cl][t] == (cl + t) % 8 || s[cl][3 - t] == (cl + t) % 8) ok++;
        assertTrue(ok >= 8, "samples follow their class: " + java.util.Arrays.deepToString(s));
    }
}
