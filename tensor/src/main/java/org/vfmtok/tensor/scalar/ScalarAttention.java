package org.vfmtok.tensor.scalar;

import java.lang.foreign.MemorySegment;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.AttentionKernels;
import org.vfmtok.tensor.backend.Workspace;

/**
 * Reference attention: per (batch, head) the full Lq x Lk score matrix is materialised in double and
 * softmaxed row by row, exactly as the definition reads. Any dtype, any strides. The backward
 * recomputes the probabilities from scratch and ignores {@code out}/{@code lse}, so it does not depend
 * on the forward being right. Fully masked rows give 0 (see {@link AttentionKernels}).
 */
public final class ScalarAttention implements AttentionKernels {
    @Override
    public void attention(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, double scale, Tensor out, Tensor lse) {
        int[] g = AttentionKernels.checkShapes(q, k, v, mask, out, lse);
        int nb = g[0], nh = g[1], lq = g[2], lk = g[3], dv = g[5];
        View vv = new View(v), vo = new View(out), vl = lse == null ? null : new View(lse);
        for (int b = 0; b < nb; b++) {
            for (int h = 0; h < nh; h++) {
                double[][] p = probabilities(q, k, mask, causal, scale, b, h, g);
                for (int i = 0; i < lq; i++) {
                    for (int c = 0; c < dv; c++) {
                        double s = 0;
                        for (int j = 0; j < lk; j++) s += p[i][j] * vv.get(b, h, j, c);
                        vo.set(s, b, h, i, c);
                    }
                    if (vl != null) vl.set(p[i][lk], b, h, i);
                }
            }
        }
    }

    @Override
    public void attentionBackward(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, double scale,
                                  Tensor out, Tensor lse, Tensor gradOut, Tensor gq, Tensor gk, Tensor gv) {
        int[] g = AttentionKernels.checkShapes(q, k, v, mask, null, null);
        int nb = g[0], nh = g[1], lq = g[2], lk = g[3], d = g[4], dv = g[5];
        View vq = new View(q), vk = new View(k), vv = new View(v), vg = new View(gradOut);
        View oq = new View(gq), ok = new View(gk), ov = new View(gv);
        for (int b = 0; b < nb; b++) {
            for (int h = 0; h < nh; h++) {
                double[][] p = probabilities(q, k, mask, causal, scale, b, h, g);
                // dS = P ⊙ (dP − rowsum(P ⊙ dP)) with dP = dO·vᵀ: the softmax Jacobian applied row by row
                double[][] ds = new double[lq][lk];
                for (int i = 0; i < lq; i++) {
                    double rowDot = 0;
                    for (int j = 0; j < lk; j++) {
                        double dp = 0;
                        for (int c = 0; c < dv; c++) dp += vg.get(b, h, i, c) * vv.get(b, h, j, c);
                        ds[i][j] = dp;
                        rowDot += p[i][j] * dp;
                    }
                    for (int j = 0; j < lk; j++) ds[i][j] = p[i][j] * (ds[i][j] - rowDot);
                }
                for (int i = 0; i < lq; i++) {
                    for (int c = 0; c < d; c++) {
                        double s = 0;
                        for (int j = 0; j < lk; j++) s += ds[i][j] * vk.get(b, h, j, c);
                        oq.set(scale * s, b, h, i, c);
                    }
                }
                for (int j = 0; j < lk; j++) {
                    for (int c = 0; c < d; c++) {
                        double s = 0;
                        for (int i = 0; i < lq; i++) s += ds[i][j] * vq.get(b, h, i, c);
                        ok.set(scale * s, b, h, j, c);
                    }
                    for (int c = 0; c < dv; c++) {
                        double s = 0;
                        for (int i = 0; i < lq; i++) s += p[i][j] * vg.get(b, h, i, c);
                        ov.set(s, b, h, j, c);
                    }
                }
            }
        }
    }

    /**
     * Softmax probabilities of one (batch, head): row i has Lk entries plus, in slot Lk, the row's
     * log-sum-exp. Masked entries are 0; a fully masked row is all 0 with lse -inf.
     */
    private static double[][] probabilities(Tensor q, Tensor k, Tensor mask, boolean causal, double scale, int b, int h, int[] g) {
        int lq = g[2], lk = g[3], d = g[4];
        View vq = new View(q), vk = new View(k), vm = mask == null ? null : new View(mask);
        double[][] p = new double[lq][lk + 1];
        for (int i = 0; i < lq; i++) {
            double[] row = p[i];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < lk; j++) {
                boolean attend = (!causal || j <= i) && (vm == null || vm.get(b, h, i, j) != 0);
                if (!attend) {
                    row[j] = Double.NEGATIVE_INFINITY;
                    continue;
                }
                double s = 0;
                for (int c = 0; c < d; c++) s += vq.get(b, h, i, c) * vk.get(b, h, j, c);
                row[j] = scale * s;
                max = Math.max(max, row[j]);
            }
            if (max == Double.NEGATIVE_INFINITY) {
                java.util.Arrays.fill(row, 0, lk, 0.0);
                row[lk] = Double.NEGATIVE_INFINITY;
                continue;
            }
            double sum = 0;
            for (int j = 0; j < lk; j++) {
                row[j] = Math.exp(row[j] - max); // exp(-inf) = 0 for masked entries
                sum += row[j];
            }
            for (int j = 0; j < lk; j++) row[j] /= sum;
            row[lk] = max + Math.log(sum);
        }
        return p;
    }

    /** Element access by index over any strides, through {@link DType#read}. */
    private static final class View {
        private final MemorySegment seg;
        private final DType dtype;
        private final long offset;
        private final long[] strides;

        View(Tensor t) {
            this.seg = t.segment();
            this.dtype = t.dtype();
            this.offset = t.offset();
            this.strides = t.strides();
        }

        double get(int b, int h, int i, int c) {
            return dtype.read(seg, offset + b * strides[0] + h * strides[1] + i * strides[2] + c * strides[3]);
        }

        void set(double value, int b, int h, int i, int c) {
            dtype.write(seg, offset + b * strides[0] + h * strides[1] + i * strides[2] + c * strides[3], value);
        }

        /** For the (B, H, Lq) lse. */
        void set(double value, int b, int h, int i) {
            dtype.write(seg, offset + b * strides[0] + h * strides[1] + i * strides[2], value);
        }
    }

    // ------------------------------------------------------------------ row (decode-step) mode

    /** No state: the reference allocates its scores per call. */
    private static final Workspace NO_WORKSPACE = new Workspace() {};

    @Override
    public Workspace cachedWorkspace(int queries, int slots) { return NO_WORKSPACE; }

    /** softmax(scale·q·Kᵀ)·V per (row, head) in double precision over the first len slots. */
    @Override
    public void attendCached(Tensor q, Tensor kCache, Tensor vCache, int len, double scale, Tensor out, Workspace workspace) {
        AttentionKernels.checkCached(q, kCache, vCache, len, out);
        int rows = q.size(0), heads = q.size(1), d = q.size(2);
        double[] p = new double[len];
        for (int r = 0; r < rows; r++) {
            for (int h = 0; h < heads; h++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < len; j++) {
                    double s = 0;
                    for (int c = 0; c < d; c++) s += q.getDouble(r, h, c) * kCache.getDouble(r, h, j, c);
                    p[j] = s * scale;
                    max = Math.max(max, p[j]);
                }
                double sum = 0;
                for (int j = 0; j < len; j++) sum += p[j] = Math.exp(p[j] - max);
                for (int c = 0; c < d; c++) {
                    double o = 0;
                    for (int j = 0; j < len; j++) o += p[j] * vCache.getDouble(r, h, j, c);
                    out.setDouble(o / sum, r, h, c);
                }
            }
        }
    }

    /** Element by element through the dtype's write (BF16: rounded to nearest even). */
    @Override
    public void writeCacheSlot(Tensor src, Tensor cache, int slot) {
        AttentionKernels.checkCacheSlot(src, cache, slot);
        for (int r = 0; r < src.size(0); r++) {
            for (int h = 0; h < src.size(1); h++) {
                for (int c = 0; c < src.size(2); c++) cache.setDouble(src.getDouble(r, h, c), r, h, slot, c);
            }
        }
    }

    /** Pair by pair in float, op by op, as the reference rotation rounds (double for F64). */
    @Override
    public void rotary(Tensor x, Tensor table, int firstPosition, boolean inverse, Tensor out) {
        AttentionKernels.checkRotary(x, table, firstPosition, out);
        boolean f64 = x.dtype() == org.vfmtok.tensor.DType.F64;
        int half = x.size(3) / 2;
        for (int b = 0; b < x.size(0); b++) {
            for (int l = 0; l < x.size(1); l++) {
                for (int h = 0; h < x.size(2); h++) {
                    for (int m = 0; m < half; m++) {
                        float c = table.getFloat(firstPosition + l, m, 0), s = (inverse ? -1f : 1f) * table.getFloat(firstPosition + l, m, 1);
                        double x0 = x.getDouble(b, l, h, 2 * m), x1 = x.getDouble(b, l, h, 2 * m + 1);
                        if (f64) {
                            out.setDouble(x0 * c - x1 * s, b, l, h, 2 * m);
                            out.setDouble(x1 * c + x0 * s, b, l, h, 2 * m + 1);
                        } else {
                            float f0 = (float) x0, f1 = (float) x1;
                            out.setDouble(f0 * c - f1 * s, b, l, h, 2 * m);
                            out.setDouble(f1 * c + f0 * s, b, l, h, 2 * m + 1);
                        }
                    }
                }
            }
        }
    }
}
