package org.vfmtok.eval.recon;

import java.util.Locale;

/**
 * How much of a codebook a set of images uses: the share of codes drawn at least once, and the perplexity of the
 * code histogram (exp of its entropy; equals the codebook size when every code is equally frequent).
 */
public final class CodebookUsage {
    private final long[] counts;
    private long total;

    public CodebookUsage(int codebookSize) {
        if (codebookSize < 1) throw new IllegalArgumentException("codebook size must be >= 1, got " + codebookSize);
        counts = new long[codebookSize];
    }

    /** Counts the codes of one or more images; each must be in [0, codebook size). */
    public void add(long[] codes) {
        for (long c : codes) {
            if (c < 0 || c >= counts.length) throw new IllegalArgumentException("code " + c + " is outside the codebook [0, " + counts.length + ")");
            counts[(int) c]++;
        }
        total += codes.length;
    }

    public int codebookSize() { return counts.length; }

    public long tokens() { return total; }

    /** Codes drawn at least once. */
    public int used() {
        int u = 0;
        for (long c : counts) if (c > 0) u++;
        return u;
    }

    /** {@link #used} / codebook size. */
    public double usage() { return used() / (double) counts.length; }

    /** exp(-Σ p log p) of the histogram; NaN before the first code. */
    public double perplexity() {
        if (total == 0) return Double.NaN;
        double h = 0;
        for (long c : counts) {
            if (c == 0) continue;
            double p = c / (double) total;
            h -= p * Math.log(p);
        }
        return Math.exp(h);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "codebook usage %.2f%% (%d of %d codes), perplexity %.1f over %d tokens", 100 * usage(), used(), counts.length, perplexity(), total);
    }
}
