package org.vfmtok.llama;

/**
 * Next-token sampling of {@code generate.py::sample} on one row of logits, in place and allocation-free
 * (scratch sized to the vocabulary is kept):
 * <ol>
 *   <li>divide by max(temperature, 1e-5);</li>
 *   <li>top-k (k &gt; 0): logits below the k-th largest become −inf (ties with it are kept);</li>
 *   <li>top-p (p &lt; 1): in descending order, cumulative softmax; a token is removed when the cumulative
 *       probability <em>before</em> it exceeds p (the mask shifted right by one; the first always stays);</li>
 *   <li>softmax; then the first index whose cumulative probability (float64, index order) reaches
 *       u·total for a uniform u in (0, 1] (inverse CDF, which is what {@code torch.multinomial} draws from),
 *       or the arg-max when sampling is off.</li>
 * </ol>
 */
public final class Sampler {
    private final SamplingOptions options;
    private final int vocab;
    private final int[] sorted;      // top-k scratch: the logits as orderable ints
    private final long[] order;
    private final float[] probs;

    public Sampler(SamplingOptions options, int vocab) {
        this.options = options;
        this.vocab = vocab;
        this.sorted = options.topK() > 0 ? new int[vocab] : null;
        this.order = options.topP() < 1.0 ? new long[vocab] : null;
        this.probs = new float[vocab];
    }

    public SamplingOptions options() { return options; }

    /** The probabilities of the last {@link #sample} call (after temperature, top-k, top-p, softmax). */
    public float[] probs() { return probs; }

    /** Samples from {@code logits} (length V, modified in place) with the uniform {@code u} in (0, 1]. */
    public int sample(float[] logits, double u) {
        if (logits.length != vocab) throw new IllegalArgumentException(logits.length + " logits for a vocabulary of " + vocab);
        float t = (float) Math.max(options.temperature(), 1e-5);
        for (int i = 0; i < vocab; i++) logits[i] /= t;
        if (options.topK() > 0) topK(logits, Math.min(options.topK(), vocab));
        if (options.topP() < 1.0) topP(logits, options.topP());
        softmax(logits, probs);
        return options.sample() ? inverseCdf(probs, u) : argmax(probs);
    }

    private void topK(float[] l, int k) {
        // the k-th largest is the element at vocab − k in ascending order: selected in place, not sorted
        for (int i = 0; i < vocab; i++) sorted[i] = orderable(l[i]);
        float kth = fromOrderable(select(sorted, vocab - k));
        for (int i = 0; i < vocab; i++) if (l[i] < kth) l[i] = Float.NEGATIVE_INFINITY;
    }

    private void topP(float[] l, double p) {
        // descending by value, ascending index among equal values: key = (−orderable(value), index); the keys
        // are distinct, so any sort gives this order, and a heapsort gives it without allocating
        for (int i = 0; i < vocab; i++) order[i] = (-(long) orderable(l[i]) << 32) | i;
        heapSort(order);
        float max = l[(int) order[0]];
        double sum = 0;
        for (int i = 0; i < vocab; i++) sum += Math.exp((double) l[(int) order[i]] - max);
        float cum = 0;
        boolean removeNext = false;
        for (int i = 0; i < vocab; i++) {
            int at = (int) order[i];
            float prob = (float) (Math.exp((double) l[at] - max) / sum);
            if (removeNext) l[at] = Float.NEGATIVE_INFINITY;
            cum += prob;
            removeNext = cum > p;
        }
    }

    /** An int whose signed order is the float order (NaN aside). */
    private static int orderable(float f) {
        int b = Float.floatToRawIntBits(f);
        return b >= 0 ? b : b ^ 0x7FFFFFFF;
    }

    private static float fromOrderable(int o) {
        return Float.intBitsToFloat(o >= 0 ? o : o ^ 0x7FFFFFFF);
    }

    /**
     * The value that {@code a[rank]} would hold were a sorted ascending (a is reordered): quickselect with a
     * median-of-three pivot, in place. Why not Arrays.sort: a full sort is O(V log V), and the JDK's sort may
     * allocate a run buffer when it finds ordered runs, which a per-token sampler must not.
     */
    static int select(int[] a, int rank) {
        int lo = 0, hi = a.length - 1;
        while (hi > lo) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < a[lo]) swap(a, mid, lo);
            if (a[hi] < a[lo]) swap(a, hi, lo);
            if (a[hi] < a[mid]) swap(a, hi, mid);
            int pivot = a[mid], i = lo, j = hi;
            while (i <= j) {                      // Hoare partition: [lo, j] <= pivot <= [i, hi]
                while (a[i] < pivot) i++;
                while (a[j] > pivot) j--;
                if (i <= j) swap(a, i++, j--);
            }
            if (rank <= j) hi = j;
            else if (rank >= i) lo = i;
            else return a[rank];
        }
        return a[rank];
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }

    /** Ascending, in place, allocation-free (see {@link #select} for why not Arrays.sort). */
    static void heapSort(long[] a) {
        int n = a.length;
        for (int i = n / 2 - 1; i >= 0; i--) siftDown(a, i, n);
        for (int end = n - 1; end > 0; end--) {
            long t = a[0];
            a[0] = a[end];
            a[end] = t;
            siftDown(a, 0, end);
        }
    }

    private static void siftDown(long[] a, int i, int n) {
        long v = a[i];
        while (true) {
            int c = 2 * i + 1;
            if (c >= n) break;
            if (c + 1 < n && a[c + 1] > a[c]) c++;
            if (a[c] <= v) break;
            a[i] = a[c];
            i = c;
        }
        a[i] = v;
    }

    static void softmax(float[] l, float[] out) {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : l) max = Math.max(max, v);
        double sum = 0;
        for (int i = 0; i < l.length; i++) sum += Math.exp((double) l[i] - max);
        for (int i = 0; i < l.length; i++) out[i] = (float) (Math.exp((double) l[i] - max) / sum);
    }

    /** First index whose float64 cumulative probability reaches u·total (total = the sum of all). */
    static int inverseCdf(float[] p, double u) {
        double total = 0;
        for (float v : p) total += v;
        double thresh = u * total, cdf = 0;
        for (int i = 0; i < p.length; i++) {
            cdf += p[i];
            if (cdf >= thresh && p[i] > 0) return i;
        }
        for (int i = p.length - 1; i >= 0; i--) if (p[i] > 0) return i;
        return p.length - 1;
    }

    static int argmax(float[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
        return best;
    }
}
