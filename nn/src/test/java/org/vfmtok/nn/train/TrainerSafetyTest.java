package org.vfmtok.nn.train;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfmtok.nn.optim.Adam;
import org.vfmtok.nn.optim.LrSchedule;
import org.vfmtok.nn.optim.ParamGroup;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.io.Json;
import org.vfmtok.tensor.ops.Pointwise;
import org.vfmtok.tensor.ops.Reductions;

/** Training never goes wrong silently: non-finite steps are skipped and bounded, checkpoints stay finite, resume repairs. */
class TrainerSafetyTest {
    private record Run(TinyMlp model, Trainer trainer, TinyMlp.Stream data, List<String> notices) {}

    private static Run newRun(Path dir, long total, long ckptEvery, int keep, int maxNonFinite) {
        Rng rng = new Rng(42);
        TinyMlp model = new TinyMlp(1, rng);
        Adam opt = Adam.adamW(ParamGroup.decayOnMatrices(model.namedParameters(), 1e-2, 0.05), 0.9, 0.95, 1e-8);
        Trainer.Config cfg = new Trainer.Config(total, 1, 1.0, ckptEvery, keep, 1, false, maxNonFinite);
        List<String> notices = new ArrayList<>();
        Trainer t = new Trainer(cfg, model, opt, null, LrSchedule.constant(1e-2), rng, null, dir).notices(notices::add);
        return new Run(model, t, new TinyMlp.Stream(4, 0, 1), notices);
    }

    /** A loss whose value is finite but whose gradient is NaN: d sqrt(u)/du at u = 0 is infinite, times 0. */
    private static Tensor nanGradient(Run r, Tensor loss) {
        return Pointwise.add(loss, Reductions.sum(Pointwise.sqrt(r.model().fc1.weight.mul(0.0)), null, false));
    }

    private static List<Map<?, ?>> metrics(Path dir) throws Exception {
        List<Map<?, ?>> out = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("metrics.jsonl"))) out.add((Map<?, ?>) Json.parse(line)); // throws on a bare NaN
        return out;
    }

    /** A full disk under metrics.jsonl (a link to /dev/full): the error names the file, not a bare "No space left on device". */
    @Test
    void metricsWriteErrorsNameTheFile(@TempDir Path dir) throws Exception {
        Path full = Path.of("/dev/full");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(full), "needs /dev/full");
        Files.createSymbolicLink(dir.resolve("metrics.jsonl"), full);
        try (Scope s = Scope.open()) {
            Run r = newRun(dir, 2, 0, 1, 3);
            java.io.IOException e = assertThrows(java.io.IOException.class, () -> r.trainer().run(r.data(), (b, rng) -> r.model().loss(b)));
            assertTrue(e.getMessage().contains(dir.resolve("metrics.jsonl").toString()), e.getMessage());
            assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
        }
    }

    @Test
    void nonFiniteLossesAndGradientsAreSkippedAndCounted(@TempDir Path dir) throws Exception {
        try (Scope s = Scope.open()) {
            Run r = newRun(dir, 6, 2, 2, 3);
            AtomicInteger call = new AtomicInteger();
            r.trainer().run(r.data(), (b, rng) -> {
                int c = call.getAndIncrement();
                Tensor loss = r.model().loss(b);
                if (c == 1 || c == 4) return loss.mul(Double.NaN);
                if (c == 2) return nanGradient(r, loss);
                return loss;
            });
            assertEquals(6, r.trainer().step());
            assertEquals(3, r.trainer().nonFiniteSteps());
            List<Map<?, ?>> lines = metrics(dir);
            Set<Object> steps = new HashSet<>();
            int skipped = 0;
            for (Map<?, ?> m : lines) {
                if (m.containsKey("skipped_step")) skipped++;
                else assertTrue(steps.add(m.get("step")), "duplicate step " + m);
            }
            assertEquals(3, skipped);
            assertEquals(6, steps.size());
            assertTrue(lines.get(1).get("reason").toString().contains("non-finite loss"), lines.get(1).toString());
            assertTrue(lines.get(2).get("reason").toString().contains("non-finite gradient"), lines.get(2).toString());
            for (Path p : Checkpoints.all(dir)) assertNull(Checkpoints.firstNonFinite(Checkpoints.load(p).sections()), p.toString());
        }
    }

    @Test
    void tooManyNonFiniteStepsStopTheRunWithTheWeightsUntouched(@TempDir Path dir) throws Exception {
        try (Scope s = Scope.open()) {
            Run r = newRun(dir, 6, 1, 2, 2);
            float[] before = r.model().fc1.weight.toFloatArray();
            Trainer.NonFiniteException e = assertThrows(Trainer.NonFiniteException.class,
                    () -> r.trainer().run(r.data(), (b, rng) -> r.model().loss(b).mul(Double.POSITIVE_INFINITY)));
            assertTrue(e.getMessage().contains("3 steps had a non-finite loss or gradient (limit 2, --max-nonfinite)"), e.getMessage());
            assertArrayEquals(before, r.model().fc1.weight.toFloatArray());
            assertEquals(0, r.trainer().step());
            assertTrue(Checkpoints.all(dir).isEmpty());
            assertEquals(3, metrics(dir).size());
        }
    }

    @Test
    void aNonFiniteCheckpointIsNeverWrittenAndTheFiniteOnesAreKept(@TempDir Path dir) throws Exception {
        try (Scope s = Scope.open()) {
            Run r = newRun(dir, 6, 1, 2, 10);
            r.trainer().afterStep(step -> {
                if (step == 3) r.model().fc2.bias.segment().set(ValueLayout.JAVA_FLOAT, r.model().fc2.bias.byteOffset(), Float.NaN);
            });
            Trainer.NonFiniteException e = assertThrows(Trainer.NonFiniteException.class, () -> r.trainer().run(r.data(), (b, rng) -> r.model().loss(b)));
            assertTrue(e.getMessage().contains("not writing the checkpoint of step 3") && e.getMessage().contains("model.fc2.bias[0] = NaN"), e.getMessage());
            assertEquals(List.of(Checkpoints.pathFor(dir, 1), Checkpoints.pathFor(dir, 2)), Checkpoints.all(dir));
        }
    }

    @Test
    void resumeRemovesTemporariesFallsBackFromACorruptCheckpointAndDropsLaterMetrics(@TempDir Path dir) throws Exception {
        try (Scope s = Scope.open()) {
            Run first = newRun(dir, 4, 2, 3, 10);
            first.trainer().run(first.data(), (b, rng) -> first.model().loss(b));
            Path tmp = dir.resolve(".ckpt-00000006.safetensors.1f2e3d.tmp");
            Files.write(tmp, new byte[100]);
            Path keep = dir.resolve("notes.tmp");
            Files.write(keep, new byte[1]);
            Path newest = Checkpoints.pathFor(dir, 4);
            byte[] whole = Files.readAllBytes(newest);
            Files.write(newest, java.util.Arrays.copyOf(whole, whole.length / 2)); // truncated: unreadable
            Files.writeString(dir.resolve("metrics.jsonl"), "{\"step\":5,\"loss\":0.", java.nio.file.StandardOpenOption.APPEND);

            Run second = newRun(dir, 4, 2, 3, 10);
            assertTrue(second.trainer().resume(second.data()));
            assertEquals(2, second.trainer().step());
            assertFalse(Files.exists(tmp));
            assertTrue(Files.exists(keep), "only the trainer's own temporaries are removed");
            assertFalse(Files.exists(newest));
            assertTrue(Files.exists(dir.resolve(newest.getFileName() + Checkpoints.UNREADABLE_SUFFIX)));
            String all = String.join("\n", second.notices());
            assertTrue(all.contains("is unreadable") && all.contains("resuming from ckpt-00000002.safetensors instead"), all);
            assertTrue(all.contains("removed " + tmp), all);
            assertEquals(2, metrics(dir).size());

            second.trainer().run(second.data(), (b, rng) -> second.model().loss(b));
            List<Object> steps = metrics(dir).stream().map(m -> (Object) m.get("step")).toList();
            assertEquals(List.of(1L, 2L, 3L, 4L), steps.stream().map(o -> ((Number) o).longValue()).toList());
            // the resumed run equals an uninterrupted one
            Run straight = newRun(dir.resolve("straight"), 4, 2, 3, 10);
            straight.trainer().run(straight.data(), (b, rng) -> straight.model().loss(b));
            TrainerResumeTest.assertBitEqual(straight.model().stateDict(), second.model().stateDict());
        }
    }
}
