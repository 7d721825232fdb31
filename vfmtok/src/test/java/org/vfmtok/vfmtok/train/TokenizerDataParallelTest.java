package org.vfmtok.vfmtok.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vfmtok.nn.dist.Communicator;
import org.vfmtok.nn.dist.DistEnv;
import org.vfmtok.nn.dist.TcpCommunicator;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.vfmtok.data.ProceduralShapes;
import org.vfmtok.vfmtok.model.TokenizerConfig;

/**
 * Tokenizer training with the discriminator, data-parallel over two ranks (threads talking TCP through
 * {@link TcpCommunicator}) with 2 images each, against one process with 4: the same weights up to float
 * rounding. The multi-process version through {@code vfm launch} is the cli's DataParallelTest.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class TokenizerDataParallelTest {
    private static final DinoDiscriminator.Config DISC = new DinoDiscriminator.Config(RandomVfm.tinyConfig(16, 8, 16, 2, 2), 16, new int[] {0, 1}, 3, 2);

    private static TokenizerTraining.Options options(Path dir, int batch, long steps) {
        // no flips, no dead-code restarts (both rank-independent or off), GAN from step 0
        return new TokenizerTraining.Options(dir, TokenizerTrainingTest.tiny(), batch, steps, 1e-3, 2, 0.9, 1.0, steps, 0, 1, false, 5,
                new TokenizerLoss.Weights(1, 0, 1, 1, 0.25, 0.5, 0, 0), 0, false);
    }

    private static Map<String, Tensor> train(Path dir, int batch, long steps, Communicator comm, boolean discriminator) throws Exception {
        TokenizerConfig cfg = TokenizerTrainingTest.tiny();
        var vfm = RandomVfm.create(cfg.vfm(), 3);
        DinoDiscriminator d = new DinoDiscriminator(DISC, RandomVfm.create(DISC.vit(), 4), new Rng(6));
        TokenizerTraining.Result r = TokenizerTraining.train(new ProceduralShapes(20, 1), vfm, null, null, d, options(dir, batch, steps), false, comm);
        Map<String, Tensor> out = new java.util.LinkedHashMap<>(r.model().namedParameters());
        if (discriminator) d.namedParameters().forEach((k, v) -> out.put("disc." + k, v));
        return out;
    }

    /**
     * Parameters whose exact gradient is identically zero: attention key biases (softmax ignores a constant
     * shift of the scores) and the discriminator's conv biases right before BatchNormLocal (the mean is
     * subtracted). Their computed gradients are pure rounding noise, which Adam turns into steps of up to
     * ±lr whatever their size, so their difference is bounded by 2·lr·steps, not by the float rounding.
     */
    static boolean zeroGradient(String name) {
        return name.matches(".*(k_proj|\\.k)\\.bias") || name.matches("(disc\\.)?heads\\.\\d+\\.(0|1\\.fn)\\.0\\.bias");
    }

    /** {max relative difference of the other parameters, max absolute difference of the zero-gradient ones}. */
    static double[] equivalence(Path dir, long steps) throws Exception {
        Map<String, Tensor> single = train(dir.resolve("one"), 4, steps, Communicator.single(), true);
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Map<String, Tensor>> ranks = new ArrayList<>();
        try {
            List<Future<Map<String, Tensor>>> fs = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                DistEnv env = new DistEnv(r, 2, r, "127.0.0.1", port);
                fs.add(pool.submit(() -> {
                    try (TcpCommunicator c = TcpCommunicator.create(env, "test", TcpCommunicator.Options.defaults().withRendezvousTimeout(Duration.ofSeconds(60)))) {
                        return train(dir.resolve("two"), 2, steps, c, true);
                    }
                }));
            }
            for (Future<Map<String, Tensor>> f : fs) ranks.add(f.get(280, TimeUnit.SECONDS));
        } finally {
            pool.shutdownNow();
        }
        double worst = 0, noise = 0;
        String worstName = "";
        for (String k : single.keySet()) {
            float[] a = single.get(k).toFloatArray(), b = ranks.get(0).get(k).toFloatArray();
            assertArrayEquals(b, ranks.get(1).get(k).toFloatArray(), k + ": the replicas are bit-identical");
            double diff = 0, scale = 1e-12;
            for (int i = 0; i < a.length; i++) {
                diff = Math.max(diff, Math.abs(a[i] - b[i]));
                scale = Math.max(scale, Math.abs(a[i]));
            }
            if (zeroGradient(k)) {
                noise = Math.max(noise, diff);
            } else if (diff / scale > worst) {
                worst = diff / scale;
                worstName = k;
            }
        }
        System.out.printf(Locale.ROOT, "tokenizer + discriminator, %d steps, 2 ranks × 2 vs 1 × 4: max relative difference %.3g (%s); "
                + "zero-gradient parameters (key biases, conv biases before BatchNormLocal): max absolute difference %.3g (bound 2·lr·steps = %.3g)%n",
                steps, worst, worstName, noise, 2e-3 * steps);
        return new double[] {worst, noise};
    }

    @Test
    void twoRanksWithHalfTheBatchTrainLikeOneProcess(@TempDir Path dir) throws Exception {
        double[] d = equivalence(dir, 3);
        assertTrue(d[0] < 1e-4, "max relative difference " + d[0]);
        assertTrue(d[1] <= 2e-3 * 3, "zero-gradient parameters: max absolute difference " + d[1]);
    }

    @Test
    @Tag("heavy")
    void twentySteps(@TempDir Path dir) throws Exception {
        double[] d = equivalence(dir, 20);
        assertTrue(d[0] < 1e-3, "max relative difference " + d[0]);
        assertTrue(d[1] <= 2e-3 * 20, "zero-gradient parameters: max absolute difference " + d[1]);
    }
}
