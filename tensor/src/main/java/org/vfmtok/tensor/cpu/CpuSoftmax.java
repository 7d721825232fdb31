package org.vfmtok.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;

/**
 * F32 softmax and log-softmax along one dim, and their backward. Two layouts:
 * <ul>
 * <li><b>rows</b> (the dim has stride 1 in every operand, e.g. the last dim): three vector passes per row
 * (max; exp and sum; scale);
 * <li><b>columns</b> (any other dim, operands contiguous): shape (outer, len, inner), vectorised across
 * {@code inner}, with per-lane running max and sum.
 * </ul>
 * Operands that fit neither are copied to contiguous scratch first.
 */
final class CpuSoftmax {
    private static final VectorSpecies<Float> F = VectorSupport.F;
    private static final int VL = F.length();
    private static final int COLUMN_BLOCK = 256;

    private CpuSoftmax() {}

    static void forward(Tensor x, int d, boolean log, Tensor out) {
        try (Arena arena = Arena.ofConfined()) {
            Tensor xc = rowsFit(d, x, out) || x.isContiguous() ? x : contiguous(x, arena);
            run(d, new Tensor[] {xc, out}, (segs, off, len, stride, inner, width) -> {
                if (inner == 1) forwardRow(segs[0], off[0], segs[1], off[1], len, log);
                else forwardColumns(segs[0], off[0], segs[1], off[1], len, inner, width, log);
            });
        }
    }

    static void backward(Tensor y, Tensor g, int d, boolean log, Tensor gi) {
        try (Arena arena = Arena.ofConfined()) {
            boolean rows = rowsFit(d, y, g, gi);
            Tensor yc = rows || y.isContiguous() ? y : contiguous(y, arena);
            Tensor gc = rows || g.isContiguous() ? g : contiguous(g, arena);
            run(d, new Tensor[] {yc, gc, gi}, (segs, off, len, stride, inner, width) -> {
                if (inner == 1) backwardRow(segs[0], off[0], segs[1], off[1], segs[2], off[2], len, log);
                else backwardColumns(segs[0], off[0], segs[1], off[1], segs[2], off[2], len, inner, width, log);
            });
        }
    }

    private static boolean rowsFit(int d, Tensor... ts) {
        for (Tensor t : ts) if (t.size(d) > 1 && t.stride(d) != 1) return false;
        return true;
    }

    private static Tensor contiguous(Tensor t, Arena arena) {
        MemorySegment seg = arena.allocate(Math.max(4, t.numel() * 4), 64);
        Tensor c = Tensor.wrap(seg, DType.F32, t.shape());
        c.backend().copy(t, c);
        return c;
    }

    @FunctionalInterface
    private interface Body {
        /** One row (inner == 1) or one (outer, inner-block) slab of {@code width} columns. */
        void run(MemorySegment[] segs, long[] elemOff, int len, long unused, int inner, int width);
    }

    /**
     * Splits the work: rows when every operand is contiguous along d (inner = 1), else (outer, len,
     * inner) slabs over contiguous operands.
     */
    private static void run(int d, Tensor[] ts, Body body) {
        Tensor ref = ts[ts.length - 1];
        int[] shape = ref.shape();
        int len = shape[d];
        if (ref.numel() == 0) return;
        boolean rows = rowsFit(d, ts);
        int inner = 1;
        if (!rows) for (int k = d + 1; k < shape.length; k++) inner *= shape[k];
        int innerF = inner;
        int blocks = rows ? 1 : (inner + COLUMN_BLOCK - 1) / COLUMN_BLOCK;
        long outerCount = ref.numel() / ((long) len * inner);
        int items = Math.toIntExact(outerCount * blocks);
        MemorySegment[] segs = new MemorySegment[ts.length];
        for (int k = 0; k < ts.length; k++) segs[k] = ts[k].segment();
        long[][] strides = new long[ts.length][];
        for (int k = 0; k < ts.length; k++) strides[k] = ts[k].strides();
        int perItem = Math.max(1, len * Math.min(inner, COLUMN_BLOCK));
        Parallel.forRange(items, Math.max(1, LineLoop.MIN_PER_THREAD / perItem), (s, e) -> {
            long[] off = new long[ts.length];
            for (int it = s; it < e; it++) {
                long o = it / blocks;
                int b = it % blocks;
                if (rows) {
                    // unravel the outer index over every dim but d, per operand
                    for (int k = 0; k < ts.length; k++) off[k] = ts[k].offset();
                    long rem = o;
                    for (int dd = shape.length - 1; dd >= 0; dd--) {
                        if (dd == d) continue;
                        long i = rem % shape[dd];
                        rem /= shape[dd];
                        for (int k = 0; k < ts.length; k++) off[k] += i * strides[k][dd];
                    }
                    body.run(segs, off, len, 0, 1, 1);
                } else {
                    int j0 = b * COLUMN_BLOCK;
                    for (int k = 0; k < ts.length; k++) off[k] = ts[k].offset() + o * len * innerF + j0;
                    body.run(segs, off, len, 0, innerF, Math.min(COLUMN_BLOCK, innerF - j0));
                }
            }
        });
    }

    // ------------------------------------------------------------------ rows

    private static FloatVector load(MemorySegment s, long elem) { return FloatVector.fromMemorySegment(F, s, elem * 4, LineLoop.LE); }

    private static void forwardRow(MemorySegment xs, long xo, MemorySegment os, long oo, int len, boolean log) {
        int main = len - len % VL;
        FloatVector mv = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < main; i += VL) mv = mv.max(load(xs, xo + i));
        float m = mv.reduceLanes(VectorOperators.MAX);
        for (int i = main; i < len; i++) m = Math.max(m, xs.getAtIndex(JAVA_FLOAT_UNALIGNED, xo + i));
        FloatVector sv = FloatVector.zero(F);
        for (int i = 0; i < main; i += VL) {
            FloatVector e = VectorMath.exp(load(xs, xo + i).sub(m));
            if (!log) e.intoMemorySegment(os, (oo + i) * 4, LineLoop.LE);
            sv = sv.add(e);
        }
        float s = Lanes.tree(sv);
        for (int i = main; i < len; i++) {
            float e = VectorMath.exp(xs.getAtIndex(JAVA_FLOAT_UNALIGNED, xo + i) - m);
            if (!log) os.setAtIndex(JAVA_FLOAT_UNALIGNED, oo + i, e);
            s += e;
        }
        if (log) {
            float lse = m + (float) Math.log(s);
            for (int i = 0; i < main; i += VL) load(xs, xo + i).sub(lse).intoMemorySegment(os, (oo + i) * 4, LineLoop.LE);
            for (int i = main; i < len; i++) os.setAtIndex(JAVA_FLOAT_UNALIGNED, oo + i, xs.getAtIndex(JAVA_FLOAT_UNALIGNED, xo + i) - lse);
        } else {
            float inv = 1f / s;
            for (int i = 0; i < main; i += VL) load(os, oo + i).mul(inv).intoMemorySegment(os, (oo + i) * 4, LineLoop.LE);
            for (int i = main; i < len; i++) os.setAtIndex(JAVA_FLOAT_UNALIGNED, oo + i, os.getAtIndex(JAVA_FLOAT_UNALIGNED, oo + i) * inv);
        }
    }

    private static void backwardRow(MemorySegment ys, long yo, MemorySegment gs, long go, MemorySegment is, long io, int len, boolean log) {
        int main = len - len % VL;
        FloatVector dv = FloatVector.zero(F);
        // branches outside the loops: merging vectors from two branches defeats C2's unboxing
        if (log) for (int i = 0; i < main; i += VL) dv = dv.add(load(gs, go + i));
        else for (int i = 0; i < main; i += VL) dv = load(gs, go + i).fma(load(ys, yo + i), dv);
        float dot = Lanes.tree(dv);
        for (int i = main; i < len; i++) {
            float gv = gs.getAtIndex(JAVA_FLOAT_UNALIGNED, go + i);
            dot += log ? gv : gv * ys.getAtIndex(JAVA_FLOAT_UNALIGNED, yo + i);
        }
        for (int i = 0; i < main; i += VL) {
            FloatVector yv = load(ys, yo + i), gv = load(gs, go + i);
            if (log) gv.sub(VectorMath.exp(yv).mul(dot)).intoMemorySegment(is, (io + i) * 4, LineLoop.LE);
            else yv.mul(gv.sub(dot)).intoMemorySegment(is, (io + i) * 4, LineLoop.LE);
        }
        for (int i = main; i < len; i++) {
            float yv = ys.getAtIndex(JAVA_FLOAT_UNALIGNED, yo + i), gv = gs.getAtIndex(JAVA_FLOAT_UNALIGNED, go + i);
            is.setAtIndex(JAVA_FLOAT_UNALIGNED, io + i, log ? gv - VectorMath.exp(yv) * dot : yv * (gv - dot));
        }
    }

    // ------------------------------------------------------------------ columns

    private static void forwardColumns(MemorySegment xs, long xo, MemorySegment os, long oo, int len, int inner, int width, boolean log) {
        float[] m = new float[width], s = new float[width];
        java.util.Arrays.fill(m, Float.NEGATIVE_INFINITY);
        int main = width - width % VL;
        for (int j = 0; j < len; j++) {
            long row = xo + (long) j * inner;
            for (int i = 0; i < main; i += VL) FloatVector.fromArray(F, m, i).max(load(xs, row + i)).intoArray(m, i);
            for (int i = main; i < width; i++) m[i] = Math.max(m[i], xs.getAtIndex(JAVA_FLOAT_UNALIGNED, row + i));
        }
        for (int j = 0; j < len; j++) {
            long row = xo + (long) j * inner, orow = oo + (long) j * inner;
            for (int i = 0; i < main; i += VL) {
                FloatVector e = VectorMath.exp(load(xs, row + i).sub(FloatVector.fromArray(F, m, i)));
                if (!log) e.intoMemorySegment(os, (orow + i) * 4, LineLoop.LE);
                FloatVector.fromArray(F, s, i).add(e).intoArray(s, i);
            }
            for (int i = main; i < width; i++) {
                float e = VectorMath.exp(xs.getAtIndex(JAVA_FLOAT_UNALIGNED, row + i) - m[i]);
                if (!log) os.setAtIndex(JAVA_FLOAT_UNALIGNED, orow + i, e);
                s[i] += e;
            }
        }
        for (int i = 0; i < width; i++) s[i] = log ? m[i] + (float) Math.log(s[i]) : 1f / s[i];
        for (int j = 0; j < len; j++) {
            long row = xo + (long) j * inner, orow = oo + (long) j * inner;
            for (int i = 0; i < main; i += VL) {
                FloatVector sv = FloatVector.fromArray(F, s, i);
                if (log) load(xs, row + i).sub(sv).intoMemorySegment(os, (orow + i) * 4, LineLoop.LE);
                else load(os, orow + i).mul(sv).intoMemorySegment(os, (orow + i) * 4, LineLoop.LE);
            }
            for (int i = main; i < width; i++) {
                float r = log ? xs.getAtIndex(JAVA_FLOAT_UNALIGNED, row + i) - s[i] : os.getAtIndex(JAVA_FLOAT_UNALIGNED, orow + i) * s[i];
                os.setAtIndex(JAVA_FLOAT_UNALIGNED, orow + i, r);
            }
        }
    }

    private static void backwardColumns(MemorySegment ys, long yo, MemorySegment gs, long go, MemorySegment is, long io,
                                        int len, int inner, int width, boolean log) {
        float[] dot = new float[width];
        int main = width - width % VL;
        for (int j = 0; j < len; j++) {
            long yr = yo + (long) j * inner, gr = go + (long) j * inner;
            for (int i = 0; i < main; i += VL) {
                FloatVector gv = load(gs, gr + i), dv = FloatVector.fromArray(F, dot, i);
                if (log) dv.add(gv).intoArray(dot, i);
                else gv.fma(load(ys, yr + i), dv).intoArray(dot, i);
            }
            for (int i = main; i < width; i++) {
                float gv = gs.getAtIndex(JAVA_FLOAT_UNALIGNED, gr + i);
                dot[i] += log ? gv : gv * ys.getAtIndex(JAVA_FLOAT_UNALIGNED, yr + i);
            }
        }
        for (int j = 0; j < len; j++) {
            long yr = yo + (long) j * inner, gr = go + (long) j * inner, ir = io + (long) j * inner;
            for (int i = 0; i < main; i += VL) {
                FloatVector yv = load(ys, yr + i), gv = load(gs, gr + i), dv = FloatVector.fromArray(F, dot, i);
                if (log) gv.sub(VectorMath.exp(yv).mul(dv)).intoMemorySegment(is, (ir + i) * 4, LineLoop.LE);
                else yv.mul(gv.sub(dv)).intoMemorySegment(is, (ir + i) * 4, LineLoop.LE);
            }
            for (int i = main; i < width; i++) {
                float yv = ys.getAtIndex(JAVA_FLOAT_UNALIGNED, yr + i), gv = gs.getAtIndex(JAVA_FLOAT_UNALIGNED, gr + i);
                is.setAtIndex(JAVA_FLOAT_UNALIGNED, ir + i, log ? gv - VectorMath.exp(yv) * dot[i] : yv * (gv - dot[i]));
            }
        }
    }
}
