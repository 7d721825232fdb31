package org.vfmtok.nn.train;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfmtok.nn.dist.Communicator;
import org.vfmtok.nn.dist.InProcessGroup;
import org.vfmtok.nn.optim.LrSchedule;
import org.vfmtok.nn.optim.ParamGroup;
import org.vfmtok.nn.optim.Sgd;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;

/** Two in-process ranks with half a batch each end with the weights of one process with the whole batch. */
class DataParallelTest {
    private static Map<String, Tensor> train(Path dir, int rows, int rank, int world, Communicator comm) throws Exception {
        Rng rng = new Rng(5);
        TinyMlp model = new TinyMlp(1, rng);
        model.eval(); // no dropout: ranks would draw different masks than the single process
        Sgd opt = new Sgd(ParamGroup.single(model.parameters(), 0.05, 0.0), 0.9);
        Trainer.Config cfg = new Trainer.Config(6, 1, 0, 0, 1, 0, false);
        Trainer t = new Trainer(cfg, model, opt, null, LrSchedule.constant(0.05), rng, comm, dir);
        TinyMlp.Stream data = new TinyMlp.Stream(rows, rank, world);
        t.run(data, (b, r) -> model.loss(b));
        Map<String, Tensor> out = new java.util.LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> out.put(k, Tensor.of(v.toFloatArray(), v.shape())));
        return out;
    }

    @Test
    void twoRanksMatchOneProcessWithTheCombinedBatch(@TempDir Path tmp) throws Exception {
        try (Scope s = Scope.open()) {
            Map<String, Tensor> single = train(tmp.resolve("single"), 8, 0, 1, null);
            InProcessGroup group = new InProcessGroup(2, 60);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Future<Map<String, Tensor>> r0 = pool.submit(() -> train(tmp.resolve("dp"), 4, 0, 2, group.rank(0)));
                Future<Map<String, Tensor>> r1 = pool.submit(() -> train(tmp.resolve("dp1"), 4, 1, 2, group.rank(1)));
                Map<String, Tensor> w0 = r0.get(), w1 = r1.get();
                for (String k : single.keySet()) {
                    float[] a = single.get(k).toFloatArray(), b = w0.get(k).toFloatArray(), c = w1.get(k).toFloatArray();
                    assertArrayEquals(b, c, k + ": ranks diverged");
                    for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 1e-5 * (1 + Math.abs(a[i])), k + "[" + i + "]");
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
