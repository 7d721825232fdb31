package org.vfmtok.tensor.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.vfmtok.tensor.backend.ConvKernels.Geometry;

/**
 * im2col and its adjoint col2im for one (image, group) of a convolution, over a tile of output
 * positions. The column matrix has one row per (input channel of the group, ky, kx) — the layout of a
 * weight row — and one column per output position p = oy·OW + ox in [p0, p0 + t); row stride t.
 *
 * <p>Both directions walk the same (row, output row) segments; within a segment the taps that fall
 * inside the image form one range of output columns, which for stride 1 is a contiguous range of input
 * pixels (bulk copy / vector add). Outside it the column holds zeros (the zero padding).
 */
final class ConvPacking {
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final VectorSpecies<Float> F = VectorSupport.F;

    private ConvPacking() {}

    /**
     * Moves data between the input plane block at element {@code xBase} (channel 0 of the group) and the
     * column tile at element {@code colBase}, for column rows [r0, r1). {@code scatter} false: col ←
     * im2col(x). {@code scatter} true: x += col2im(col); rows of one channel must then stay on one thread.
     */
    static void transfer(boolean scatter, Geometry g, MemorySegment x, long xBase, MemorySegment col, long colBase,
                         int p0, int t, int r0, int r1) {
        int kk = g.kh() * g.kw();
        int ow = g.ow(), inW = g.w(), inH = g.h(), sw = g.sw();
        for (int r = r0; r < r1; r++) {
            int ci = r / kk, ky = (r / g.kw()) % g.kh(), kx = r % g.kw();
            long plane = xBase + (long) ci * inH * inW;
            long colRow = colBase + (long) r * t;
            int shift = kx * g.dw() - g.pw(); // ix = ox·sw + shift
            // output columns whose tap lies inside the row: ox in [lo, hi)
            int lo = shift >= 0 ? 0 : ceilDiv(-shift, sw);
            int hi = inW - 1 - shift < 0 ? 0 : (inW - 1 - shift) / sw + 1;
            for (int p = p0, end = p0 + t; p < end; ) {
                int oy = p / ow, ox0 = p % ow, ox1 = Math.min(ow, ox0 + (end - p));
                long dst = colRow + (p - p0) - ox0; // column element of ox is dst + ox
                int iy = oy * g.sh() - g.ph() + ky * g.dh();
                int a = Math.max(ox0, lo), b = Math.min(ox1, hi);
                if (iy < 0 || iy >= inH || a >= b) {
                    if (!scatter) zero(col, dst + ox0, ox1 - ox0);
                } else {
                    long src = plane + (long) iy * inW + shift; // input element of ox is src + ox·sw
                    if (!scatter) {
                        zero(col, dst + ox0, a - ox0);
                        copy(x, src + (long) a * sw, sw, col, dst + a, b - a);
                        zero(col, dst + b, ox1 - b);
                    } else {
                        addInto(col, dst + a, x, src + (long) a * sw, sw, b - a);
                    }
                }
                p += ox1 - ox0;
            }
        }
    }

    private static int ceilDiv(int a, int b) { return (a + b - 1) / b; }

    static void zero(MemorySegment seg, long at, int len) {
        if (len <= 0) return;
        if (len < 16) {
            for (int i = 0; i < len; i++) seg.set(FLOAT, (at + i) * 4, 0f);
        } else {
            seg.asSlice(at * 4, len * 4L).fill((byte) 0);
        }
    }

    /** dst[0, len) = src[i·srcStride]. */
    private static void copy(MemorySegment src, long from, int srcStride, MemorySegment dst, long to, int len) {
        if (srcStride == 1) {
            MemorySegment.copy(src, from * 4, dst, to * 4, len * 4L);
        } else {
            for (int i = 0; i < len; i++) dst.set(FLOAT, (to + i) * 4, src.get(FLOAT, (from + (long) i * srcStride) * 4));
        }
    }

    /** dst[i·dstStride] += src[i] for i in [0, len). */
    static void addInto(MemorySegment src, long from, MemorySegment dst, long to, int dstStride, int len) {
        int i = 0;
        if (dstStride == 1) {
            for (int bound = F.loopBound(len); i < bound; i += F.length()) {
                FloatVector d = FloatVector.fromMemorySegment(F, dst, (to + i) * 4, ByteOrder.nativeOrder());
                FloatVector s = FloatVector.fromMemorySegment(F, src, (from + i) * 4, ByteOrder.nativeOrder());
                d.add(s).intoMemorySegment(dst, (to + i) * 4, ByteOrder.nativeOrder());
            }
        }
        for (; i < len; i++) {
            long di = (to + (long) i * dstStride) * 4;
            dst.set(FLOAT, di, dst.get(FLOAT, di) + src.get(FLOAT, (from + i) * 4));
        }
    }

    /** Σ seg[at, at + len) in double (via float vector lanes per block). */
    static double sum(MemorySegment seg, long at, int len) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(len); i < bound; i += F.length()) {
            acc = acc.add(FloatVector.fromMemorySegment(F, seg, (at + i) * 4, ByteOrder.nativeOrder()));
        }
        double s = Lanes.tree(acc);
        for (; i < len; i++) s += seg.get(FLOAT, (at + i) * 4);
        return s;
    }
}
