package org.vfmtok.tensor.scalar;

import java.util.Arrays;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.NormKernels;

/**
 * Reference normalisations in double precision, straight from the definitions. Every norm here is
 * "normalise a set of contiguous blocks": layer and RMS norm use one block per row, group norm one per
 * (sample, group) whose channel decides the weight. {@link Layout} captures that, so the three norms
 * share one forward and one backward.
 */
public final class ScalarNorm implements NormKernels {

    /** blocks × blockSize elements; element e of block k uses weight index channelOf(k, e). */
    private record Layout(int blocks, int blockSize, int groups, int spatial) {
        /** Weight index of element e of block k: the column for rows, the channel for groups. */
        int channel(int k, int e) {
            if (groups == 0) return e;
            int channelsPerGroup = blockSize / spatial;
            return (k % groups) * channelsPerGroup + e / spatial;
        }

        static Layout rows(Tensor x, Tensor stats) {
            int rows = Math.toIntExact(stats.numel());
            int cols = rows == 0 ? 0 : Math.toIntExact(x.numel() / rows);
            return new Layout(rows, cols, 0, 1);
        }

        static Layout groups(Tensor x, int groups) {
            int n = x.size(0), c = x.size(1);
            int spatial = c == 0 || n == 0 ? 0 : Math.toIntExact(x.numel() / ((long) n * c));
            return new Layout(n * groups, c / groups * spatial, groups, spatial);
        }
    }

    @Override
    public void layerNorm(Tensor x, Tensor w, Tensor b, double eps, Tensor out, Tensor mean, Tensor rstd) {
        forward(Layout.rows(x, rstd), true, x, w, b, eps, out, mean, rstd);
    }

    @Override
    public void layerNormBackward(Tensor gradOut, Tensor x, Tensor w, Tensor mean, Tensor rstd, Tensor gx, Tensor gw, Tensor gb) {
        backward(Layout.rows(x, rstd), true, gradOut, x, w, mean, rstd, gx, gw, gb);
    }

    @Override
    public void rmsNorm(Tensor x, Tensor w, double eps, Tensor out, Tensor rstd) {
        forward(Layout.rows(x, rstd), false, x, w, null, eps, out, null, rstd);
    }

    @Override
    public void rmsNormBackward(Tensor gradOut, Tensor x, Tensor w, Tensor rstd, Tensor gx, Tensor gw) {
        backward(Layout.rows(x, rstd), false, gradOut, x, w, null, rstd, gx, gw, null);
    }

    @Override
    public void groupNorm(Tensor x, int groups, Tensor w, Tensor b, double eps, Tensor out, Tensor mean, Tensor rstd) {
        forward(Layout.groups(x, groups), true, x, w, b, eps, out, mean, rstd);
    }

    @Override
    public void groupNormBackward(Tensor gradOut, Tensor x, int groups, Tensor w, Tensor mean, Tensor rstd, Tensor gx, Tensor gw, Tensor gb) {
        backward(Layout.groups(x, groups), true, gradOut, x, w, mean, rstd, gx, gw, gb);
    }

    // ------------------------------------------------------------------ shared definitions

    /** centred: layer/group norm (subtract the mean, biased variance); otherwise RMS norm (mean 0). */
    private static void forward(Layout l, boolean centred, Tensor x, Tensor w, Tensor b, double eps, Tensor out, Tensor mean, Tensor rstd) {
        requireContiguous(x, w, b, out, mean, rstd);
        int m = l.blockSize();
        for (int k = 0; k < l.blocks(); k++) {
            long base = (long) k * m;
            double mu = 0;
            if (centred) {
                for (int e = 0; e < m; e++) mu += get(x, base + e);
                mu /= m;
            }
            double ss = 0;
            for (int e = 0; e < m; e++) {
                double d = get(x, base + e) - mu;
                ss += d * d;
            }
            double r = 1.0 / Math.sqrt(ss / m + eps);
            if (mean != null) set(mean, k, mu);
            set(rstd, k, r);
            for (int e = 0; e < m; e++) {
                int c = l.channel(k, e);
                double y = (get(x, base + e) - mu) * r;
                if (w != null) y *= get(w, c);
                if (b != null) y += get(b, c);
                set(out, base + e, y);
            }
        }
    }

    /**
     * With xhat = (x - mean)·rstd and g' = g·w: gx = rstd·(g' - mean(g') - xhat·mean(g'·xhat)) for the
     * centred norms, gx = rstd·(g' - xhat·mean(g'·xhat)) for RMS norm; gw = Σ g·xhat, gb = Σ g over
     * every element that uses the weight.
     */
    private static void backward(Layout l, boolean centred, Tensor g, Tensor x, Tensor w, Tensor mean, Tensor rstd,
                                 Tensor gx, Tensor gw, Tensor gb) {
        requireContiguous(g, x, w, mean, rstd, gx, gw, gb);
        int m = l.blockSize();
        double[] sw = gw == null ? null : new double[Math.toIntExact(gw.numel())];
        double[] sb = gb == null ? null : new double[Math.toIntExact(gb.numel())];
        for (int k = 0; k < l.blocks(); k++) {
            long base = (long) k * m;
            double mu = centred ? get(mean, k) : 0, r = get(rstd, k);
            double sumG = 0, sumGX = 0;
            for (int e = 0; e < m; e++) {
                int c = l.channel(k, e);
                double gi = get(g, base + e), xhat = (get(x, base + e) - mu) * r;
                double gp = w == null ? gi : gi * get(w, c);
                sumG += gp;
                sumGX += gp * xhat;
                if (sw != null) sw[c] += gi * xhat;
                if (sb != null) sb[c] += gi;
            }
            if (gx == null) continue;
            double meanG = centred ? sumG / m : 0, meanGX = sumGX / m;
            for (int e = 0; e < m; e++) {
                int c = l.channel(k, e);
                double gi = get(g, base + e), xhat = (get(x, base + e) - mu) * r;
                double gp = w == null ? gi : gi * get(w, c);
                set(gx, base + e, r * (gp - meanG - xhat * meanGX));
            }
        }
        if (sw != null) for (int c = 0; c < sw.length; c++) set(gw, c, sw[c]);
        if (sb != null) for (int c = 0; c < sb.length; c++) set(gb, c, sb[c]);
    }

    private static double get(Tensor t, long i) { return t.dtype().read(t.segment(), t.offset() + i); }

    private static void set(Tensor t, long i, double v) { t.dtype().write(t.segment(), t.offset() + i, v); }

    private static void requireContiguous(Tensor... ts) {
        for (Tensor t : ts) {
            if (t != null && !t.isContiguous()) {
                throw new IllegalArgumentException("norm kernels need contiguous tensors, got shape " + Arrays.toString(t.shape())
                        + " with strides " + Arrays.toString(t.strides()));
            }
        }
    }
}
