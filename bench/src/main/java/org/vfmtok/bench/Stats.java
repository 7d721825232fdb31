package org.vfmtok.bench;

import java.util.Arrays;

/** Timing helpers: medians of repeated runs. */
public final class Stats {
    private Stats() {}

    public static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }

    /** Seconds of each of {@code reps} runs of {@code body}. */
    public static double[] time(int reps, Runnable body) {
        double[] t = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            body.run();
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        return t;
    }
}
