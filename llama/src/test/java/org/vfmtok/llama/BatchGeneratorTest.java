package org.vfmtok.llama;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.Scope;

/**
 * Continuous batching changes nothing in a request's result: tasks that join a running batch at different
 * steps, with and without guidance (and a guidance interval, so rows leave mid-way), sampling options of their
 * own, give the guided logits of every step and the codes bit for bit as the same request generated alone by a
 * {@link Generator}. A task that fails (its listener throws) or is cancelled leaves the others untouched.
 *
 * <p>The weights are random with a large init std, so that logits differ strongly between rows and steps: a
 * row that read another row's cache slot or position, or a kernel whose result depended on the batch size,
 * would change the logits' bits.
 */
class BatchGeneratorTest {
    private static Scope weights;
    private static GPT gpt;

    @BeforeAll
    static void model() {
        weights = Scope.detached("batch-generator-test");
        // dim 96, 4 heads of 24 (a vector tail on 512-bit machines), grid 6 (36 tokens), 12 classes and the null class
        GPTConfig c = new GPTConfig("tiny", 96, 2, 4, 160, 80, 12, 6, 10000, 1e-5, 0.1, 0.0, 0.0, 0.0, 0.5);
        gpt = weights.run(() -> {
            GPT g = new GPT(c);
            g.initialize(7, true);
            return g;
        });
    }

    @AfterAll
    static void free() { weights.close(); }

    /** What a request records: the guided logits of each step, then its codes. */
    private static final class Recorder implements Generator.StepListener {
        final List<float[][]> logits = new ArrayList<>();
        int failAt = -1;

        @Override
        public void onStep(int step, int steps, float[][] guidedLogits, int[] tokens) {
            if (step == failAt) throw new IllegalStateException("listener failed on purpose at step " + step);
            logits.add(guidedLogits);
        }
    }

    private record Request(int[] classes, GenerationOptions options) {}

    private static final Request[] REQUESTS = {
        new Request(new int[] {1, 2}, new GenerationOptions(1.5, SamplingOptions.defaults(), 3)),
        new Request(new int[] {5}, new GenerationOptions(1.0, -1, new SamplingOptions(0.9, 10, 1.0, true), 7)),
        new Request(new int[] {0, 3, 11}, new GenerationOptions(2.0, 5, new SamplingOptions(1.1, 0, 0.8, true), 11)),
        new Request(new int[] {4}, new GenerationOptions(4.0, SamplingOptions.greedy(), 13)),
        new Request(new int[] {9, 9}, new GenerationOptions(1.5, 10, SamplingOptions.defaults(), 3)),
    };

    private static Recorder alone(Request r, int[][] codesOut) {
        Recorder rec = new Recorder();
        try (Generator g = new Generator(gpt)) {
            int[][] codes = g.generate(r.classes, r.options, rec);
            System.arraycopy(codes, 0, codesOut, 0, codes.length);
        }
        return rec;
    }

    @Test
    void tasksJoiningAtDifferentStepsMatchTheRequestGeneratedAlone() throws Exception {
        int n = REQUESTS.length;
        int[][][] expectedCodes = new int[n][][];
        Recorder[] expected = new Recorder[n];
        for (int i = 0; i < n; i++) {
            expectedCodes[i] = new int[REQUESTS[i].classes.length][];
            expected[i] = alone(REQUESTS[i], expectedCodes[i]);
        }
        // join at steps 0, 0, 3, 10, 17 of the batch; 16 rows fit all of them at once except the last at first
        int[] joinAt = {0, 0, 3, 10, 17};
        Recorder[] got = new Recorder[n];
        GenerationTask[] tasks = new GenerationTask[n];
        try (BatchGenerator batch = new BatchGenerator(gpt, 14, KVCacheDType.F32)) {
            int next = 0;
            for (int step = 0; !(next == n && batch.isEmpty()); step++) {
                while (next < n && joinAt[next] <= step) {
                    got[next] = new Recorder();
                    tasks[next] = new GenerationTask(gpt.config, REQUESTS[next].classes, REQUESTS[next].options, got[next]);
                    if (!batch.admit(tasks[next])) break;   // full: joins when rows free up
                    next++;
                }
                assertTrue(batch.usedRows() <= batch.maxRows());
                batch.step();
            }
            assertEquals(0, batch.usedRows());
        }
        for (int i = 0; i < n; i++) {
            int[][] codes = tasks[i].result().get();
            assertArrayEquals(expectedCodes[i], codes, "codes of request " + i);
            assertEquals(expected[i].logits.size(), got[i].logits.size());
            for (int s = 0; s < expected[i].logits.size(); s++) {
                float[][] e = expected[i].logits.get(s), a = got[i].logits.get(s);
                for (int row = 0; row < e.length; row++) {
                    for (int j = 0; j < e[row].length; j++) {
                        assertEquals(Float.floatToRawIntBits(e[row][j]), Float.floatToRawIntBits(a[row][j]),
                                "request " + i + " step " + s + " row " + row + " logit " + j + ": " + e[row][j] + " vs " + a[row][j]);
                    }
                }
            }
        }
    }

    @Test
    void aFailingOrCancelledTaskLeavesTheOthersUntouched() throws Exception {
        int[][] expected0 = new int[REQUESTS[0].classes.length][];
        alone(REQUESTS[0], expected0);
        int[][] expected2 = new int[REQUESTS[2].classes.length][];
        alone(REQUESTS[2], expected2);
        Recorder failing = new Recorder();
        failing.failAt = 4;
        try (BatchGenerator batch = new BatchGenerator(gpt, 12, KVCacheDType.F32)) {
            GenerationTask a = new GenerationTask(gpt.config, REQUESTS[0].classes, REQUESTS[0].options, null);
            GenerationTask bad = new GenerationTask(gpt.config, REQUESTS[1].classes, REQUESTS[1].options, failing);
            GenerationTask cancelled = new GenerationTask(gpt.config, REQUESTS[3].classes, REQUESTS[3].options, null);
            GenerationTask c = new GenerationTask(gpt.config, REQUESTS[2].classes, REQUESTS[2].options, null);
            assertTrue(batch.admit(a));
            assertTrue(batch.admit(bad));
            assertTrue(batch.admit(cancelled));
            assertFalse(batch.admit(c), "4 + 1 + 2 rows used: 6 more do not fit 12");
            for (int s = 0; s < 8; s++) batch.step();
            assertTrue(bad.result().isCompletedExceptionally());
            cancelled.cancel();
            batch.step();
            assertTrue(batch.admit(c), "the failed and cancelled tasks' rows are free again");
            while (!batch.isEmpty()) batch.step();
            assertArrayEquals(expected0, a.result().get());
            assertArrayEquals(expected2, c.result().get());
            ExecutionException e = assertThrows(ExecutionException.class, () -> bad.result().get());
            assertTrue(e.getCause().getMessage().contains("on purpose"), e.getCause().toString());
            assertThrows(CancellationException.class, () -> {
                try {
                    cancelled.result().get();
                } catch (ExecutionException x) {
                    throw x.getCause();
                }
            });
        }
    }

    @Test
    void requestsThatCanNeverFitAreRejectedWithTheirSize() {
        try (BatchGenerator batch = new BatchGenerator(gpt, 4, KVCacheDType.F32)) {
            GenerationTask big = new GenerationTask(gpt.config, new int[] {1, 2, 3}, REQUESTS[0].options, null);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> batch.admit(big));
            assertTrue(e.getMessage().contains("6 decoder rows"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new GenerationTask(gpt.config, new int[] {12}, REQUESTS[0].options, null));
    }

    @Test
    void stepRowsChecksItsLayout() {
        try (KVDecoder d = new KVDecoder(gpt, 4)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> d.stepRows(2, new int[] {1, 1}, new int[] {0, 0}, new int[] {0, 1}));
            assertTrue(e.getMessage().contains("share cache slot 1"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> d.stepRows(1, new int[] {0}, new int[] {0}, new int[] {13}));
            assertThrows(IllegalArgumentException.class, () -> d.stepRows(1, new int[] {4}, new int[] {0}, new int[] {0}));
        }
    }
}
