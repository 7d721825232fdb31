package org.vfmtok.nn.train;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfmtok.nn.optim.Adam;
import org.vfmtok.nn.optim.Ema;
import org.vfmtok.nn.optim.LrSchedule;
import org.vfmtok.nn.optim.ParamGroup;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;

class TrainerResumeTest {
    private static final int N = 12;

    private record Run(TinyMlp model, Ema ema, Trainer trainer, TinyMlp.Stream data) {}

    private static Run newRun(Path dir, long total, long ckptEvery, long initSeed) {
        Rng rng = new Rng(42);
        TinyMlp model = new TinyMlp(initSeed, rng);
        Adam opt = Adam.adamW(ParamGroup.decayOnMatrices(model.namedParameters(), 1e-2, 0.05), 0.9, 0.95, 1e-8);
        Ema ema = new Ema(model.namedParameters(), 0.99, Scope.current());
        Trainer.Config cfg = new Trainer.Config(total, 2, 1.0, ckptEvery, 2, 1, false);
        Trainer t = new Trainer(cfg, model, opt, ema, LrSchedule.warmupConstant(1e-2, 1e-4, 4), rng, null, dir);
        return new Run(model, ema, t, new TinyMlp.Stream(4, 0, 1));
    }

    @Test
    void resumedTrainingEqualsUninterruptedTrainingBitForBit(@TempDir Path tmp) throws Exception {
        try (Scope s = Scope.open()) {
            Run straight = newRun(tmp.resolve("a"), N, 5, 1);
            straight.trainer().run(straight.data(), (b, rng) -> straight.model().loss(b));

            Run first = newRun(tmp.resolve("b"), 5, 5, 1);
            first.trainer().run(first.data(), (b, rng) -> first.model().loss(b));
            // a new process: fresh objects with a different initialisation, everything comes from the checkpoint
            Run second = newRun(tmp.resolve("b"), N, 5, 999);
            assertTrue(second.trainer().resume(second.data()));
            assertEquals(5, second.trainer().step());
            second.trainer().run(second.data(), (b, rng) -> second.model().loss(b));

            assertBitEqual(straight.model().stateDict(), second.model().stateDict());
            assertBitEqual(straight.ema().stateDict(), second.ema().stateDict());
            assertEquals(N, Files.readAllLines(tmp.resolve("a/metrics.jsonl")).size());
            // keep-last pruning: steps 10 and 12 remain
            assertTrue(Files.exists(Checkpoints.pathFor(tmp.resolve("a"), 12)));
            assertTrue(Files.exists(Checkpoints.pathFor(tmp.resolve("a"), 10)));
            assertFalse(Files.exists(Checkpoints.pathFor(tmp.resolve("a"), 5)));
        }
    }

    static void assertBitEqual(Map<String, Tensor> a, Map<String, Tensor> b) {
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            float[] x = a.get(k).toFloatArray(), y = b.get(k).toFloatArray();
            for (int i = 0; i < x.length; i++) {
                assertEquals(Float.floatToRawIntBits(x[i]), Float.floatToRawIntBits(y[i]), k + "[" + i + "]: " + x[i] + " vs " + y[i]);
            }
        }
    }
}
