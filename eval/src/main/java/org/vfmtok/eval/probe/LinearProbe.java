package org.vfmtok.eval.probe;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * MAE's linear probe ({@code main_linprobe.py}) on precomputed features: {@code BatchNorm1d(D, affine=False,
 * eps=1e-6)} then {@code Linear(D, K)} (weight normal std 0.01: timm's trunc_normal_ bounds ±2 are absolute, so never reached; bias 0), cross-entropy, MAE's LARS (momentum
 * 0.9, trust coefficient 0.001, weight decay 0; the bias, being 1-D, gets plain momentum SGD), the learning rate
 * warmed up linearly then cosine-decayed to 0 per iteration ({@code util/lr_sched.py}), batches drawn without
 * replacement and the last partial batch dropped; evaluation with the BatchNorm's running statistics (momentum 0.1,
 * unbiased running variance, as PyTorch). Plain float64 arrays: the head is D × K, small enough that a tensor
 * backend would only add overhead.
 *
 * <p><b>Scaled to the data size</b> (see {@link Config#scaled}): MAE trains 90 epochs (10 warm-up) at an effective
 * batch of 16384 with lr = 0.1 × 16384 / 256 = 6.4. LARS makes every step a fixed fraction (lr × 0.001) of the
 * weight norm, so the per-step rate must stay MAE's: we keep lr = blr × {@code referenceBatch} / 256 with
 * referenceBatch 16384 even though our batch is min(256, N) (scaling lr by our batch, as MAE's formula would,
 * leaves the head nearly untouched on small sets). Epochs and warm-up stay 90 and 10; with a small set an epoch
 * is a few steps, so the number of steps, not the per-step rate, shrinks with the data.
 */
public final class LinearProbe {
    /** Features of a set: {@code rows = n × views} rows of length d (row {@code i·views + v} is view v of image i). */
    public record Features(float[] x, int n, int views, int d, int[] labels) {
        public Features {
            if ((long) n * views * d != x.length) throw new IllegalArgumentException("features: " + x.length + " values for " + n + " x " + views + " views x " + d);
            if (labels.length != n) throw new IllegalArgumentException("features: " + labels.length + " labels for " + n + " images");
        }
    }

    public record Config(int epochs, int warmupEpochs, int batch, double blr, int referenceBatch, double weightDecay, long seed) {
        public Config {
            if (epochs < 1 || warmupEpochs < 0 || warmupEpochs >= epochs) throw new IllegalArgumentException("probe: epochs " + epochs + " and warm-up " + warmupEpochs + " must satisfy 0 <= warm-up < epochs");
            if (batch < 1) throw new IllegalArgumentException("probe: batch must be >= 1, got " + batch);
            if (!(blr > 0)) throw new IllegalArgumentException("probe: base lr must be > 0, got " + blr);
        }

        /** MAE's recipe for a training set of n images (batch min(256, n), reference batch 16384). */
        public static Config scaled(int n, long seed) {
            return new Config(90, 10, Math.max(1, Math.min(256, n)), 0.1, 16384, 0.0, seed);
        }

        public double lr() { return blr * referenceBatch / 256.0; }
    }

    public record Result(double top1, int correct, int total, int steps, double finalLoss) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "top-1 %.2f%% (%d of %d), %d steps, last training loss %.4f", 100 * top1, correct, total, steps, finalLoss);
        }
    }

    private static final double BN_EPS = 1e-6, BN_MOMENTUM = 0.1, MOMENTUM = 0.9, TRUST = 0.001;

    private LinearProbe() {}

    /** Trains on {@code train} (a random view of each image per epoch) and returns top-1 on {@code val} (its view 0). */
    public static Result run(Features train, Features val, int classes, Config cfg) {
        if (train.d() != val.d()) throw new IllegalArgumentException("probe: training features have " + train.d() + " dimensions, validation " + val.d());
        for (int[] ls : new int[][] {train.labels(), val.labels()}) {
            for (int l : ls) if (l < 0 || l >= classes) throw new IllegalArgumentException("probe: label " + l + " outside [0, " + classes + ")");
        }
        int d = train.d(), k = classes, n = train.n();
        int b = Math.min(cfg.batch(), n);
        int stepsPerEpoch = n / b; // drop_last
        SplittableRandom rng = new SplittableRandom(cfg.seed());
        double[] w = new double[k * d], bias = new double[k], mw = new double[k * d], mb = new double[k];
        for (int i = 0; i < w.length; i++) w[i] = gaussian(rng) * 0.01;
        double[] runMean = new double[d], runVar = new double[d];
        java.util.Arrays.fill(runVar, 1.0);
        double[] xb = new double[b * d], mean = new double[d], var = new double[d], logits = new double[k], dlogits = new double[b * k];
        double[] gw = new double[k * d], gb = new double[k];
        double loss = Double.NaN;
        int step = 0;
        for (int epoch = 0; epoch < cfg.epochs(); epoch++) {
            int[] order = permutation(n, rng);
            for (int s = 0; s < stepsPerEpoch; s++, step++) {
                double lr = lr(cfg, epoch + (double) s / stepsPerEpoch);
                // batch rows, one random view each, normalised with the batch statistics (biased variance)
                java.util.Arrays.fill(mean, 0);
                java.util.Arrays.fill(var, 0);
                int[] yb = new int[b];
                for (int r = 0; r < b; r++) {
                    int img = order[s * b + r];
                    int row = img * train.views() + rng.nextInt(train.views());
                    yb[r] = train.labels()[img];
                    for (int j = 0; j < d; j++) {
                        double v = train.x()[row * d + j];
                        xb[r * d + j] = v;
                        mean[j] += v;
                    }
                }
                for (int j = 0; j < d; j++) mean[j] /= b;
                for (int r = 0; r < b; r++) for (int j = 0; j < d; j++) { double t = xb[r * d + j] - mean[j]; var[j] += t * t; }
                for (int j = 0; j < d; j++) {
                    var[j] /= b;
                    runMean[j] = (1 - BN_MOMENTUM) * runMean[j] + BN_MOMENTUM * mean[j];
                    runVar[j] = (1 - BN_MOMENTUM) * runVar[j] + BN_MOMENTUM * var[j] * (b > 1 ? b / (b - 1.0) : 1.0);
                }
                for (int r = 0; r < b; r++) for (int j = 0; j < d; j++) xb[r * d + j] = (xb[r * d + j] - mean[j]) / Math.sqrt(var[j] + BN_EPS);
                // forward, softmax cross-entropy (mean over the batch), gradients of the head (BN has no parameters;
                // the features are frozen, so nothing flows further back)
                loss = 0;
                for (int r = 0; r < b; r++) {
                    forward(xb, r, w, bias, d, k, logits);
                    double max = Double.NEGATIVE_INFINITY;
                    for (double v : logits) max = Math.max(max, v);
                    double z = 0;
                    for (int c = 0; c < k; c++) z += Math.exp(logits[c] - max);
                    for (int c = 0; c < k; c++) dlogits[r * k + c] = (Math.exp(logits[c] - max) / z - (c == yb[r] ? 1 : 0)) / b;
                    loss += (Math.log(z) + max - logits[yb[r]]) / b;
                }
                java.util.Arrays.fill(gw, 0);
                java.util.Arrays.fill(gb, 0);
                for (int r = 0; r < b; r++) {
                    for (int c = 0; c < k; c++) {
                        double g = dlogits[r * k + c];
                        gb[c] += g;
                        for (int j = 0; j < d; j++) gw[c * d + j] += g * xb[r * d + j];
                    }
                }
                lars(w, gw, mw, lr, cfg.weightDecay(), true);
                lars(bias, gb, mb, lr, 0, false);
            }
        }
        // evaluation: view 0, running statistics
        int correct = 0;
        double[] xv = new double[d];
        for (int i = 0; i < val.n(); i++) {
            int row = i * val.views();
            for (int j = 0; j < d; j++) xv[j] = (val.x()[row * d + j] - runMean[j]) / Math.sqrt(runVar[j] + BN_EPS);
            forward(xv, 0, w, bias, d, k, logits);
            int best = 0;
            for (int c = 1; c < k; c++) if (logits[c] > logits[best]) best = c;
            if (best == val.labels()[i]) correct++;
        }
        return new Result(val.n() == 0 ? Double.NaN : correct / (double) val.n(), correct, val.n(), step, loss);
    }

    /** MAE's LARS step for one parameter: matrices get weight decay and the trust ratio, vectors neither. */
    private static void lars(double[] p, double[] g, double[] mu, double lr, double wd, boolean matrix) {
        double q = 1;
        if (matrix) {
            if (wd != 0) for (int i = 0; i < p.length; i++) g[i] += wd * p[i];
            double pn = norm(p), gn = norm(g);
            if (pn > 0 && gn > 0) q = TRUST * pn / gn;
        }
        for (int i = 0; i < p.length; i++) {
            mu[i] = MOMENTUM * mu[i] + g[i] * q;
            p[i] -= lr * mu[i];
        }
    }

    /** util/lr_sched.adjust_learning_rate at a fractional epoch (min_lr 0). */
    static double lr(Config cfg, double epoch) {
        if (epoch < cfg.warmupEpochs()) return cfg.lr() * epoch / cfg.warmupEpochs();
        return cfg.lr() * 0.5 * (1 + Math.cos(Math.PI * (epoch - cfg.warmupEpochs()) / (cfg.epochs() - cfg.warmupEpochs())));
    }

    private static void forward(double[] x, int row, double[] w, double[] bias, int d, int k, double[] out) {
        for (int c = 0; c < k; c++) {
            double s = bias[c];
            for (int j = 0; j < d; j++) s += w[c * d + j] * x[row * d + j];
            out[c] = s;
        }
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double x : v) s += x * x;
        return Math.sqrt(s);
    }

    private static double gaussian(SplittableRandom rng) {
        double u1 = rng.nextDouble(), u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }

    private static int[] permutation(int n, SplittableRandom rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
