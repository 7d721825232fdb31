package org.vfmtok.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.vfmtok.tensor.Shapes;
import org.vfmtok.tensor.Tensor;

/**
 * F32 reductions over any set of dims into a contiguous keep-dim output.
 *
 * <p>The input's dims are split into kept and reduced groups, each collapsed (reduced dims sorted by
 * stride first, so any permutation of a contiguous block is one line). Two layouts are vectorised:
 * <ul>
 * <li><b>rows</b>: the innermost reduced dim is contiguous (reducing the last dim, or everything); each
 * output folds contiguous runs with vector lanes.
 * <li><b>columns</b>: the innermost kept dim is contiguous and the reduction is over outer dims (column
 * sums such as bias gradients); a block of outputs accumulates whole input rows with vector adds.
 * </ul>
 * Other layouts use the row walk with a scalar inner loop. When there are fewer outputs than threads,
 * the reduced range is split and the partial results combined in order.
 *
 * <p>Sums accumulate in F32 vector lanes over blocks of at most {@link #BLOCK} elements and in double
 * across blocks, so the error stays near that of pairwise summation.
 */
final class ReduceLoop {
    enum Op { SUM, MAX, MIN, PROD, SQDEV }

    private static final VectorSpecies<Float> F = VectorSupport.F;
    private static final int VL = F.length();
    static final int BLOCK = 2048;
    private static final int COLUMN_BLOCK = 512;
    private static final int FLUSH_ROWS = 64;

    private ReduceLoop() {}

    /**
     * out[o] = scale · fold(op, x over the reduced dims of output o); for SQDEV each element first has
     * {@code centers[o]} subtracted and is squared.
     */
    static void run(Op op, Tensor x, boolean[] reduced, Tensor out, double scale, float[] centers) {
        Plan p = Plan.of(x, reduced);
        long outCount = out.numel();
        if (outCount == 0) return;
        MemorySegment xs = x.segment(), os = out.segment();
        long oBase = out.offset();
        if (p.redCount == 0) { // empty reduction: the identity of the fold
            double id = identity(op);
            for (long o = 0; o < outCount; o++) os.setAtIndex(JAVA_FLOAT_UNALIGNED, oBase + o, (float) (id * scale));
            return;
        }
        int threads = Parallel.threads();
        long total = outCount * p.redCount;
        boolean column = p.kSize.length > 0 && p.kStride[p.kSize.length - 1] == 1 && p.rStride[p.rSize.length - 1] != 1;
        int kLen = column ? p.kSize[p.kSize.length - 1] : 1;
        int blocksPerLine = (kLen + COLUMN_BLOCK - 1) / COLUMN_BLOCK;
        long items = column ? outCount / kLen * blocksPerLine : outCount;
        int parts = 1;
        if (items < threads && total >= 2L * LineLoop.MIN_PER_THREAD) {
            long perItem = total / items;
            parts = (int) Math.max(1, Math.min((threads + items - 1) / items, perItem / LineLoop.MIN_PER_THREAD));
            parts = (int) Math.min(parts, p.redCount);
        }
        int nParts = parts;
        double[] partial = nParts > 1 ? new double[Math.toIntExact(outCount * nParts)] : null;
        int units = Math.toIntExact(items * nParts);
        long minUnits = Math.max(1, LineLoop.MIN_PER_THREAD / Math.max(1, total / Math.max(1, units)));
        Parallel.forRange(units, (int) Math.min(Integer.MAX_VALUE, minUnits), (s, e) -> {
            double[] acc = new double[column ? Math.min(kLen, COLUMN_BLOCK) : 1];
            float[] facc = column ? new float[acc.length] : null;
            for (int u = s; u < e; u++) {
                long item = u / nParts;
                int part = u % nParts;
                long r0 = p.redCount * part / nParts, r1 = p.redCount * (part + 1) / nParts;
                long firstOut;
                int width;
                if (column) {
                    long line = item / blocksPerLine;
                    int j0 = (int) (item % blocksPerLine) * COLUMN_BLOCK;
                    width = Math.min(COLUMN_BLOCK, kLen - j0);
                    firstOut = line * kLen + j0;
                    columns(op, p, xs, x.offset() + p.keptOffset(firstOut), r0, r1, centers, firstOut, width, acc, facc);
                } else {
                    firstOut = item;
                    width = 1;
                    float c = centers == null ? 0f : centers[(int) item];
                    acc[0] = rows(op, p, xs, x.offset() + p.keptOffset(item), r0, r1, c);
                }
                for (int j = 0; j < width; j++) {
                    if (partial != null) partial[(int) ((firstOut + j) * nParts + part)] = acc[j];
                    else os.setAtIndex(JAVA_FLOAT_UNALIGNED, oBase + firstOut + j, (float) (acc[j] * scale));
                }
            }
        });
        if (partial != null) {
            for (long o = 0; o < outCount; o++) {
                double v = partial[(int) (o * nParts)];
                for (int q = 1; q < nParts; q++) v = combine(op, v, partial[(int) (o * nParts + q)]);
                os.setAtIndex(JAVA_FLOAT_UNALIGNED, oBase + o, (float) (v * scale));
            }
        }
    }

    static double identity(Op op) {
        return switch (op) {
            case SUM, SQDEV -> 0.0;
            case PROD -> 1.0;
            case MAX -> Double.NEGATIVE_INFINITY;
            case MIN -> Double.POSITIVE_INFINITY;
        };
    }

    static double combine(Op op, double a, double b) {
        return switch (op) {
            case SUM, SQDEV -> a + b;
            case PROD -> a * b;
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
        };
    }

    /** Folds reduced elements [r0, r1) (flat, row-major over the reduced dims) starting at element {@code base}. */
    private static double rows(Op op, Plan p, MemorySegment xs, long base, long r0, long r1, float center) {
        int last = p.rSize.length - 1;
        int len = p.rSize[last];
        long stride = p.rStride[last];
        double acc = identity(op);
        long e = r0;
        while (e < r1) {
            long line = e / len;
            int pos = (int) (e % len);
            int n = (int) Math.min(len - pos, r1 - e);
            long off = base + p.reducedOuterOffset(line) + pos * stride;
            acc = combine(op, acc, stride == 1 ? line(op, xs, off, n, center) : strided(op, xs, off, stride, n, center));
            e += n;
        }
        return acc;
    }

    /** Folds n contiguous floats from element {@code off}, vector lanes within blocks, double across. */
    static double line(Op op, MemorySegment xs, long off, int n, float center) {
        double result = identity(op);
        for (int b0 = 0; b0 < n; b0 += BLOCK) {
            int bn = Math.min(BLOCK, n - b0);
            int main = bn - bn % VL;
            long byteOff = (off + b0) * 4;
            float partial = (float) identity(op);
            switch (op) { // one loop per op: the operator must be a constant for the Vector API
                case SUM -> {
                    FloatVector a = FloatVector.zero(F);
                    for (int i = 0; i < main; i += VL) a = a.add(FloatVector.fromMemorySegment(F, xs, byteOff + 4L * i, LineLoop.LE));
                    partial = Lanes.tree(a);
                }
                case SQDEV -> {
                    FloatVector a = FloatVector.zero(F);
                    for (int i = 0; i < main; i += VL) {
                        FloatVector d = FloatVector.fromMemorySegment(F, xs, byteOff + 4L * i, LineLoop.LE).sub(center);
                        a = d.fma(d, a);
                    }
                    partial = Lanes.tree(a);
                }
                case MAX -> {
                    FloatVector a = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
                    for (int i = 0; i < main; i += VL) a = a.max(FloatVector.fromMemorySegment(F, xs, byteOff + 4L * i, LineLoop.LE));
                    partial = a.reduceLanes(VectorOperators.MAX);
                }
                case MIN -> {
                    FloatVector a = FloatVector.broadcast(F, Float.POSITIVE_INFINITY);
                    for (int i = 0; i < main; i += VL) a = a.min(FloatVector.fromMemorySegment(F, xs, byteOff + 4L * i, LineLoop.LE));
                    partial = a.reduceLanes(VectorOperators.MIN);
                }
                case PROD -> {
                    FloatVector a = FloatVector.broadcast(F, 1f);
                    for (int i = 0; i < main; i += VL) a = a.mul(FloatVector.fromMemorySegment(F, xs, byteOff + 4L * i, LineLoop.LE));
                    partial = a.reduceLanes(VectorOperators.MUL);
                }
            }
            double r = combine(op, result, partial);
            for (int i = main; i < bn; i++) r = fold(op, r, xs.getAtIndex(JAVA_FLOAT_UNALIGNED, off + b0 + i), center);
            result = r;
        }
        return result;
    }

    private static double strided(Op op, MemorySegment xs, long off, long stride, int n, float center) {
        double r = identity(op);
        for (int i = 0; i < n; i++) r = fold(op, r, xs.getAtIndex(JAVA_FLOAT_UNALIGNED, off + i * stride), center);
        return r;
    }

    private static double fold(Op op, double acc, float v, float center) {
        if (op == Op.SQDEV) {
            float d = v - center;
            return acc + d * d;
        }
        return combine(op, acc, v);
    }

    /**
     * Outputs [firstOut, firstOut+width) from reduced elements [r0, r1): accumulates whole contiguous
     * input rows into {@code facc}, flushed into {@code acc} (double) every few rows.
     */
    private static void columns(Op op, Plan p, MemorySegment xs, long base, long r0, long r1, float[] centers, long firstOut,
                                int width, double[] acc, float[] facc) {
        double id = identity(op);
        Arrays.fill(acc, 0, width, id);
        Arrays.fill(facc, 0, width, (float) id);
        int main = width - width % VL;
        int c0 = (int) firstOut;
        int rows = 0;
        for (long r = r0; r < r1; r++) {
            long off = base + p.reducedOffset(r);
            long byteOff = off * 4;
            switch (op) { // one loop per op: the operator must be a constant for the Vector API
                case SUM -> {
                    for (int j = 0; j < main; j += VL) {
                        FloatVector v = FloatVector.fromMemorySegment(F, xs, byteOff + 4L * j, LineLoop.LE);
                        FloatVector.fromArray(F, facc, j).add(v).intoArray(facc, j);
                    }
                }
                case SQDEV -> {
                    for (int j = 0; j < main; j += VL) {
                        FloatVector d = FloatVector.fromMemorySegment(F, xs, byteOff + 4L * j, LineLoop.LE).sub(FloatVector.fromArray(F, centers, c0 + j));
                        d.fma(d, FloatVector.fromArray(F, facc, j)).intoArray(facc, j);
                    }
                }
                case MAX -> {
                    for (int j = 0; j < main; j += VL) {
                        FloatVector v = FloatVector.fromMemorySegment(F, xs, byteOff + 4L * j, LineLoop.LE);
                        FloatVector.fromArray(F, facc, j).max(v).intoArray(facc, j);
                    }
                }
                case MIN -> {
                    for (int j = 0; j < main; j += VL) {
                        FloatVector v = FloatVector.fromMemorySegment(F, xs, byteOff + 4L * j, LineLoop.LE);
                        FloatVector.fromArray(F, facc, j).min(v).intoArray(facc, j);
                    }
                }
                case PROD -> {
                    for (int j = 0; j < main; j += VL) {
                        FloatVector v = FloatVector.fromMemorySegment(F, xs, byteOff + 4L * j, LineLoop.LE);
                        FloatVector.fromArray(F, facc, j).mul(v).intoArray(facc, j);
                    }
                }
            }
            for (int j = main; j < width; j++) {
                float v = xs.getAtIndex(JAVA_FLOAT_UNALIGNED, off + j);
                facc[j] = (float) fold(op, facc[j], v, centers == null ? 0f : centers[c0 + j]);
            }
            if (++rows == FLUSH_ROWS || r == r1 - 1) {
                for (int j = 0; j < width; j++) acc[j] = combine(op, acc[j], facc[j]);
                Arrays.fill(facc, 0, width, (float) id);
                rows = 0;
            }
        }
    }

    /** Kept and reduced dims of x, each collapsed. */
    static final class Plan {
        final int[] kSize;
        final long[] kStride;
        final int[] rSize;
        final long[] rStride;
        final long redCount;

        private Plan(int[] kSize, long[] kStride, int[] rSize, long[] rStride) {
            this.kSize = kSize;
            this.kStride = kStride;
            this.rSize = rSize;
            this.rStride = rStride;
            this.redCount = Shapes.numel(rSize);
        }

        static Plan of(Tensor x, boolean[] reduced) {
            int[] shape = x.shape();
            long[] st = x.strides();
            List<long[]> kept = new ArrayList<>(), red = new ArrayList<>();
            boolean emptyReduced = false;
            for (int d = 0; d < shape.length; d++) {
                if (reduced[d] && shape[d] == 0) emptyReduced = true;
                if (shape[d] == 1) continue;
                (reduced[d] ? red : kept).add(new long[] {shape[d], st[d]});
            }
            // reduced dims: order does not matter, so put the smallest stride innermost
            red.sort((a, b) -> Long.compare(Math.abs(b[1]), Math.abs(a[1])));
            long[][] k = collapse(kept), r = collapse(red);
            if (r.length == 0) r = new long[][] {{emptyReduced ? 0 : 1, 0}};
            return new Plan(sizes(k), strides(k), sizes(r), strides(r));
        }

        private static long[][] collapse(List<long[]> dims) {
            List<long[]> out = new ArrayList<>();
            for (long[] d : dims) {
                if (!out.isEmpty()) {
                    long[] prev = out.get(out.size() - 1);
                    if (prev[1] == d[1] * d[0]) {
                        prev[0] *= d[0];
                        prev[1] = d[1];
                        continue;
                    }
                }
                out.add(d.clone());
            }
            return out.toArray(new long[0][]);
        }

        private static int[] sizes(long[][] d) {
            int[] s = new int[d.length];
            for (int i = 0; i < d.length; i++) s[i] = Math.toIntExact(d[i][0]);
            return s;
        }

        private static long[] strides(long[][] d) {
            long[] s = new long[d.length];
            for (int i = 0; i < d.length; i++) s[i] = d[i][1];
            return s;
        }

        /** Element offset of kept (row-major) index o. */
        long keptOffset(long o) {
            long off = 0;
            for (int d = kSize.length - 1; d >= 0; d--) {
                off += (o % kSize[d]) * kStride[d];
                o /= kSize[d];
            }
            return off;
        }

        /** Element offset of flat reduced index r. */
        long reducedOffset(long r) {
            long off = 0;
            for (int d = rSize.length - 1; d >= 0; d--) {
                off += (r % rSize[d]) * rStride[d];
                r /= rSize[d];
            }
            return off;
        }

        /** Element offset of the start of reduced line {@code line} (all reduced dims but the innermost). */
        long reducedOuterOffset(long line) {
            long off = 0;
            for (int d = rSize.length - 2; d >= 0; d--) {
                off += (line % rSize[d]) * rStride[d];
                line /= rSize[d];
            }
            return off;
        }
    }
}
