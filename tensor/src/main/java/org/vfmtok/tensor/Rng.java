package org.vfmtok.tensor;

import java.util.random.RandomGenerator;

/**
 * SplitMix64: a tiny, fast generator whose whole state is one long, so that training can save and restore
 * it exactly (data order, dropout masks) and resume bit for bit.
 */
public final class Rng implements RandomGenerator {
    private long state;

    public Rng(long seed) { this.state = seed; }

    @Override
    public long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The complete state, for checkpoints. */
    public long state() { return state; }

    public void setState(long s) { state = s; }

    /** A random permutation of 0..n-1 (Fisher-Yates from the top; the data order of training streams). */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** An independent generator derived from this one (for a worker or a module). */
    public Rng split() { return new Rng(nextLong()); }
}
