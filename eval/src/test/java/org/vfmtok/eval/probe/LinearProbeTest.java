package org.vfmtok.eval.probe;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The probe head learns separable classes, fails at chance on random labels, and follows MAE's schedule. */
class LinearProbeTest {
    /** n images of k classes in d dimensions: class c is centred on 3·e_c plus a shared offset, noise 1. */
    private static LinearProbe.Features clusters(int n, int k, int d, int views, long seed, boolean randomLabels) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[n * views * d];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int c = i % k;
            labels[i] = randomLabels ? rng.nextInt(k) : c;
            for (int v = 0; v < views; v++) {
                for (int j = 0; j < d; j++) x[(i * views + v) * d + j] = (float) ((j == c ? 3 : 0) + 5 + rng.nextGaussian());
            }
        }
        return new LinearProbe.Features(x, n, views, d, labels);
    }

    @Test
    void separableClassesAreLearnedAndRandomLabelsAreNot() {
        LinearProbe.Features train = clusters(60, 3, 8, 2, 1, false), val = clusters(30, 3, 8, 1, 2, false);
        LinearProbe.Result r = LinearProbe.run(train, val, 3, LinearProbe.Config.scaled(60, 0));
        assertTrue(r.top1() > 0.9, "separable clusters: " + r);
        assertEquals(90, r.steps(), "90 epochs of one batch of 60");
        LinearProbe.Result noise = LinearProbe.run(clusters(60, 3, 8, 1, 3, true), clusters(300, 3, 8, 1, 4, true), 3, LinearProbe.Config.scaled(60, 0));
        assertTrue(noise.top1() < 0.5, "random labels stay near chance: " + noise);
    }

    @Test
    void scheduleWarmsUpThenFollowsTheCosine() {
        LinearProbe.Config c = LinearProbe.Config.scaled(1000, 0);
        assertEquals(256, c.batch());
        assertEquals(6.4, c.lr(), 1e-12);
        assertEquals(0, LinearProbe.lr(c, 0), 0);
        assertEquals(3.2, LinearProbe.lr(c, 5), 1e-12);
        assertEquals(6.4, LinearProbe.lr(c, 10), 1e-12);
        assertEquals(3.2, LinearProbe.lr(c, 50), 1e-9);
        assertEquals(0, LinearProbe.lr(c, 90), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> new LinearProbe.Config(10, 10, 8, 0.1, 256, 0, 0));
    }
}
