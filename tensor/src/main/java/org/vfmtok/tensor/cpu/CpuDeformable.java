package org.vfmtok.tensor.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.DeformableKernels;

/**
 * Multi-scale deformable attention on the CPU. Each sample touches up to four value rows of D contiguous
 * floats (value is (N, S, M, D)), so the inner work is D-wide vector FMAs.
 *
 * <p>Forward is parallel over (batch, query) rows. Backward is parallel over (batch, head): each task owns
 * its head's slice of the value gradient, so the scatter of gradients into value needs no atomics and the
 * result does not depend on the thread count.
 */
public final class CpuDeformable implements DeformableKernels {
    private static final VectorSpecies<Float> F = VectorSupport.F;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT;
    private static final ByteOrder LE = ByteOrder.nativeOrder();

    private final DeformableKernels reference;

    public CpuDeformable(DeformableKernels reference) {
        this.reference = reference;
    }

    private static boolean fast(Tensor... ts) {
        return FastPath.denseF32(ts);
    }

    /** The four bilinear corners of one sample: value row per corner (-1 = outside) and its weight. */
    private static final class Corners {
        final int[] row = new int[4];
        final float[] weight = new float[4];
        float lx, ly;

        /** Returns false when the sample lies wholly outside the map. */
        boolean set(float locX, float locY, int h, int w, int start) {
            float x = locX * w - 0.5f, y = locY * h - 0.5f;
            if (!(x > -1 && y > -1 && x < w && y < h)) return false;
            int x0 = (int) Math.floor(x), y0 = (int) Math.floor(y);
            lx = x - x0;
            ly = y - y0;
            for (int k = 0; k < 4; k++) {
                int yy = y0 + (k >> 1), xx = x0 + (k & 1);
                boolean in = yy >= 0 && xx >= 0 && yy < h && xx < w;
                row[k] = in ? start + yy * w + xx : -1;
                weight[k] = ((k >> 1) == 0 ? 1 - ly : ly) * ((k & 1) == 0 ? 1 - lx : lx);
            }
            return true;
        }
    }

    @Override
    public void forward(Tensor value, int[][] shapes, int[] levelStart, Tensor loc, Tensor weights, Tensor out) {
        if (!fast(value, loc, weights, out)) {
            reference.forward(value, shapes, levelStart, loc, weights, out);
            return;
        }
        int n = value.size(0), s = value.size(1), m = value.size(2), d = value.size(3);
        int lq = loc.size(1), levels = loc.size(3), points = loc.size(4);
        MemorySegment vs = value.segment(), ls = loc.segment(), ws = weights.segment(), os = out.segment();
        long vBase = value.byteOffset(), lBase = loc.byteOffset(), wBase = weights.byteOffset(), oBase = out.byteOffset();
        Parallel.forRange(n * lq, 4, (start, end) -> {
            Corners c = new Corners();
            for (int r = start; r < end; r++) {
                int b = r / lq;
                for (int h = 0; h < m; h++) {
                    long o = oBase + (((long) r * m + h) * d) * 4;
                    os.asSlice(o, (long) d * 4).fill((byte) 0);
                    for (int l = 0; l < levels; l++) {
                        for (int p = 0; p < points; p++) {
                            long wi = (((long) r * m + h) * levels + l) * points + p;
                            float aw = ws.get(FLOAT, wBase + wi * 4);
                            if (!c.set(ls.get(FLOAT, lBase + wi * 8), ls.get(FLOAT, lBase + wi * 8 + 4), shapes[l][0], shapes[l][1], levelStart[l])) continue;
                            for (int k = 0; k < 4; k++) {
                                if (c.row[k] < 0) continue;
                                long v = vBase + ((((long) b * s + c.row[k]) * m + h) * d) * 4;
                                axpy(aw * c.weight[k], vs, v, os, o, d);
                            }
                        }
                    }
                }
            }
        });
    }

    @Override
    public void backward(Tensor value, int[][] shapes, int[] levelStart, Tensor loc, Tensor weights, Tensor gradOut,
                         Tensor gValue, Tensor gLoc, Tensor gWeights) {
        if (!fast(value, loc, weights, gradOut, gValue, gLoc, gWeights)) {
            reference.backward(value, shapes, levelStart, loc, weights, gradOut, gValue, gLoc, gWeights);
            return;
        }
        int n = value.size(0), s = value.size(1), m = value.size(2), d = value.size(3);
        int lq = loc.size(1), levels = loc.size(3), points = loc.size(4);
        MemorySegment vs = value.segment(), ls = loc.segment(), ws = weights.segment(), gs = gradOut.segment();
        MemorySegment gvs = gValue == null ? null : gValue.segment();
        MemorySegment gls = gLoc == null ? null : gLoc.segment();
        MemorySegment gws = gWeights == null ? null : gWeights.segment();
        long vBase = value.byteOffset(), lBase = loc.byteOffset(), wBase = weights.byteOffset(), gBase = gradOut.byteOffset();
        long gvBase = gValue == null ? 0 : gValue.byteOffset();
        long glBase = gLoc == null ? 0 : gLoc.byteOffset();
        long gwBase = gWeights == null ? 0 : gWeights.byteOffset();
        if (gvs != null) gvs.asSlice(gvBase, gValue.numel() * 4).fill((byte) 0);
        Parallel.forRange(n * m, 1, (start, end) -> {
            Corners c = new Corners();
            float[] dots = new float[4];
            for (int task = start; task < end; task++) {
                int b = task / m, h = task % m;
                for (int q = 0; q < lq; q++) {
                    long go = gBase + ((((long) b * lq + q) * m + h) * d) * 4;
                    for (int l = 0; l < levels; l++) {
                        int hh = shapes[l][0], ww = shapes[l][1];
                        for (int p = 0; p < points; p++) {
                            long wi = ((((long) b * lq + q) * m + h) * levels + l) * points + p;
                            float aw = ws.get(FLOAT, wBase + wi * 4);
                            float gw = 0, gx = 0, gy = 0;
                            if (c.set(ls.get(FLOAT, lBase + wi * 8), ls.get(FLOAT, lBase + wi * 8 + 4), hh, ww, levelStart[l])) {
                                for (int k = 0; k < 4; k++) {
                                    if (c.row[k] < 0) {
                                        dots[k] = 0;
                                        continue;
                                    }
                                    long rowOff = ((((long) b * s + c.row[k]) * m + h) * d) * 4;
                                    dots[k] = dot(gs, go, vs, vBase + rowOff, d);
                                    if (gvs != null) axpy(aw * c.weight[k], gs, go, gvs, gvBase + rowOff, d);
                                }
                                float lx = c.lx, ly = c.ly;
                                gw = c.weight[0] * dots[0] + c.weight[1] * dots[1] + c.weight[2] * dots[2] + c.weight[3] * dots[3];
                                // d/dx of the bilinear weights: corners (x0) get -(1-ly) / -ly, corners (x1) +(1-ly) / +ly
                                gx = aw * ((1 - ly) * (dots[1] - dots[0]) + ly * (dots[3] - dots[2]));
                                gy = aw * ((1 - lx) * (dots[2] - dots[0]) + lx * (dots[3] - dots[1]));
                            }
                            if (gws != null) gws.set(FLOAT, gwBase + wi * 4, gw);
                            if (gls != null) {
                                gls.set(FLOAT, glBase + wi * 8, gx * ww);
                                gls.set(FLOAT, glBase + wi * 8 + 4, gy * hh);
                            }
                        }
                    }
                }
            }
        });
    }

    /** y[0:d] += a · x[0:d] over float segments at byte offsets. */
    static void axpy(float a, MemorySegment xs, long x, MemorySegment ys, long y, int d) {
        int i = 0;
        FloatVector av = FloatVector.broadcast(F, a);
        for (int bound = F.loopBound(d); i < bound; i += F.length()) {
            long off = (long) i * 4;
            FloatVector xv = FloatVector.fromMemorySegment(F, xs, x + off, LE);
            FloatVector yv = FloatVector.fromMemorySegment(F, ys, y + off, LE);
            xv.fma(av, yv).intoMemorySegment(ys, y + off, LE);
        }
        for (; i < d; i++) {
            long off = (long) i * 4;
            ys.set(FLOAT, y + off, Math.fma(a, xs.get(FLOAT, x + off), ys.get(FLOAT, y + off)));
        }
    }

    static float dot(MemorySegment xs, long x, MemorySegment ys, long y, int d) {
        int i = 0;
        FloatVector acc = FloatVector.zero(F);
        for (int bound = F.loopBound(d); i < bound; i += F.length()) {
            long off = (long) i * 4;
            acc = FloatVector.fromMemorySegment(F, xs, x + off, LE).fma(FloatVector.fromMemorySegment(F, ys, y + off, LE), acc);
        }
        float r = Lanes.tree(acc);
        for (; i < d; i++) {
            long off = (long) i * 4;
            r += xs.get(FLOAT, x + off) * ys.get(FLOAT, y + off);
        }
        return r;
    }
}
