package org.vfmtok.tensor.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.vfmtok.tensor.Tensor;

/**
 * Drives an elementwise kernel over operands of one shape with arbitrary strides (0 for broadcast).
 *
 * <p>The shape is first collapsed (size-1 dims dropped, dims merged where every operand is contiguous
 * across them), so a contiguous tensor is one long line and a bias add (N,C)+(C) is N lines of C. The
 * innermost dim is then cut into lines of at most {@link #BLOCK} elements, spread over {@link Parallel}.
 * Each operand's line is handed to the kernel as a {@link Line}: contiguous memory, or a broadcast
 * scalar (inner stride 0). Lines with any other stride are gathered into scratch first (and the output
 * scattered back), and the last {@code len % VL} elements go through a scratch vector, so a kernel only
 * ever sees whole vectors of contiguous data: it needs neither masks nor scalar tails.
 *
 * <p>{@code out} may alias an input at the same position (in-place ops): every element is read before
 * it is written.
 */
final class LineLoop {
    static final VectorSpecies<Float> F = VectorSupport.F;
    static final int VL = F.length();
    static final ByteOrder LE = ByteOrder.nativeOrder();
    /** Elements per work item: bounds scratch buffers and balances threads. */
    static final int BLOCK = 4096;
    /** Below this many elements per thread, threading costs more than it saves. */
    static final int MIN_PER_THREAD = 1 << 15;

    private LineLoop() {}

    /** One operand's run of contiguous elements (or a broadcast scalar) handed to a kernel. */
    static final class Line {
        final int elemSize;
        MemorySegment seg;
        /** Byte offset of the run's first element. */
        long off;
        /** Inner stride was 0: every element is the one at {@code off}. */
        boolean bcast;
        /** The broadcast value, for float operands. */
        float value;

        Line(int elemSize) { this.elemSize = elemSize; }

        /** Floats [i, i+VL) of this run. */
        FloatVector f(int i) {
            return bcast ? FloatVector.broadcast(F, value) : FloatVector.fromMemorySegment(F, seg, off + 4L * i, LE);
        }

        void store(FloatVector v, int i) { v.intoMemorySegment(seg, off + 4L * i, LE); }

        float getFloat(int i) { return seg.get(ValueLayout.JAVA_FLOAT_UNALIGNED, off + (bcast ? 0 : 4L * i)); }

        void setFloat(int i, float v) { seg.set(ValueLayout.JAVA_FLOAT_UNALIGNED, off + 4L * i, v); }
    }

    /** Processes {@code n} elements (a multiple of {@link #VL}) of each line. */
    @FunctionalInterface
    interface Kernel {
        void run(Line[] in, Line out, int n);
    }

    /**
     * Runs {@code kernel} over every element of {@code out}; {@code ins} have out's shape. Element sizes
     * come from the tensors' dtypes.
     */
    static void run(Kernel kernel, Tensor out, Tensor... ins) {
        long numel = out.numel();
        if (numel == 0) return;
        int nOps = ins.length + 1;
        long[][] strides = new long[nOps][];
        long[] base = new long[nOps];
        int[] elem = new int[nOps];
        for (int k = 0; k < ins.length; k++) {
            strides[k] = ins[k].strides();
            base[k] = ins[k].offset();
            elem[k] = ins[k].dtype().byteSize();
        }
        strides[ins.length] = out.strides();
        base[ins.length] = out.offset();
        elem[ins.length] = out.dtype().byteSize();
        Collapsed c = Collapsed.of(out.shape(), strides);
        MemorySegment[] segs = new MemorySegment[nOps];
        for (int k = 0; k < ins.length; k++) segs[k] = ins[k].segment();
        segs[ins.length] = out.segment();

        int rank = c.shape.length;
        int len = c.shape[rank - 1];
        int blocksPerLine = (len + BLOCK - 1) / BLOCK;
        long lines = numel / len;
        int items = Math.toIntExact(lines * blocksPerLine);
        int minItems = Math.max(1, MIN_PER_THREAD / Math.min(len, BLOCK));
        Parallel.forRange(items, minItems, (s, e) -> {
            Worker w = new Worker(c, segs, base, elem);
            for (int it = s; it < e; it++) w.item(kernel, it / blocksPerLine, (it % blocksPerLine) * BLOCK);
        });
    }

    /** Per-thread state: the lines and scratch buffers. */
    private static final class Worker {
        final Collapsed c;
        final MemorySegment[] segs;
        final long[] base;
        final int[] elem;
        final Line[] in;
        final Line out;
        final MemorySegment[] scratch;
        final MemorySegment[] tail;
        final int[] idx;
        final long[] elemOff;
        final boolean[] gathered;

        Worker(Collapsed c, MemorySegment[] segs, long[] base, int[] elem) {
            this.c = c;
            this.segs = segs;
            this.base = base;
            this.elem = elem;
            int n = segs.length;
            in = new Line[n - 1];
            for (int k = 0; k < n - 1; k++) in[k] = new Line(elem[k]);
            out = new Line(elem[n - 1]);
            scratch = new MemorySegment[n];
            tail = new MemorySegment[n];
            idx = new int[c.shape.length];
            elemOff = new long[n];
            gathered = new boolean[n];
        }

        Line line(int k) { return k < in.length ? in[k] : out; }

        void item(Kernel kernel, long lineNo, int start) {
            int rank = c.shape.length;
            int inner = c.shape[rank - 1];
            int n = Math.min(BLOCK, inner - start);
            long rem = lineNo;
            for (int d = rank - 2; d >= 0; d--) {
                idx[d] = (int) (rem % c.shape[d]);
                rem /= c.shape[d];
            }
            int nOps = segs.length;
            for (int k = 0; k < nOps; k++) {
                long o = base[k];
                long[] st = c.strides[k];
                for (int d = 0; d < rank - 1; d++) o += idx[d] * st[d];
                long s = st[rank - 1];
                o += start * s;
                elemOff[k] = o;
                Line l = line(k);
                int es = elem[k];
                l.bcast = false;
                gathered[k] = false;
                if (s == 0 && k < in.length) {
                    l.seg = segs[k];
                    l.off = o * es;
                    l.bcast = true;
                    if (es == 4) l.value = segs[k].get(ValueLayout.JAVA_FLOAT_UNALIGNED, l.off);
                } else if (s == 1) {
                    l.seg = segs[k];
                    l.off = o * es;
                } else {
                    gathered[k] = true;
                    if (scratch[k] == null) scratch[k] = MemorySegment.ofArray(new byte[BLOCK * es]);
                    l.seg = scratch[k];
                    l.off = 0;
                    if (k < in.length) {
                        MemorySegment src = segs[k];
                        for (int j = 0; j < n; j++) copyElement(src, (o + j * s) * es, scratch[k], (long) j * es, es);
                    }
                }
            }
            int main = n - n % VL;
            if (main > 0) kernel.run(in, out, main);
            if (main < n) runTail(kernel, main, n - main);
            int o = nOps - 1;
            if (gathered[o]) {
                long s = c.strides[o][rank - 1];
                int es = elem[o];
                for (int j = 0; j < n; j++) copyElement(scratch[o], (long) j * es, segs[o], (elemOff[o] + j * s) * es, es);
            }
        }

        /** Runs the last {@code count < VL} elements through scratch vectors. */
        private void runTail(Kernel kernel, int from, int count) {
            int nOps = segs.length;
            MemorySegment[] savedSeg = new MemorySegment[nOps];
            long[] savedOff = new long[nOps];
            for (int k = 0; k < nOps; k++) {
                Line l = line(k);
                savedSeg[k] = l.seg;
                savedOff[k] = l.off;
                if (l.bcast) continue;
                int es = elem[k];
                if (tail[k] == null) tail[k] = MemorySegment.ofArray(new byte[VL * es]);
                else tail[k].fill((byte) 0);
                if (k < in.length) MemorySegment.copy(l.seg, l.off + (long) from * es, tail[k], 0, (long) count * es);
                l.seg = tail[k];
                l.off = 0;
            }
            kernel.run(in, out, VL);
            int es = elem[nOps - 1];
            MemorySegment.copy(tail[nOps - 1], 0, savedSeg[nOps - 1], savedOff[nOps - 1] + (long) from * es, (long) count * es);
            for (int k = 0; k < nOps; k++) {
                line(k).seg = savedSeg[k];
                line(k).off = savedOff[k];
            }
        }
    }

    private static void copyElement(MemorySegment from, long fromOff, MemorySegment to, long toOff, int es) {
        switch (es) {
            case 4 -> to.set(ValueLayout.JAVA_INT_UNALIGNED, toOff, from.get(ValueLayout.JAVA_INT_UNALIGNED, fromOff));
            case 1 -> to.set(ValueLayout.JAVA_BYTE, toOff, from.get(ValueLayout.JAVA_BYTE, fromOff));
            case 2 -> to.set(ValueLayout.JAVA_SHORT_UNALIGNED, toOff, from.get(ValueLayout.JAVA_SHORT_UNALIGNED, fromOff));
            default -> to.set(ValueLayout.JAVA_LONG_UNALIGNED, toOff, from.get(ValueLayout.JAVA_LONG_UNALIGNED, fromOff));
        }
    }

    /** A shape with size-1 dims dropped and mergeable neighbours merged, for several stride sets. */
    static final class Collapsed {
        final int[] shape;
        final long[][] strides;

        private Collapsed(int[] shape, long[][] strides) {
            this.shape = shape;
            this.strides = strides;
        }

        static Collapsed of(int[] shape, long[][] strides) {
            int nOps = strides.length;
            int[] s = new int[shape.length];
            long[][] st = new long[nOps][shape.length];
            int r = 0;
            for (int d = 0; d < shape.length; d++) {
                if (shape[d] == 1) continue;
                if (r > 0 && mergeable(st, r - 1, strides, d, shape[d])) {
                    s[r - 1] *= shape[d];
                    for (int k = 0; k < nOps; k++) st[k][r - 1] = strides[k][d];
                    continue;
                }
                s[r] = shape[d];
                for (int k = 0; k < nOps; k++) st[k][r] = strides[k][d];
                r++;
            }
            if (r == 0) { // a single element
                return new Collapsed(new int[] {1}, zeros(nOps));
            }
            int[] fs = java.util.Arrays.copyOf(s, r);
            long[][] fst = new long[nOps][];
            for (int k = 0; k < nOps; k++) fst[k] = java.util.Arrays.copyOf(st[k], r);
            return new Collapsed(fs, fst);
        }

        private static long[][] zeros(int n) {
            long[][] z = new long[n][1];
            return z;
        }

        /** Previous collapsed dim p followed by original dim d (size sd) is one dim for every operand. */
        private static boolean mergeable(long[][] st, int p, long[][] strides, int d, int sd) {
            for (int k = 0; k < st.length; k++) if (st[k][p] != strides[k][d] * sd) return false;
            return true;
        }
    }
}
