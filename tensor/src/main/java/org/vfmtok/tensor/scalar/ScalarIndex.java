package org.vfmtok.tensor.scalar;

import java.util.Arrays;
import org.vfmtok.tensor.Shapes;
import org.vfmtok.tensor.StridedIndex;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.IndexKernels;

/** Reference gathers, scatters and cross entropy, in double precision over any dtype and strides. */
public final class ScalarIndex implements IndexKernels {

    @Override
    public void indexSelect(Tensor src, int dim, Tensor index, Tensor out) {
        int d = Shapes.dim(dim, src.dim());
        long[] idx = IndexKernels.checkedIndices(index, src.size(d), "indexSelect along dim " + d);
        checkGatherShape("indexSelect", src.shape(), d, idx.length, out.shape());
        // Walk out; the src offset along d comes from the index, the others from src's strides.
        long[] srcStrides = src.strides();
        long[] srcOver = srcStrides.clone();
        srcOver[d] = 0;
        var ss = src.segment();
        var os = out.segment();
        StridedIndex it = new StridedIndex(out.shape(), srcOver, out.strides()).start(src.offset(), out.offset());
        for (long i = 0, n = out.numel(); i < n; i++, it.next()) {
            long s = it.offset(0) + idx[it.index(d)] * srcStrides[d];
            out.dtype().write(os, it.offset(1), src.dtype().read(ss, s));
        }
    }

    @Override
    public void indexAdd(Tensor dst, int dim, Tensor index, Tensor src) {
        int d = Shapes.dim(dim, dst.dim());
        long[] idx = IndexKernels.checkedIndices(index, dst.size(d), "indexAdd along dim " + d);
        checkGatherShape("indexAdd", dst.shape(), d, idx.length, src.shape());
        long[] dstStrides = dst.strides();
        long[] dstOver = dstStrides.clone();
        dstOver[d] = 0;
        var ds = dst.segment();
        var ss = src.segment();
        StridedIndex it = new StridedIndex(src.shape(), src.strides(), dstOver).start(src.offset(), dst.offset());
        for (long i = 0, n = src.numel(); i < n; i++, it.next()) {
            long t = it.offset(1) + idx[it.index(d)] * dstStrides[d];
            dst.dtype().write(ds, t, dst.dtype().read(ds, t) + src.dtype().read(ss, it.offset(0)));
        }
    }

    @Override
    public void crossEntropy(Tensor logits, Tensor target, int ignoreIndex, double labelSmoothing, Tensor loss, Tensor lse) {
        int n = logits.size(0), c = logits.size(1);
        long[] t = IndexKernels.checkedTargets(target, c, ignoreIndex);
        for (int r = 0; r < n; r++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0, sumX = 0;
            for (int j = 0; j < c; j++) max = Math.max(max, logit(logits, r, j));
            for (int j = 0; j < c; j++) {
                double v = logit(logits, r, j);
                sum += Math.exp(v - max);
                sumX += v;
            }
            double l = max + Math.log(sum);
            lse.setDouble(l, r);
            double value = 0;
            if (t[r] != ignoreIndex) {
                double nll = l - logit(logits, r, (int) t[r]);
                double smooth = l - sumX / c; // = (1/C)·Σ_c (lse - x_c)
                value = (1 - labelSmoothing) * nll + labelSmoothing * smooth;
            }
            loss.setDouble(value, r);
        }
    }

    @Override
    public void crossEntropyBackward(Tensor logits, Tensor target, int ignoreIndex, double labelSmoothing, Tensor lse, Tensor gradLoss, Tensor gradLogits) {
        int n = logits.size(0), c = logits.size(1);
        long[] t = IndexKernels.checkedTargets(target, c, ignoreIndex);
        for (int r = 0; r < n; r++) {
            boolean ignored = t[r] == ignoreIndex;
            double g = ignored ? 0 : gradLoss.getDouble(r), l = lse.getDouble(r);
            for (int j = 0; j < c; j++) {
                double p = Math.exp(logit(logits, r, j) - l);
                double want = (j == t[r] ? 1 - labelSmoothing : 0) + labelSmoothing / c;
                gradLogits.setDouble(ignored ? 0 : g * (p - want), r, j);
            }
        }
    }

    private static double logit(Tensor logits, int r, int j) { return logits.getDouble(r, j); }

    /** other must equal base with dim d resized to n. */
    static void checkGatherShape(String op, int[] base, int d, int n, int[] other) {
        int[] want = base.clone();
        want[d] = n;
        if (!Arrays.equals(want, other)) {
            throw new IllegalArgumentException(op + ": expected shape " + Arrays.toString(want) + " for " + n + " indices into "
                    + Arrays.toString(base) + " along dim " + d + ", got " + Arrays.toString(other));
        }
    }

    @Override
    public void gatherRows(Tensor table, int[] ids, int count, Tensor out) {
        IndexKernels.checkGatherRows(table, ids, count, out);
        for (int i = 0; i < count; i++) {
            for (int c = 0; c < table.size(1); c++) out.setDouble(table.getDouble(ids[i], c), i, c);
        }
    }
}
