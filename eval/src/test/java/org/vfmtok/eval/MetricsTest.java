package org.vfmtok.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.vfmtok.eval.gen.ActivationStatistics;
import org.vfmtok.eval.gen.FrechetDistance;
import org.vfmtok.eval.gen.InceptionScore;
import org.vfmtok.eval.gen.Npz;
import org.vfmtok.eval.gen.PrecisionRecall;

/**
 * The metric math against {@code tools/reference/fid_metrics_ref.py} (ADM's formulas with numpy/scipy) on
 * deterministic synthetic features, and against closed forms.
 */
class MetricsTest {
    static final Path FIXTURE = Path.of("src/test/resources/fid/fid_metrics_ref.npz");
    static final int D = 64, CLASSES = 10;

    /** fid_metrics_ref.features: relu(u · mix · 3 + shift), in double, rounded to float32. */
    static float[] features(String key, int n, int d, double shift) {
        double[] u = Synthetic.uniform(key, n * d);
        double[] mix = Synthetic.uniform(key + "-mix", d * d);
        double root = Math.sqrt(d);
        float[] x = new float[n * d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                double s = 0;
                for (int k = 0; k < d; k++) s += u[i * d + k] * (mix[k * d + j] / root);
                x[i * d + j] = (float) Math.max(s * 3.0 + shift, 0.0);
            }
        }
        return x;
    }

    static double scalar(Npz npz, String key) throws IOException {
        return npz.readDoubles(key)[0];
    }

    @Test
    void matchesAdmMathOnSyntheticFeatures() throws IOException {
        float[] ref = features("feat-ref", 150, D, 0.5);
        float[] sam = features("feat-sample", 120, D, 0.7);
        double[] wd = Synthetic.uniform("feat-fc", CLASSES * D);
        float[] w = new float[wd.length];
        for (int i = 0; i < w.length; i++) w[i] = (float) (wd[i] * 2.0);
        try (Npz npz = Npz.open(FIXTURE)) {
            ActivationStatistics s1 = ActivationStatistics.of(ref, 150, D);
            ActivationStatistics s2 = ActivationStatistics.of(sam, 120, D);
            double[] mu = npz.readDoubles("ref_mu"), diag = npz.readDoubles("ref_sigma_diag"), row0 = npz.readDoubles("ref_sigma_row0");
            for (int j = 0; j < D; j++) {
                assertEquals(mu[j], s1.mu()[j], 1e-6 * Math.abs(mu[j]) + 1e-9, "mu " + j);
                assertEquals(diag[j], s1.sigma()[j * D + j], 1e-6 * Math.abs(diag[j]) + 1e-9, "sigma diag " + j);
                assertEquals(row0[j], s1.sigma()[j], 1e-6 * Math.abs(diag[0]) + 1e-9, "sigma row 0, " + j);
            }
            double fid = scalar(npz, "fid");
            assertEquals(fid, FrechetDistance.compute(s2, s1), 1e-6 * fid, "FID (scipy sqrtm " + fid + ")");
            double is = scalar(npz, "inception_score");
            double[] probs = InceptionScore.probabilities(sam, 120, w, CLASSES);
            assertEquals(is, InceptionScore.score(probs, 120, CLASSES, 12), 1e-5 * is, "IS");
            PrecisionRecall.Result pr = PrecisionRecall.adm().compute(ref, 150, sam, 120, D);
            assertEquals(scalar(npz, "precision"), pr.precision(), 0.005, "precision");
            assertEquals(scalar(npz, "recall"), pr.recall(), 0.005, "recall");
        }
    }

    @Test
    void fidClosedForms() {
        // Diagonal covariances: FID = |mu1 - mu2|^2 + sum (sqrt(a) - sqrt(b))^2, also when some variances are 0.
        int d = 5;
        double[] a = {1, 4, 0, 9, 2}, b = {4, 1, 0, 0, 2};
        double[] s1 = new double[d * d], s2 = new double[d * d];
        for (int i = 0; i < d; i++) {
            s1[i * d + i] = a[i];
            s2[i * d + i] = b[i];
        }
        double[] m1 = {0, 1, 2, 3, 4}, m2 = {1, 1, 2, 3, 2};
        double expected = 1 + 4;
        for (int i = 0; i < d; i++) expected += Math.pow(Math.sqrt(a[i]) - Math.sqrt(b[i]), 2);
        double fid = FrechetDistance.compute(new ActivationStatistics(m1, s1), new ActivationStatistics(m2, s2));
        assertEquals(expected, fid, 1e-9);
        // Identical statistics of a rank-deficient set (fewer samples than dimensions): 0.
        float[] x = features("rank", 20, D, 0.3);
        ActivationStatistics s = ActivationStatistics.of(x, 20, D);
        double trace = 0;
        for (int i = 0; i < D; i++) trace += s.sigma()[i * D + i];
        assertEquals(0, FrechetDistance.compute(s, s), 1e-7 * trace);
        assertThrows(IllegalArgumentException.class, () -> FrechetDistance.compute(s, new ActivationStatistics(m1, s1)));
    }

    @Test
    void inceptionScoreClosedForms() {
        int n = 20, c = 4;
        double[] uniform = new double[n * c];
        java.util.Arrays.fill(uniform, 0.25);
        assertEquals(1.0, InceptionScore.score(uniform, n, c, 10), 1e-12);
        double[] oneHot = new double[n * c];
        for (int i = 0; i < n; i++) oneHot[i * c + i % c] = 1;
        assertEquals(4.0, InceptionScore.score(oneHot, n, c, 4), 1e-12, "confident and balanced: the number of classes");
        // ADM keeps a shorter last split: 20 samples in splits of 8 are 8 + 8 + 4.
        assertEquals(4.0, InceptionScore.score(oneHot, n, c, 8), 1e-12);
        var e = assertThrows(IllegalArgumentException.class, () -> InceptionScore.score(oneHot, n, c, 5000));
        assertTrue(e.getMessage().contains("fewer than one split of 5000"), e.getMessage());
    }

    @Test
    void precisionRecallDoNotDependOnTheBlockSizes() {
        float[] ref = features("blocks-ref", 53, D, 0.5);
        float[] sam = features("blocks-sample", 41, D, 0.6);
        PrecisionRecall.Result whole = new PrecisionRecall(1000, 1000).compute(ref, 53, sam, 41, D);
        PrecisionRecall.Result blocks = new PrecisionRecall(7, 5).compute(ref, 53, sam, 41, D);
        assertEquals(whole, blocks);
        // The same set against itself: every point lies in its own ball.
        PrecisionRecall.Result self = new PrecisionRecall(9, 11).compute(ref, 53, ref, 53, D);
        assertEquals(1.0, self.precision());
        assertEquals(1.0, self.recall());
        assertThrows(IllegalArgumentException.class, () -> PrecisionRecall.adm().compute(ref, 3, sam, 41, D));
    }
}
