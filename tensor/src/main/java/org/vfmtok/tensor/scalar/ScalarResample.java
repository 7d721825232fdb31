package org.vfmtok.tensor.scalar;

import java.lang.foreign.MemorySegment;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.ResampleKernels;

/**
 * Reference resampling: a direct transcription of PyTorch 1.13's CPU formulas
 * ({@code UpSample.h}, {@code UpSampleKernel.cpp}, {@code GridSampler.h}), per output element, in double,
 * any floating dtype and any strides. Deliberately shares no code with the fast path.
 */
public final class ScalarResample implements ResampleKernels {
    private static final double CUBIC_A = -0.75;
    private static final double AA_CUBIC_A = -0.5;

    // ------------------------------------------------------------------ interpolate

    @Override
    public void interpolate(Tensor x, Tensor out, Mode mode, boolean alignCorners, double[] scales, boolean antialias) {
        linearMap(x, out, mode, alignCorners, scales, antialias, false);
    }

    @Override
    public void interpolateBackward(Tensor gradOut, Tensor gradIn, Mode mode, boolean alignCorners, double[] scales, boolean antialias) {
        linearMap(gradIn, gradOut, mode, alignCorners, scales, antialias, true);
    }

    /**
     * Interpolation is linear: out(oy,ox) = Σ wy·wx·in(iy,ix). The forward gathers these products into
     * {@code out}; the adjoint scatters the same products from {@code out} (the gradient) back into
     * {@code in}. {@code in} is always the input-sized (N,C,H,W) side.
     */
    private static void linearMap(Tensor in, Tensor out, Mode mode, boolean ac, double[] scales, boolean aa, boolean adjoint) {
        int n = in.size(0), c = in.size(1), h = in.size(2), w = in.size(3);
        int ho = out.size(2), wo = out.size(3);
        if (out.size(0) != n || out.size(1) != c) throw new IllegalArgumentException("interpolate: batch/channel mismatch");
        double sh = scales == null ? 0 : scales[0], sw = scales == null ? 0 : scales[1];
        int cap = Math.max(Math.max(h, w), 4) + 8;
        int[] iy = new int[cap], ix = new int[cap];
        double[] wy = new double[cap], wx = new double[cap];
        MemorySegment is = in.segment(), os = out.segment();
        DType it = in.dtype(), ot = out.dtype();
        long[] ist = in.strides(), ost = out.strides();
        if (adjoint) {
            for (int a = 0; a < n; a++) for (int b = 0; b < c; b++) for (int y = 0; y < h; y++) for (int xx = 0; xx < w; xx++) {
                it.write(is, in.offset() + a * ist[0] + b * ist[1] + y * ist[2] + xx * ist[3], 0.0);
            }
        }
        for (int oy = 0; oy < ho; oy++) {
            int ky = taps(mode, ac, aa, sh, h, ho, oy, iy, wy);
            for (int ox = 0; ox < wo; ox++) {
                int kx = taps(mode, ac, aa, sw, w, wo, ox, ix, wx);
                for (int a = 0; a < n; a++) {
                    for (int b = 0; b < c; b++) {
                        long ib = in.offset() + a * ist[0] + b * ist[1];
                        long oe = out.offset() + a * ost[0] + b * ost[1] + oy * ost[2] + ox * ost[3];
                        if (!adjoint) {
                            double acc = 0;
                            for (int p = 0; p < ky; p++) {
                                double row = 0;
                                for (int q = 0; q < kx; q++) row += wx[q] * it.read(is, ib + iy[p] * ist[2] + ix[q] * ist[3]);
                                acc += wy[p] * row;
                            }
                            ot.write(os, oe, acc);
                        } else {
                            double g = ot.read(os, oe);
                            for (int p = 0; p < ky; p++) {
                                for (int q = 0; q < kx; q++) {
                                    long e = ib + iy[p] * ist[2] + ix[q] * ist[3];
                                    it.write(is, e, it.read(is, e) + wy[p] * wx[q] * g);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Source indices (valid, clamped) and weights of output index {@code dst} along one axis of size
     * {@code in} resampled to {@code out}; returns the tap count.
     */
    static int taps(Mode mode, boolean ac, boolean aa, double scale, int in, int out, int dst, int[] idx, double[] w) {
        if (mode == Mode.NEAREST) {
            idx[0] = nearestIndex(scale, in, out, dst);
            w[0] = 1;
            return 1;
        }
        double s = areaScale(in, out, ac, scale);
        if (aa) return antialiasTaps(mode, s, in, dst, idx, w);
        if (mode == Mode.BILINEAR) {
            if (out == in) {
                idx[0] = dst;
                w[0] = 1;
                return 1;
            }
            double real = sourceIndex(s, dst, ac, false);
            int i0 = Math.min((int) real, in - 1);
            int i1 = i0 + (i0 < in - 1 ? 1 : 0);
            double l1 = Math.min(Math.max(real - i0, 0.0), 1.0);
            idx[0] = i0;
            w[0] = 1 - l1;
            idx[1] = i1;
            w[1] = l1;
            return 2;
        }
        double real = sourceIndex(s, dst, ac, true);
        int i = (int) Math.floor(real);
        double t = real - i;
        w[0] = cubic2(t + 1, CUBIC_A);
        w[1] = cubic1(t, CUBIC_A);
        w[2] = cubic1(1 - t, CUBIC_A);
        w[3] = cubic2(2 - t, CUBIC_A);
        for (int k = 0; k < 4; k++) idx[k] = Math.max(Math.min(i - 1 + k, in - 1), 0);
        return 4;
    }

    /**
     * PyTorch's NCHW nearest kernel: min(floor(dst·s), in−1) in float arithmetic. (Its channels-last
     * kernel, which C = 1 tensors also take, special-cases out == in and out == 2·in; not followed.)
     */
    static int nearestIndex(double scale, int in, int out, int dst) {
        float s = scale > 0 ? (float) (1.0 / scale) : (float) in / out;
        return (int) Math.min((long) Math.floor((float) dst * s), in - 1);
    }

    static double areaScale(int in, int out, boolean ac, double scale) {
        if (ac) return out > 1 ? (double) (in - 1) / (out - 1) : 0.0;
        return scale > 0 ? 1.0 / scale : (double) in / out;
    }

    static double sourceIndex(double s, int dst, boolean ac, boolean cubic) {
        if (ac) return s * dst;
        double src = s * (dst + 0.5) - 0.5;
        return !cubic && src < 0 ? 0.0 : src;
    }

    /** PIL-style taps (HelperInterpBase::_compute_weights_aa). */
    private static int antialiasTaps(Mode mode, double s, int in, int dst, int[] idx, double[] w) {
        double halfWidth = mode == Mode.BILINEAR ? 1.0 : 2.0;
        double support = s >= 1.0 ? halfWidth * s : halfWidth;
        double invScale = s >= 1.0 ? 1.0 / s : 1.0;
        double center = s * (dst + 0.5);
        int xmin = (int) Math.max((long) (center - support + 0.5), 0L);
        int xsize = (int) Math.min((long) (center + support + 0.5), in) - xmin;
        double total = 0;
        for (int j = 0; j < xsize; j++) {
            double v = (j + xmin - center + 0.5) * invScale;
            w[j] = mode == Mode.BILINEAR ? triangle(v) : aaCubic(v);
            idx[j] = j + xmin;
            total += w[j];
        }
        if (total != 0) for (int j = 0; j < xsize; j++) w[j] /= total;
        return Math.max(xsize, 0);
    }

    private static double cubic1(double x, double a) { return ((a + 2) * x - (a + 3)) * x * x + 1; }

    private static double cubic2(double x, double a) { return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a; }

    private static double triangle(double x) {
        double ax = Math.abs(x);
        return ax < 1 ? 1 - ax : 0;
    }

    private static double aaCubic(double x) {
        double ax = Math.abs(x);
        if (ax < 1) return cubic1(ax, AA_CUBIC_A);
        if (ax < 2) return cubic2(ax, AA_CUBIC_A);
        return 0;
    }

    // ------------------------------------------------------------------ grid sample

    @Override
    public void gridSample(Tensor x, Tensor grid, boolean alignCorners, Tensor out) {
        gridPass(x, grid, alignCorners, out, null, null, null);
    }

    @Override
    public void gridSampleBackward(Tensor gradOut, Tensor x, Tensor grid, boolean alignCorners, Tensor gx, Tensor gGrid) {
        if (gx != null) fillZero(gx);
        gridPass(x, grid, alignCorners, null, gradOut, gx, gGrid);
    }

    /**
     * One walk over every (n, output point, channel) computing the four corners as GridSampler.h does.
     * Forward when {@code out != null}; otherwise accumulates gx and writes gGrid from {@code gradOut}.
     */
    private static void gridPass(Tensor x, Tensor grid, boolean ac, Tensor out, Tensor gradOut, Tensor gx, Tensor gGrid) {
        int n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
        int ho = grid.size(1), wo = grid.size(2);
        for (int b = 0; b < n; b++) {
            for (int oy = 0; oy < ho; oy++) {
                for (int ox = 0; ox < wo; ox++) {
                    double ix = unnormalize(get(grid, b, oy, ox, 0), w, ac);
                    double iy = unnormalize(get(grid, b, oy, ox, 1), h, ac);
                    int x0 = (int) Math.floor(ix), y0 = (int) Math.floor(iy);
                    int x1 = x0 + 1, y1 = y0 + 1;
                    double nw = (x1 - ix) * (y1 - iy), ne = (ix - x0) * (y1 - iy);
                    double sw = (x1 - ix) * (iy - y0), se = (ix - x0) * (iy - y0);
                    double gix = 0, giy = 0;
                    for (int ch = 0; ch < c; ch++) {
                        double vnw = pixel(x, b, ch, y0, x0), vne = pixel(x, b, ch, y0, x1);
                        double vsw = pixel(x, b, ch, y1, x0), vse = pixel(x, b, ch, y1, x1);
                        if (out != null) {
                            set(out, nw * vnw + ne * vne + sw * vsw + se * vse, b, ch, oy, ox);
                            continue;
                        }
                        double g = get(gradOut, b, ch, oy, ox);
                        if (gx != null) {
                            addPixel(gx, b, ch, y0, x0, nw * g);
                            addPixel(gx, b, ch, y0, x1, ne * g);
                            addPixel(gx, b, ch, y1, x0, sw * g);
                            addPixel(gx, b, ch, y1, x1, se * g);
                        }
                        gix += g * (-vnw * (y1 - iy) + vne * (y1 - iy) - vsw * (iy - y0) + vse * (iy - y0));
                        giy += g * (-vnw * (x1 - ix) - vne * (ix - x0) + vsw * (x1 - ix) + vse * (ix - x0));
                    }
                    if (gGrid != null) {
                        set(gGrid, gix * unnormalizeSlope(w, ac), b, oy, ox, 0);
                        set(gGrid, giy * unnormalizeSlope(h, ac), b, oy, ox, 1);
                    }
                }
            }
        }
    }

    static double unnormalize(double coord, int size, boolean ac) {
        return ac ? (coord + 1) / 2 * (size - 1) : ((coord + 1) * size - 1) / 2;
    }

    static double unnormalizeSlope(int size, boolean ac) { return ac ? (size - 1) / 2.0 : size / 2.0; }

    private static boolean inside(Tensor x, int y, int xx) { return y >= 0 && y < x.size(2) && xx >= 0 && xx < x.size(3); }

    private static double pixel(Tensor x, int b, int ch, int y, int xx) { return inside(x, y, xx) ? get(x, b, ch, y, xx) : 0.0; }

    private static void addPixel(Tensor t, int b, int ch, int y, int xx, double v) {
        if (inside(t, y, xx)) set(t, get(t, b, ch, y, xx) + v, b, ch, y, xx);
    }

    private static long element(Tensor t, int i0, int i1, int i2, int i3) {
        return t.offset() + i0 * t.stride(0) + i1 * t.stride(1) + i2 * t.stride(2) + i3 * t.stride(3);
    }

    private static double get(Tensor t, int i0, int i1, int i2, int i3) { return t.dtype().read(t.segment(), element(t, i0, i1, i2, i3)); }

    private static void set(Tensor t, double v, int i0, int i1, int i2, int i3) { t.dtype().write(t.segment(), element(t, i0, i1, i2, i3), v); }

    private static void fillZero(Tensor t) {
        for (int a = 0; a < t.size(0); a++) for (int b = 0; b < t.size(1); b++) for (int y = 0; y < t.size(2); y++) for (int xx = 0; xx < t.size(3); xx++) set(t, 0.0, a, b, y, xx);
    }
}
