package org.vfmtok.tensor.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Shapes;
import org.vfmtok.tensor.StridedIndex;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.IndexKernels;

/**
 * Gathers, scatters and cross entropy on the CPU.
 *
 * <p>A gather/scatter sees src as (outer, dim, inner); when the inner block is contiguous (the usual
 * case: embedding rows, channel selections) indexSelect is one bulk copy per (outer, index) of any
 * dtype, and indexAdd (F32) a vector add. indexAdd parallelises over ranges of destination rows, each
 * task scanning every index and applying those that land in its range, in index order: duplicates
 * never race and the sums are deterministic. Cross entropy (F32, unit column stride) runs rows in
 * parallel with a vectorised max / exp-sum (the fused log-sum-exp). Other cases use the reference.
 */
public final class CpuIndex implements IndexKernels {
    private static final VectorSpecies<Float> F = VectorSupport.F;
    private static final ValueLayout.OfFloat FL = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final int GRAIN = 16384;

    private final IndexKernels reference;

    public CpuIndex(IndexKernels reference) {
        this.reference = reference;
    }

    // ------------------------------------------------------------------ gather / scatter

    /** Row copies (a decode step's embedding lookup): on the calling thread, nothing allocated. */
    @Override
    public void gatherRows(Tensor table, int[] ids, int count, Tensor out) {
        IndexKernels.checkGatherRows(table, ids, count, out);
        if (out.dtype() != table.dtype() || !FastPath.rowsOf(table, table.dtype()) || !FastPath.rowsOf(out, table.dtype())) {
            reference.gatherRows(table, ids, count, out);
            return;
        }
        int es = table.dtype().byteSize();
        long row = (long) es * table.size(1);
        for (int i = 0; i < count; i++) {
            java.lang.foreign.MemorySegment.copy(table.segment(), (long) es * (table.offset() + ids[i] * table.stride(0)),
                    out.segment(), (long) es * (out.offset() + i * out.stride(0)), row);
        }
    }

    /** src viewed as (outer, dim, inner) with a contiguous inner block; outer offsets in elements. */
    private record Blocks(long[] outerOffsets, long dimStride, int inner) {
        /** null when the dims after d are not one contiguous block. */
        static Blocks of(Tensor t, int d) {
            int[] shape = t.shape();
            long[] st = t.strides();
            long expect = 1;
            for (int k = shape.length - 1; k > d; k--) {
                if (shape[k] != 1 && st[k] != expect) return null;
                expect *= shape[k];
            }
            int inner = Math.toIntExact(expect);
            int[] outerShape = java.util.Arrays.copyOf(shape, d);
            long[] outerStrides = java.util.Arrays.copyOf(st, d);
            long[] offs = new long[Math.toIntExact(Shapes.numel(outerShape))];
            StridedIndex it = new StridedIndex(outerShape, outerStrides).start(t.offset());
            for (int i = 0; i < offs.length; i++, it.next()) offs[i] = it.offset(0);
            return new Blocks(offs, st[d], inner);
        }
    }

    @Override
    public void indexSelect(Tensor src, int dim, Tensor index, Tensor out) {
        int d = Shapes.dim(dim, src.dim());
        Blocks b = src.dtype() == out.dtype() && out.isContiguous() ? Blocks.of(src, d) : null;
        if (b == null) {
            reference.indexSelect(src, dim, index, out);
            return;
        }
        long[] idx = IndexKernels.checkedIndices(index, src.size(d), "indexSelect along dim " + d);
        int[] want = src.shape();
        want[d] = idx.length;
        if (!java.util.Arrays.equals(want, out.shape())) {
            throw new IllegalArgumentException("indexSelect: output shape " + java.util.Arrays.toString(out.shape()) + ", expected " + java.util.Arrays.toString(want));
        }
        int es = src.dtype().byteSize();
        long rowBytes = (long) b.inner() * es;
        MemorySegment ss = src.segment(), os = out.segment();
        long oo = out.byteOffset();
        int outer = b.outerOffsets().length, n = idx.length;
        // one task unit = one (outer, index) row of inner elements
        Parallel.forRange(Math.multiplyExact(outer, n), (int) Math.max(1, GRAIN / Math.max(1, b.inner())), (s, e) -> {
            for (int t = s; t < e; t++) {
                int o = t / n, i = t % n;
                long from = (b.outerOffsets()[o] + idx[i] * b.dimStride()) * es;
                MemorySegment.copy(ss, from, os, oo + t * rowBytes, rowBytes);
            }
        });
    }

    @Override
    public void indexAdd(Tensor dst, int dim, Tensor index, Tensor src) {
        int d = Shapes.dim(dim, dst.dim());
        Blocks b = dst.dtype() == DType.F32 && src.dtype() == DType.F32 && dst.isContiguous() ? Blocks.of(src, d) : null;
        if (b == null) {
            reference.indexAdd(dst, dim, index, src);
            return;
        }
        int size = dst.size(d);
        long[] idx = IndexKernels.checkedIndices(index, size, "indexAdd along dim " + d);
        int[] want = dst.shape();
        want[d] = idx.length;
        if (!java.util.Arrays.equals(want, src.shape())) {
            throw new IllegalArgumentException("indexAdd: source shape " + java.util.Arrays.toString(src.shape()) + ", expected " + java.util.Arrays.toString(want));
        }
        int inner = b.inner(), outer = b.outerOffsets().length;
        MemorySegment ds = dst.segment(), ss = src.segment();
        long dOff = dst.byteOffset();
        Parallel.forRange(size, (int) Math.max(1, GRAIN / Math.max(1, (long) inner * outer)), (s, e) -> {
            for (int i = 0; i < idx.length; i++) {
                int row = (int) idx[i];
                if (row < s || row >= e) continue;
                for (int o = 0; o < outer; o++) {
                    long to = dOff + 4L * (((long) o * size + row) * inner);
                    long from = 4L * (b.outerOffsets()[o] + i * b.dimStride());
                    addInto(ds, to, ss, from, inner);
                }
            }
        });
    }

    /** d[0..n) += s[0..n). */
    private static void addInto(MemorySegment ds, long dOff, MemorySegment ss, long sOff, int n) {
        int j = 0;
        for (int bound = F.loopBound(n); j < bound; j += F.length()) {
            long k = 4L * j;
            FloatVector.fromMemorySegment(F, ds, dOff + k, NATIVE).add(FloatVector.fromMemorySegment(F, ss, sOff + k, NATIVE))
                    .intoMemorySegment(ds, dOff + k, NATIVE);
        }
        for (; j < n; j++) ds.set(FL, dOff + 4L * j, ds.get(FL, dOff + 4L * j) + ss.get(FL, sOff + 4L * j));
    }

    // ------------------------------------------------------------------ cross entropy

    private static boolean fastLogits(Tensor logits, Tensor... others) {
        if (logits.dtype() != DType.F32 || logits.dim() != 2 || (logits.stride(1) != 1 && logits.size(1) > 1)) return false;
        for (Tensor t : others) if (t.dtype() != DType.F32) return false;
        return true;
    }

    @Override
    public void crossEntropy(Tensor logits, Tensor target, int ignoreIndex, double labelSmoothing, Tensor loss, Tensor lse) {
        if (!fastLogits(logits, loss, lse)) {
            reference.crossEntropy(logits, target, ignoreIndex, labelSmoothing, loss, lse);
            return;
        }
        int n = logits.size(0), c = logits.size(1);
        long[] t = IndexKernels.checkedTargets(target, c, ignoreIndex);
        MemorySegment xs = logits.segment(), ls = loss.segment(), es = lse.segment();
        long rowStride = logits.stride(0), xo = logits.offset();
        long lo = loss.offset(), lst = loss.stride(0), eo = lse.offset(), est = lse.stride(0);
        Parallel.forRange(n, Math.max(1, GRAIN / Math.max(1, c)), (s, e) -> {
            for (int r = s; r < e; r++) {
                long row = 4L * (xo + r * rowStride);
                float max = max(xs, row, c);
                double[] sums = expSumAndSum(xs, row, c, max);
                double l = max + Math.log(sums[0]);
                double value = 0;
                if (t[r] != ignoreIndex) {
                    double nll = l - xs.get(FL, row + 4L * t[r]);
                    double smooth = l - sums[1] / c;
                    value = (1 - labelSmoothing) * nll + labelSmoothing * smooth;
                }
                es.set(FL, 4L * (eo + r * est), (float) l);
                ls.set(FL, 4L * (lo + r * lst), (float) value);
            }
        });
    }

    @Override
    public void crossEntropyBackward(Tensor logits, Tensor target, int ignoreIndex, double labelSmoothing, Tensor lse, Tensor gradLoss, Tensor gradLogits) {
        if (!fastLogits(logits, lse, gradLoss, gradLogits) || !gradLogits.isContiguous()) {
            reference.crossEntropyBackward(logits, target, ignoreIndex, labelSmoothing, lse, gradLoss, gradLogits);
            return;
        }
        int n = logits.size(0), c = logits.size(1);
        long[] t = IndexKernels.checkedTargets(target, c, ignoreIndex);
        MemorySegment xs = logits.segment(), es = lse.segment(), gs = gradLoss.segment(), os = gradLogits.segment();
        long rowStride = logits.stride(0), xo = logits.offset(), eo = lse.offset(), est = lse.stride(0);
        long go = gradLoss.offset(), gst = gradLoss.stride(0), oo = gradLogits.byteOffset();
        float uniform = (float) (labelSmoothing / c);
        Parallel.forRange(n, Math.max(1, GRAIN / Math.max(1, c)), (s, e) -> {
            for (int r = s; r < e; r++) {
                long out = oo + 4L * r * c;
                if (t[r] == ignoreIndex) {
                    os.asSlice(out, 4L * c).fill((byte) 0);
                    continue;
                }
                long row = 4L * (xo + r * rowStride);
                float l = es.get(FL, 4L * (eo + r * est)), g = gs.get(FL, 4L * (go + r * gst));
                // g·(softmax - ε/C), then the target column loses g·(1-ε)
                int j = 0;
                for (int bound = F.loopBound(c); j < bound; j += F.length()) {
                    FloatVector p = VectorMath.exp(FloatVector.fromMemorySegment(F, xs, row + 4L * j, NATIVE).sub(l));
                    p.sub(uniform).mul(g).intoMemorySegment(os, out + 4L * j, NATIVE);
                }
                for (; j < c; j++) os.set(FL, out + 4L * j, g * (VectorMath.exp(xs.get(FL, row + 4L * j) - l) - uniform));
                long at = out + 4L * t[r];
                os.set(FL, at, os.get(FL, at) - g * (float) (1 - labelSmoothing));
            }
        });
    }

    private static float max(MemorySegment s, long off, int n) {
        FloatVector acc = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) acc = acc.max(FloatVector.fromMemorySegment(F, s, off + 4L * i, NATIVE));
        float m = acc.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) m = Math.max(m, s.get(FL, off + 4L * i));
        return m;
    }

    /** {Σ exp(x - max), Σ x}. */
    private static double[] expSumAndSum(MemorySegment s, long off, int n, float max) {
        FloatVector e = FloatVector.zero(F), x = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector v = FloatVector.fromMemorySegment(F, s, off + 4L * i, NATIVE);
            e = e.add(VectorMath.exp(v.sub(max)));
            x = x.add(v);
        }
        double se = Lanes.sum(e), sx = Lanes.sum(x);
        for (; i < n; i++) {
            float v = s.get(FL, off + 4L * i);
            se += VectorMath.exp(v - max);
            sx += v;
        }
        return new double[] {se, sx};
    }
}
