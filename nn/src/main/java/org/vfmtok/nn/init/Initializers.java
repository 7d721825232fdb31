package org.vfmtok.nn.init;

import java.util.random.RandomGenerator;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;

/**
 * PyTorch's initialisers (same distributions and bounds; the random streams are Java's, so values differ
 * from torch's but the statistics match). Fan-in/fan-out follow {@code torch.nn.init._calculate_fan_in_and_fan_out}.
 */
public final class Initializers {
    private Initializers() {}

    /** (fanIn, fanOut) of a weight (out, in, *kernel). */
    public static int[] fans(Tensor w) {
        if (w.dim() < 2) throw new IllegalArgumentException("fan in/out needs at least 2 dims, got " + w.dim());
        int receptive = 1;
        for (int d = 2; d < w.dim(); d++) receptive *= w.size(d);
        return new int[] {w.size(1) * receptive, w.size(0) * receptive};
    }

    public static Tensor uniform(Tensor t, RandomGenerator rng, double a, double b) {
        try (Grad.Mode ng = Grad.noGrad()) {
            return Init.uniform(t, rng, a, b);
        }
    }

    public static Tensor normal(Tensor t, RandomGenerator rng, double mean, double std) {
        try (Grad.Mode ng = Grad.noGrad()) {
            return Init.normal(t, rng, mean, std);
        }
    }

    public static Tensor truncNormal(Tensor t, RandomGenerator rng, double mean, double std, double a, double b) {
        try (Grad.Mode ng = Grad.noGrad()) {
            return Init.truncNormal(t, rng, mean, std, a, b);
        }
    }

    public static Tensor zeros(Tensor t) { return t.fill(0.0); }

    public static Tensor ones(Tensor t) { return t.fill(1.0); }

    public static Tensor constant(Tensor t, double v) { return t.fill(v); }

    /** xavier_uniform_: U(-a, a), a = gain·sqrt(6 / (fanIn + fanOut)). */
    public static Tensor xavierUniform(Tensor w, RandomGenerator rng, double gain) {
        int[] f = fans(w);
        double a = gain * Math.sqrt(6.0 / (f[0] + f[1]));
        return uniform(w, rng, -a, a);
    }

    /** kaiming_uniform_ with leaky-relu slope {@code a}: bound = sqrt(6 / ((1 + a²)·fanIn)). */
    public static Tensor kaimingUniform(Tensor w, RandomGenerator rng, double a) {
        int fanIn = fans(w)[0];
        double gain = Math.sqrt(2.0 / (1 + a * a));
        double bound = gain * Math.sqrt(3.0 / fanIn);
        return uniform(w, rng, -bound, bound);
    }

    /**
     * The default of nn.Linear and nn.ConvNd: kaiming_uniform(a=√5) on the weight (bound 1/√fanIn) and
     * U(-1/√fanIn, 1/√fanIn) on the bias.
     */
    public static void linearDefault(Tensor weight, Tensor bias, RandomGenerator rng) {
        kaimingUniform(weight, rng, Math.sqrt(5));
        if (bias != null) {
            int fanIn = fans(weight)[0];
            double bound = fanIn > 0 ? 1.0 / Math.sqrt(fanIn) : 0;
            uniform(bias, rng, -bound, bound);
        }
    }
}
