package org.vfmtok.tensor.scalar;

import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.DeformableKernels;

/** Reference multi-scale deformable attention: the CUDA kernel's arithmetic in double, one sample at a time. */
public final class ScalarDeformable implements DeformableKernels {

    @Override
    public void forward(Tensor value, int[][] shapes, int[] levelStart, Tensor loc, Tensor weights, Tensor out) {
        int n = value.size(0), m = value.size(2), d = value.size(3), lq = loc.size(1), levels = loc.size(3), points = loc.size(4);
        var vs = value.segment();
        var ls = loc.segment();
        var ws = weights.segment();
        var os = out.segment();
        DType vt = value.dtype();
        for (int b = 0; b < n; b++) {
            for (int q = 0; q < lq; q++) {
                for (int h = 0; h < m; h++) {
                    for (int c = 0; c < d; c++) {
                        double acc = 0;
                        for (int l = 0; l < levels; l++) {
                            for (int p = 0; p < points; p++) {
                                long wi = ((((long) b * lq + q) * m + h) * levels + l) * points + p;
                                double w = weights.dtype().read(ws, weights.offset() + wi);
                                double x = loc.dtype().read(ls, loc.offset() + wi * 2) * shapes[l][1] - 0.5;
                                double y = loc.dtype().read(ls, loc.offset() + wi * 2 + 1) * shapes[l][0] - 0.5;
                                acc += w * sample(vs, vt, value.offset(), b, value.size(1), m, d, h, c, levelStart[l], shapes[l], x, y);
                            }
                        }
                        out.dtype().write(os, out.offset() + (((long) b * lq + q) * m + h) * d + c, acc);
                    }
                }
            }
        }
    }

    private static double at(java.lang.foreign.MemorySegment vs, DType vt, long base, int b, int s, int m, int d, int h, int c, int row) {
        return vt.read(vs, base + (((long) b * s + row) * m + h) * d + c);
    }

    private static double sample(java.lang.foreign.MemorySegment vs, DType vt, long base, int b, int s, int m, int d, int h, int c,
                                 int start, int[] hw, double x, double y) {
        int hh = hw[0], ww = hw[1];
        if (!(x > -1 && y > -1 && x < ww && y < hh)) return 0;
        int x0 = (int) Math.floor(x), y0 = (int) Math.floor(y);
        double lx = x - x0, ly = y - y0;
        double v = 0;
        for (int dy = 0; dy <= 1; dy++) {
            for (int dx = 0; dx <= 1; dx++) {
                int yy = y0 + dy, xx = x0 + dx;
                if (yy < 0 || xx < 0 || yy >= hh || xx >= ww) continue;
                double wgt = (dy == 0 ? 1 - ly : ly) * (dx == 0 ? 1 - lx : lx);
                v += wgt * at(vs, vt, base, b, s, m, d, h, c, start + yy * ww + xx);
            }
        }
        return v;
    }

    @Override
    public void backward(Tensor value, int[][] shapes, int[] levelStart, Tensor loc, Tensor weights, Tensor gradOut,
                         Tensor gValue, Tensor gLoc, Tensor gWeights) {
        int n = value.size(0), s = value.size(1), m = value.size(2), d = value.size(3);
        int lq = loc.size(1), levels = loc.size(3), points = loc.size(4);
        double[] gv = new double[Math.toIntExact(value.numel())];
        var vs = value.segment();
        DType vt = value.dtype();
        for (int b = 0; b < n; b++) {
            for (int q = 0; q < lq; q++) {
                for (int h = 0; h < m; h++) {
                    for (int l = 0; l < levels; l++) {
                        int hh = shapes[l][0], ww = shapes[l][1];
                        for (int p = 0; p < points; p++) {
                            long wi = ((((long) b * lq + q) * m + h) * levels + l) * points + p;
                            double w = weights.dtype().read(weights.segment(), weights.offset() + wi);
                            double x = loc.dtype().read(loc.segment(), loc.offset() + wi * 2) * ww - 0.5;
                            double y = loc.dtype().read(loc.segment(), loc.offset() + wi * 2 + 1) * hh - 0.5;
                            double gw = 0, gx = 0, gy = 0;
                            boolean inside = x > -1 && y > -1 && x < ww && y < hh;
                            int x0 = (int) Math.floor(x), y0 = (int) Math.floor(y);
                            double lx = x - x0, ly = y - y0;
                            for (int c = 0; c < d && inside; c++) {
                                double go = gradOut.dtype().read(gradOut.segment(), gradOut.offset() + (((long) b * lq + q) * m + h) * d + c);
                                for (int dy = 0; dy <= 1; dy++) {
                                    for (int dx = 0; dx <= 1; dx++) {
                                        int yy = y0 + dy, xx = x0 + dx;
                                        if (yy < 0 || xx < 0 || yy >= hh || xx >= ww) continue;
                                        int row = levelStart[l] + yy * ww + xx;
                                        double v = at(vs, vt, value.offset(), b, s, m, d, h, c, row);
                                        double wy = dy == 0 ? 1 - ly : ly, wx = dx == 0 ? 1 - lx : lx;
                                        gw += go * wy * wx * v;
                                        gx += go * w * v * wy * (dx == 0 ? -1 : 1);
                                        gy += go * w * v * wx * (dy == 0 ? -1 : 1);
                                        gv[Math.toIntExact((((long) b * s + row) * m + h) * d + c)] += go * w * wy * wx;
                                    }
                                }
                            }
                            if (gWeights != null) gWeights.dtype().write(gWeights.segment(), gWeights.offset() + wi, gw);
                            if (gLoc != null) {
                                gLoc.dtype().write(gLoc.segment(), gLoc.offset() + wi * 2, gx * ww);
                                gLoc.dtype().write(gLoc.segment(), gLoc.offset() + wi * 2 + 1, gy * hh);
                            }
                        }
                    }
                }
            }
        }
        if (gValue != null) for (int i = 0; i < gv.length; i++) gValue.dtype().write(gValue.segment(), gValue.offset() + i, gv[i]);
    }
}
