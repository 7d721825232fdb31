package org.vfmtok.tensor.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.ResampleKernels;

/**
 * F32 resampling. Interpolation is separable: per call, one {@link AxisTaps} table per axis; each output
 * row is a vertical weighted sum of source rows (contiguous, vector FMA) followed by a horizontal gather
 * (vector gathers through the tap table). The backward pass is the same kernel on the transposed tables.
 * Work is split over (plane, row block) units so that a few large planes still use every thread.
 * Grid sampling precomputes the four corners of every sample point once and reuses them for all
 * channels. Other dtypes and non-contiguous layouts go to the reference.
 */
public final class CpuResample implements ResampleKernels {
    private static final VectorSpecies<Float> F = VectorSupport.F;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** Roughly the multiply-adds below which a unit of work is not worth a thread. */
    private static final int MIN_WORK_PER_CHUNK = 1 << 15;

    private final ResampleKernels reference;

    public CpuResample(ResampleKernels reference) {
        this.reference = reference;
    }

    private static boolean fast(Tensor... ts) {
        return FastPath.denseF32(ts);
    }

    // ------------------------------------------------------------------ interpolate

    @Override
    public void interpolate(Tensor x, Tensor out, Mode mode, boolean alignCorners, double[] scales, boolean antialias) {
        if (!fast(x, out)) {
            reference.interpolate(x, out, mode, alignCorners, scales, antialias);
            return;
        }
        AxisTaps ty = AxisTaps.of(mode, alignCorners, antialias, scale(scales, 0), x.size(2), out.size(2));
        AxisTaps tx = AxisTaps.of(mode, alignCorners, antialias, scale(scales, 1), x.size(3), out.size(3));
        separable(x, out, ty, tx);
    }

    @Override
    public void interpolateBackward(Tensor gradOut, Tensor gradIn, Mode mode, boolean alignCorners, double[] scales, boolean antialias) {
        if (!fast(gradOut, gradIn)) {
            reference.interpolateBackward(gradOut, gradIn, mode, alignCorners, scales, antialias);
            return;
        }
        AxisTaps ty = AxisTaps.of(mode, alignCorners, antialias, scale(scales, 0), gradIn.size(2), gradOut.size(2));
        AxisTaps tx = AxisTaps.of(mode, alignCorners, antialias, scale(scales, 1), gradIn.size(3), gradOut.size(3));
        separable(gradOut, gradIn, ty.transpose(), tx.transpose());
    }

    private static double scale(double[] scales, int axis) { return scales == null ? 0.0 : scales[axis]; }

    /** dst plane = Ty · src plane · Txᵀ for every (n, c) plane; src and dst contiguous F32. */
    private static void separable(Tensor src, Tensor dst, AxisTaps ty, AxisTaps tx) {
        int planes = src.size(0) * src.size(1);
        int ws = tx.srcSize, hd = ty.dstSize, wd = tx.dstSize;
        long srcPlane = (long) ty.srcSize * ws, dstPlane = (long) hd * wd;
        int threads = Parallel.threads();
        int blocks = planes >= threads ? 1 : Math.min(hd, (2 * threads + planes - 1) / planes);
        blocks = Math.max(blocks, 1);
        long workPerUnit = Math.max(1L, (long) Math.ceilDiv(hd, blocks) * ((long) ws * ty.taps + (long) wd * tx.taps));
        int minUnits = (int) Math.max(1L, MIN_WORK_PER_CHUNK / workPerUnit);
        MemorySegment s = src.segment(), d = dst.segment();
        long sBase = src.byteOffset(), dBase = dst.byteOffset();
        int nb = blocks;
        Parallel.forRange(planes * nb, minUnits, (u0, u1) -> {
            float[] tmp = new float[ws];
            float[] row = new float[wd];
            for (int u = u0; u < u1; u++) {
                int p = u / nb, b = u % nb;
                int r0 = (int) ((long) hd * b / nb), r1 = (int) ((long) hd * (b + 1) / nb);
                long sPlane = sBase + p * srcPlane * 4, dPlane = dBase + p * dstPlane * 4;
                for (int r = r0; r < r1; r++) {
                    verticalRow(s, sPlane, ws, ty, r, tmp);
                    horizontalRow(tmp, tx, row);
                    MemorySegment.copy(row, 0, d, FLOAT, dPlane + (long) r * wd * 4, wd);
                }
            }
        });
    }

    /** tmp = Σ_k w_k · src row index_k (a contiguous axpy per tap). */
    private static void verticalRow(MemorySegment s, long plane, int ws, AxisTaps ty, int r, float[] tmp) {
        java.util.Arrays.fill(tmp, 0f);
        int hd = ty.dstSize, lanes = F.length(), bound = F.loopBound(ws);
        for (int k = 0; k < ty.taps; k++) {
            float w = ty.weight[k * hd + r];
            if (w == 0f) continue;
            FloatVector wv = FloatVector.broadcast(F, w);
            long rowOff = plane + (long) ty.index[k * hd + r] * ws * 4;
            int j = 0;
            for (; j < bound; j += lanes) {
                FloatVector v = FloatVector.fromMemorySegment(F, s, rowOff + j * 4L, ByteOrder.nativeOrder());
                v.fma(wv, FloatVector.fromArray(F, tmp, j)).intoArray(tmp, j);
            }
            for (; j < ws; j++) tmp[j] += w * s.get(FLOAT, rowOff + j * 4L);
        }
    }

    /** row[d] = Σ_k w[k][d] · tmp[index[k][d]] (vector gathers over consecutive d). */
    private static void horizontalRow(float[] tmp, AxisTaps tx, float[] row) {
        int wd = tx.dstSize, lanes = F.length(), bound = F.loopBound(wd);
        int j = 0;
        for (; j < bound; j += lanes) {
            FloatVector acc = FloatVector.zero(F);
            for (int k = 0; k < tx.taps; k++) {
                int at = k * wd + j;
                FloatVector g = FloatVector.fromArray(F, tmp, 0, tx.index, at);
                acc = g.fma(FloatVector.fromArray(F, tx.weight, at), acc);
            }
            acc.intoArray(row, j);
        }
        for (; j < wd; j++) {
            float acc = 0f;
            for (int k = 0; k < tx.taps; k++) acc += tx.weight[k * wd + j] * tmp[tx.index[k * wd + j]];
            row[j] = acc;
        }
    }

    // ------------------------------------------------------------------ grid sample

    @Override
    public void gridSample(Tensor x, Tensor grid, boolean alignCorners, Tensor out) {
        if (!fast(x, grid, out)) {
            reference.gridSample(x, grid, alignCorners, out);
            return;
        }
        Corners cs = new Corners(x, grid, alignCorners);
        int n = x.size(0), c = x.size(1), pts = cs.points;
        MemorySegment xs = x.segment(), os = out.segment();
        long xb = x.byteOffset(), ob = out.byteOffset(), plane = cs.plane;
        // units: (batch, block of points); channels run inside so the corner table is read from cache
        int block = 256, blocks = Math.ceilDiv(pts, block);
        Parallel.forRange(n * blocks, Math.max(1, MIN_WORK_PER_CHUNK / (block * Math.max(1, c) * 4)), (u0, u1) -> {
            for (int u = u0; u < u1; u++) {
                int b = u / blocks, p0 = (u % blocks) * block, p1 = Math.min(pts, p0 + block);
                for (int ch = 0; ch < c; ch++) {
                    long xPlane = xb + ((long) b * c + ch) * plane * 4;
                    long oRow = ob + ((long) b * c + ch) * pts * 4;
                    for (int p = p0; p < p1; p++) {
                        int q = (b * pts + p) * 4;
                        float v = 0f;
                        for (int k = 0; k < 4; k++) v += cs.weight[q + k] * xs.get(FLOAT, xPlane + cs.offset[q + k] * 4L);
                        os.set(FLOAT, oRow + p * 4L, v);
                    }
                }
            }
        });
    }

    @Override
    public void gridSampleBackward(Tensor gradOut, Tensor x, Tensor grid, boolean alignCorners, Tensor gx, Tensor gGrid) {
        if (!fast(gradOut, x, grid, gx, gGrid)) {
            reference.gridSampleBackward(gradOut, x, grid, alignCorners, gx, gGrid);
            return;
        }
        Corners cs = new Corners(x, grid, alignCorners);
        int n = x.size(0), c = x.size(1), pts = cs.points, plane = cs.plane;
        MemorySegment gs = gradOut.segment();
        long gb = gradOut.byteOffset();
        if (gx != null) {
            // one (n, c) plane per unit: the scatter stays private to the unit, no races
            MemorySegment xs = gx.segment();
            long xb = gx.byteOffset();
            Parallel.forRange(n * c, Math.max(1, MIN_WORK_PER_CHUNK / Math.max(1, pts * 4)), (u0, u1) -> {
                float[] acc = new float[plane];
                for (int u = u0; u < u1; u++) {
                    java.util.Arrays.fill(acc, 0f);
                    int b = u / c;
                    long gRow = gb + (long) u * pts * 4;
                    for (int p = 0; p < pts; p++) {
                        float g = gs.get(FLOAT, gRow + p * 4L);
                        int q = (b * pts + p) * 4;
                        for (int k = 0; k < 4; k++) acc[cs.offset[q + k]] += cs.weight[q + k] * g;
                    }
                    MemorySegment.copy(acc, 0, xs, FLOAT, xb + (long) u * plane * 4, plane);
                }
            });
        }
        if (gGrid != null) {
            MemorySegment xs = x.segment(), out = gGrid.segment();
            long xb = x.byteOffset(), ob = gGrid.byteOffset();
            int block = 256, blocks = Math.ceilDiv(pts, block);
            Parallel.forRange(n * blocks, Math.max(1, MIN_WORK_PER_CHUNK / (block * Math.max(1, c) * 8)), (u0, u1) -> {
                float[] gix = new float[block], giy = new float[block];
                for (int u = u0; u < u1; u++) {
                    int b = u / blocks, p0 = (u % blocks) * block, p1 = Math.min(pts, p0 + block);
                    java.util.Arrays.fill(gix, 0f);
                    java.util.Arrays.fill(giy, 0f);
                    for (int ch = 0; ch < c; ch++) {
                        long xPlane = xb + ((long) b * c + ch) * plane * 4L;
                        long gRow = gb + ((long) b * c + ch) * pts * 4L;
                        for (int p = p0; p < p1; p++) {
                            int q = (b * pts + p) * 4;
                            float g = gs.get(FLOAT, gRow + p * 4L);
                            float vnw = cs.mask[q] * xs.get(FLOAT, xPlane + cs.offset[q] * 4L);
                            float vne = cs.mask[q + 1] * xs.get(FLOAT, xPlane + cs.offset[q + 1] * 4L);
                            float vsw = cs.mask[q + 2] * xs.get(FLOAT, xPlane + cs.offset[q + 2] * 4L);
                            float vse = cs.mask[q + 3] * xs.get(FLOAT, xPlane + cs.offset[q + 3] * 4L);
                            float fx = cs.frac[(b * pts + p) * 2], fy = cs.frac[(b * pts + p) * 2 + 1];
                            gix[p - p0] += g * ((vne - vnw) * (1 - fy) + (vse - vsw) * fy);
                            giy[p - p0] += g * ((vsw - vnw) * (1 - fx) + (vse - vne) * fx);
                        }
                    }
                    for (int p = p0; p < p1; p++) {
                        long at = ob + ((long) b * pts + p) * 8;
                        out.set(FLOAT, at, gix[p - p0] * cs.slopeX);
                        out.set(FLOAT, at + 4, giy[p - p0] * cs.slopeY);
                    }
                }
            });
        }
    }

    /**
     * The four bilinear corners (nw, ne, sw, se) of every grid point: plane offsets (0 where outside),
     * weights (0 where outside), inside masks, and the fractional position for the grid gradient.
     */
    private static final class Corners {
        final int points, plane;
        final int[] offset;
        final float[] weight, mask, frac;
        final float slopeX, slopeY;

        Corners(Tensor x, Tensor grid, boolean alignCorners) {
            int n = grid.size(0), h = x.size(2), w = x.size(3);
            points = grid.size(1) * grid.size(2);
            plane = h * w;
            offset = new int[n * points * 4];
            weight = new float[n * points * 4];
            mask = new float[n * points * 4];
            frac = new float[n * points * 2];
            slopeX = (float) (alignCorners ? (w - 1) / 2.0 : w / 2.0);
            slopeY = (float) (alignCorners ? (h - 1) / 2.0 : h / 2.0);
            MemorySegment gs = grid.segment();
            long gb = grid.byteOffset();
            Parallel.forRange(n * points, 4096, (p0, p1) -> {
                for (int p = p0; p < p1; p++) {
                    double ix = unnormalize(gs.get(FLOAT, gb + p * 8L), w, alignCorners);
                    double iy = unnormalize(gs.get(FLOAT, gb + p * 8L + 4), h, alignCorners);
                    double x0 = Math.floor(ix), y0 = Math.floor(iy);
                    double fx = ix - x0, fy = iy - y0;
                    frac[p * 2] = (float) fx;
                    frac[p * 2 + 1] = (float) fy;
                    corner(p * 4, x0, y0, (1 - fx) * (1 - fy), h, w);
                    corner(p * 4 + 1, x0 + 1, y0, fx * (1 - fy), h, w);
                    corner(p * 4 + 2, x0, y0 + 1, (1 - fx) * fy, h, w);
                    corner(p * 4 + 3, x0 + 1, y0 + 1, fx * fy, h, w);
                }
            });
        }

        private void corner(int q, double cx, double cy, double wgt, int h, int w) {
            boolean in = cx >= 0 && cx < w && cy >= 0 && cy < h;
            offset[q] = in ? (int) cy * w + (int) cx : 0;
            weight[q] = in ? (float) wgt : 0f;
            mask[q] = in ? 1f : 0f;
        }

        private static double unnormalize(double coord, int size, boolean alignCorners) {
            return alignCorners ? (coord + 1) / 2 * (size - 1) : ((coord + 1) * size - 1) / 2;
        }
    }
}
