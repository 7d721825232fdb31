package org.vfmtok.llama;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** The filtering rules of generate.py::sample on hand-made rows. */
class SamplerTest {
    private static float[] probs(SamplingOptions o, float... logits) {
        Sampler s = new Sampler(o, logits.length);
        s.sample(logits.clone(), 0.5);
        return s.probs().clone();
    }

    @Test
    void selectAndHeapSortAgreeWithArraysSort() {
        java.util.Random rnd = new java.util.Random(7);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + rnd.nextInt(trial < 100 ? 40 : 5000);
            int range = trial % 3 == 0 ? 5 : Integer.MAX_VALUE;            // many ties, or nearly none
            int[] a = new int[n];
            for (int i = 0; i < n; i++) a[i] = trial % 5 == 0 ? i : rnd.nextInt(range) - range / 2;   // some already sorted
            int[] sorted = a.clone();
            java.util.Arrays.sort(sorted);
            int rank = rnd.nextInt(n);
            assertEquals(sorted[rank], Sampler.select(a.clone(), rank), "rank " + rank + " of " + n);
            assertEquals(sorted[0], Sampler.select(a.clone(), 0));
            assertEquals(sorted[n - 1], Sampler.select(a.clone(), n - 1));
            long[] keys = new long[n];
            for (int i = 0; i < n; i++) keys[i] = ((long) a[i] << 32) | i;
            long[] expected = keys.clone();
            java.util.Arrays.sort(expected);
            Sampler.heapSort(keys);
            assertArrayEquals(expected, keys);
        }
    }

    @Test
    void topKKeepsTies() {
        float[] p = probs(new SamplingOptions(1, 1, 1, true), 1, 3, 3, 2);
        assertArrayEquals(new float[] {0, 0.5f, 0.5f, 0}, p, 1e-7f);
        p = probs(new SamplingOptions(1, 2, 1, true), 1, 3, 3, 2);
        assertEquals(0f, p[3], "the two tied maxima fill k = 2");
        p = probs(new SamplingOptions(1, 3, 1, true), 1, 3, 3, 2);
        assertTrue(p[3] > 0 && p[0] == 0);
        p = probs(new SamplingOptions(1, 100, 1, true), 1, 3, 3, 2);
        for (float v : p) assertTrue(v > 0, "k larger than the vocabulary keeps everything");
    }

    @Test
    void topPRemovesAfterTheCumulativeMassExceedsP() {
        float[] l = {(float) Math.log(0.2), (float) Math.log(0.5), (float) Math.log(0.3)};
        // sorted 0.5, 0.3, 0.2: cum 0.5, 0.8, 1.0; p = 0.5: remove where cum > p = [F, T, T], shifted = [F, F, T]
        float[] p = probs(new SamplingOptions(1, 0, 0.5, true), l);
        assertEquals(0f, p[0]);
        assertEquals(0.5f / 0.8f, p[1], 1e-6f);
        assertEquals(0.3f / 0.8f, p[2], 1e-6f);
        // p = 0.4: the first token alone already exceeds it, and the first is always kept
        p = probs(new SamplingOptions(1, 0, 0.4, true), l);
        assertArrayEquals(new float[] {0, 1, 0}, p, 1e-7f);
        // p = 0.85: 0.5 and 0.8 are below, 1.0 above: all three kept (the shift keeps the token that crosses p)
        p = probs(new SamplingOptions(1, 0, 0.85, true), l);
        for (float v : p) assertTrue(v > 0);
    }

    @Test
    void temperatureScalesAndZeroIsGreedy() {
        float[] hot = probs(new SamplingOptions(2, 0, 1, true), 0, 1);
        assertEquals(1 / (1 + Math.exp(0.5)), hot[0], 1e-6);
        Sampler s = new Sampler(new SamplingOptions(0, 0, 1, true), 3);
        for (double u : new double[] {1e-9, 0.3, 0.999, 1.0}) assertEquals(1, s.sample(new float[] {0.1f, 0.2f, 0.15f}, u));
        for (float v : s.probs()) assertFalse(Float.isNaN(v));
    }

    @Test
    void inverseCdfFollowsTheUniform() {
        Sampler s = new Sampler(SamplingOptions.defaults(), 3);
        float[] l = {(float) Math.log(0.25), (float) Math.log(0.25), (float) Math.log(0.5)};
        assertEquals(0, s.sample(l.clone(), 0.2));
        assertEquals(1, s.sample(l.clone(), 0.3));
        assertEquals(2, s.sample(l.clone(), 0.51));
        assertEquals(2, s.sample(l.clone(), 1.0));
        // greedy (no sampling) ignores the uniform
        Sampler g = new Sampler(SamplingOptions.greedy(), 3);
        assertEquals(2, g.sample(l.clone(), 0.01));
    }
}
