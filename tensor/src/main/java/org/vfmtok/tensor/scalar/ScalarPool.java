package org.vfmtok.tensor.scalar;

import java.lang.foreign.MemorySegment;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.PoolKernels;

/**
 * Reference pooling: PyTorch's CPU formulas ({@code Pool.h}, {@code AvgPoolKernel.cpp}) per output element, in
 * double, any floating dtype and any strides. Deliberately shares no code with the fast path.
 */
public final class ScalarPool implements PoolKernels {
    @Override
    public void pool2d(Tensor x, Tensor out, Mode mode, PoolSpec s) {
        int n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
        int ho = out.size(2), wo = out.size(3);
        if (out.size(0) != n || out.size(1) != c) throw new IllegalArgumentException("pool2d: batch/channel mismatch");
        MemorySegment xs = x.segment(), os = out.segment();
        DType xt = x.dtype(), ot = out.dtype();
        long[] xst = x.strides(), ost = out.strides();
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < c; b++) {
                long xb = x.offset() + a * xst[0] + b * xst[1];
                for (int oy = 0; oy < ho; oy++) {
                    for (int ox = 0; ox < wo; ox++) {
                        // torch: the window in padded coordinates, clipped to the padded input (divisor with
                        // padding), then to the input itself (the elements read; divisor without padding).
                        int y0 = oy * s.sh() - s.ph(), x0 = ox * s.sw() - s.pw();
                        int y1 = Math.min(y0 + s.kh(), h + s.ph()), x1 = Math.min(x0 + s.kw(), w + s.pw());
                        int paddedCount = (y1 - y0) * (x1 - x0);
                        int ya = Math.max(y0, 0), xa = Math.max(x0, 0), yb = Math.min(y1, h), xbnd = Math.min(x1, w);
                        double acc = mode == Mode.MAX ? Double.NEGATIVE_INFINITY : 0.0;
                        for (int y = ya; y < yb; y++) {
                            for (int xx = xa; xx < xbnd; xx++) {
                                double v = xt.read(xs, xb + y * xst[2] + xx * xst[3]);
                                if (mode == Mode.AVG) acc += v;
                                else if (v > acc || Double.isNaN(v)) acc = v;
                            }
                        }
                        if (mode == Mode.AVG) acc /= s.countIncludePad() ? paddedCount : (yb - ya) * (xbnd - xa);
                        ot.write(os, out.offset() + a * ost[0] + b * ost[1] + oy * ost[2] + ox * ost[3], acc);
                    }
                }
            }
        }
    }
}
