package org.vfmtok.tensor.cpu;

import java.util.Arrays;
import org.vfmtok.tensor.backend.ResampleKernels.Mode;

/**
 * One axis of a separable resampling written as a gather: {@code dst[d] = Σ_k weight[k·dstSize + d] ·
 * src[index[k·dstSize + d]]} for k < taps. Tap-major storage lets vector lanes take consecutive d. Unused
 * taps have weight 0 and a valid index. Built once per call from PyTorch's 1D coordinate maps; the
 * adjoint (backward) of a table is again a table ({@link #transpose}), so one kernel does both passes.
 */
final class AxisTaps {
    private static final double CUBIC_A = -0.75;
    private static final double AA_CUBIC_A = -0.5;

    final int srcSize;
    final int dstSize;
    final int taps;
    final int[] index;
    final float[] weight;

    private AxisTaps(int srcSize, int dstSize, int taps, int[] index, float[] weight) {
        this.srcSize = srcSize;
        this.dstSize = dstSize;
        this.taps = taps;
        this.index = index;
        this.weight = weight;
    }

    /**
     * The taps of resampling an axis of size {@code in} to {@code out}; {@code scale} is the user's scale
     * factor for this axis or ≤ 0 for a size-based map.
     */
    static AxisTaps of(Mode mode, boolean alignCorners, boolean antialias, double scale, int in, int out) {
        if (mode == Mode.NEAREST) return nearest(scale, in, out);
        double s;
        if (alignCorners) s = out > 1 ? (double) (in - 1) / (out - 1) : 0.0;
        else s = scale > 0 ? 1.0 / scale : (double) in / out;
        if (antialias) return antialiased(mode == Mode.BICUBIC, s, in, out);
        if (mode == Mode.BILINEAR) return bilinear(s, alignCorners, in, out);
        return bicubic(s, alignCorners, in, out);
    }

    /** PyTorch's NCHW nearest kernel: min(floor(d·s), in−1) in float arithmetic. */
    private static AxisTaps nearest(double scale, int in, int out) {
        AxisTaps t = empty(in, out, 1);
        float s = scale > 0 ? (float) (1.0 / scale) : (float) in / out;
        for (int d = 0; d < out; d++) {
            t.set(0, d, (int) Math.min((long) Math.floor((float) d * s), in - 1), 1.0);
        }
        return t;
    }

    private static AxisTaps bilinear(double s, boolean alignCorners, int in, int out) {
        AxisTaps t = empty(in, out, 2);
        for (int d = 0; d < out; d++) {
            if (out == in) { // PyTorch copies when the size is unchanged, whatever the scale factor
                t.set(0, d, d, 1.0);
                t.set(1, d, d, 0.0);
                continue;
            }
            double real = alignCorners ? s * d : Math.max(s * (d + 0.5) - 0.5, 0.0);
            int i0 = Math.min((int) real, in - 1);
            int i1 = i0 < in - 1 ? i0 + 1 : i0;
            double l1 = Math.min(Math.max(real - i0, 0.0), 1.0);
            t.set(0, d, i0, 1.0 - l1);
            t.set(1, d, i1, l1);
        }
        return t;
    }

    /** Keys cubic, a = -0.75; the source index is not clamped, the four tap indices are. */
    private static AxisTaps bicubic(double s, boolean alignCorners, int in, int out) {
        AxisTaps t = empty(in, out, 4);
        for (int d = 0; d < out; d++) {
            double real = alignCorners ? s * d : s * (d + 0.5) - 0.5;
            int i = (int) Math.floor(real);
            double f = real - i;
            double[] w = {far(f + 1), near(f), near(1 - f), far(2 - f)};
            for (int k = 0; k < 4; k++) t.set(k, d, Math.max(Math.min(i - 1 + k, in - 1), 0), w[k]);
        }
        return t;
    }

    private static double near(double x) { return ((CUBIC_A + 2) * x - (CUBIC_A + 3)) * x * x + 1; }

    private static double far(double x) { return ((CUBIC_A * x - 5 * CUBIC_A) * x + 8 * CUBIC_A) * x - 4 * CUBIC_A; }

    /** PIL-style: kernel widened by the downscale factor, window [xmin, xmin+xsize), weights sum to 1. */
    private static AxisTaps antialiased(boolean cubic, double s, int in, int out) {
        double half = cubic ? 2.0 : 1.0;
        double support = s >= 1.0 ? half * s : half;
        double invScale = s >= 1.0 ? 1.0 / s : 1.0;
        int[] xmin = new int[out], xsize = new int[out];
        int maxTaps = 1;
        for (int d = 0; d < out; d++) {
            double center = s * (d + 0.5);
            xmin[d] = (int) Math.max((long) (center - support + 0.5), 0L);
            xsize[d] = Math.max((int) Math.min((long) (center + support + 0.5), in) - xmin[d], 0);
            maxTaps = Math.max(maxTaps, xsize[d]);
        }
        AxisTaps t = empty(in, out, maxTaps);
        double[] w = new double[maxTaps];
        for (int d = 0; d < out; d++) {
            double center = s * (d + 0.5), total = 0;
            for (int j = 0; j < xsize[d]; j++) {
                double x = Math.abs((j + xmin[d] - center + 0.5) * invScale);
                w[j] = cubic ? aaCubic(x) : (x < 1 ? 1 - x : 0);
                total += w[j];
            }
            for (int j = 0; j < xsize[d]; j++) t.set(j, d, xmin[d] + j, total != 0 ? w[j] / total : w[j]);
        }
        return t;
    }

    private static double aaCubic(double x) {
        double a = AA_CUBIC_A;
        if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
        if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
        return 0;
    }

    private static AxisTaps empty(int src, int dst, int taps) {
        return new AxisTaps(src, dst, taps, new int[taps * dst], new float[taps * dst]);
    }

    private void set(int k, int d, int src, double w) {
        index[k * dstSize + d] = src;
        weight[k * dstSize + d] = (float) w;
    }

    /**
     * The adjoint: for every source index, the destinations that read it and with which weight
     * (repeats of the same pair, as from clamped border taps, are merged). Padded to the largest count.
     */
    AxisTaps transpose() {
        int[] count = new int[srcSize];
        int[] lastDst = new int[srcSize];
        Arrays.fill(lastDst, -1);
        for (int d = 0; d < dstSize; d++) {
            for (int k = 0; k < taps; k++) {
                int i = k * dstSize + d, s = index[i];
                if (weight[i] == 0f || lastDst[s] == d) continue;
                lastDst[s] = d;
                count[s]++;
            }
        }
        int maxTaps = 1;
        for (int c : count) maxTaps = Math.max(maxTaps, c);
        AxisTaps t = empty(dstSize, srcSize, maxTaps);
        double[] acc = new double[srcSize * maxTaps];
        Arrays.fill(count, 0);
        Arrays.fill(lastDst, -1);
        for (int d = 0; d < dstSize; d++) {
            for (int k = 0; k < taps; k++) {
                int i = k * dstSize + d, s = index[i];
                if (weight[i] == 0f) continue;
                if (lastDst[s] != d) {
                    lastDst[s] = d;
                    t.index[count[s] * srcSize + s] = d;
                    count[s]++;
                }
                acc[(count[s] - 1) * srcSize + s] += weight[i];
            }
        }
        for (int i = 0; i < acc.length; i++) t.weight[i] = (float) acc[i];
        return t;
    }
}
