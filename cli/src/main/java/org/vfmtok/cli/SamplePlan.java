package org.vfmtok.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.vfmtok.tensor.Rng;

/**
 * Which images a {@code sample} run draws and in what order: sample i (0 ≤ i < classes × perClass) is of class
 * {@code classes[i / perClass]}; global batch b holds samples [b·batch, min(N, (b+1)·batch)), and rank r of W
 * samples the batches b with b mod W = r. Every sample draws its own uniforms from a generator seeded by
 * (seed, i), so a sample does not depend on which rank draws it, nor on whether the run was interrupted.
 */
record SamplePlan(int[] classes, int perClass, int batch, int size) {
    SamplePlan {
        if (classes.length == 0) throw new IllegalArgumentException("--classes is empty");
        if (perClass < 1) throw new IllegalArgumentException("--per-class must be >= 1, got " + perClass);
        if (batch < 1) throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
        if (size < 1) throw new IllegalArgumentException("--size must be >= 1, got " + size);
        long n = (long) classes.length * perClass;
        if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException(classes.length + " classes x " + perClass + " per class = " + n + " samples: too many for one npz");
    }

    int images() { return classes.length * perClass; }

    int batches() { return (images() + batch - 1) / batch; }

    int label(int i) { return classes[i / perClass]; }

    int first(int b) { return b * batch; }

    int end(int b) { return Math.min(images(), (b + 1) * batch); }

    /** The labels of batch b. */
    int[] labels(int b) {
        int[] l = new int[end(b) - first(b)];
        for (int i = 0; i < l.length; i++) l[i] = label(first(b) + i);
        return l;
    }

    /** The global batches rank {@code rank} of {@code world} samples, in order. */
    List<Integer> batchesOf(int rank, int world) {
        List<Integer> out = new ArrayList<>();
        for (int b = rank; b < batches(); b += world) out.add(b);
        return out;
    }

    /** Bytes of one image, uint8 HWC. */
    long imageBytes() { return (long) size * size * 3; }

    /**
     * The uniforms of sample i, one per decode step: a SplitMix64 stream seeded from (seed, i) (the seed mixed once
     * more so that neighbouring samples of neighbouring seeds do not share streams).
     */
    static double[] uniforms(long seed, int sample, int steps) {
        Rng rng = new Rng(new Rng(seed).nextLong() + 0x632BE59BD9B4E019L * (sample + 1L));
        double[] u = new double[steps];
        for (int s = 0; s < steps; s++) u[s] = 1.0 - rng.nextDouble();
        return u;
    }

    String describe(int world) {
        return String.format(Locale.ROOT, "%d classes x %d = %d samples at %dx%d, %d batch(es) of %d%s",
                classes.length, perClass, images(), size, size, batches(), batch, world > 1 ? ", over " + world + " ranks" : "");
    }
}
