package org.vfmtok.tensor.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.NormKernels;

/**
 * Vector API normalisations for contiguous F32 tensors; anything else goes to the reference.
 *
 * <p>Layer and RMS norm share one row kernel ({@code centred} switches the mean off) and run rows in
 * parallel. Their weight/bias gradients sum over rows, so backward splits the rows into a fixed number
 * of chunks (at least one per thread, at most {@link #ROWS_PER_PARTIAL} rows each), each with its own
 * float partial sums, and adds the partials in chunk order in double afterwards: thread safe, accurate
 * for long batches, and deterministic for a given thread count. Group norm runs (sample, group) blocks in parallel;
 * its backward first reduces each (sample, channel) to Σg and Σg·x (PyTorch's formulation), which
 * gives both the input gradient and, summed over samples, the weight and bias gradients.
 *
 * <p>Means and variances are two-pass (mean first, then squared deviations); lanes accumulate in
 * float over one row or channel and the lane totals are combined in double.
 */
public final class CpuNorm implements NormKernels {
    private static final VectorSpecies<Float> F = VectorSupport.F;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    /** Elements per parallel task below which splitting does not pay. */
    private static final int GRAIN = 16384;
    /** Rows whose weight/bias gradient terms one float partial sum may absorb before the double total. */
    private static final int ROWS_PER_PARTIAL = 512;

    private final NormKernels reference;

    public CpuNorm(NormKernels reference) {
        this.reference = reference;
    }

    @Override
    public void layerNorm(Tensor x, Tensor w, Tensor b, double eps, Tensor out, Tensor mean, Tensor rstd) {
        if (!fast(x, w, b, out, mean, rstd)) {
            reference.layerNorm(x, w, b, eps, out, mean, rstd);
            return;
        }
        rowsForward(true, x, w, b, eps, out, mean, rstd);
    }

    @Override
    public void layerNormBackward(Tensor gradOut, Tensor x, Tensor w, Tensor mean, Tensor rstd, Tensor gx, Tensor gw, Tensor gb) {
        if (!fast(gradOut, x, w, mean, rstd, gx, gw, gb)) {
            reference.layerNormBackward(gradOut, x, w, mean, rstd, gx, gw, gb);
            return;
        }
        rowsBackward(true, gradOut, x, w, mean, rstd, gx, gw, gb);
    }

    @Override
    public void rmsNorm(Tensor x, Tensor w, double eps, Tensor out, Tensor rstd) {
        if (!FastPath.denseF32(x) || !FastPath.denseF32(w) || !FastPath.denseF32(out) || !FastPath.denseF32(rstd)) {   // no varargs: a decode step allocates nothing
            reference.rmsNorm(x, w, eps, out, rstd);
            return;
        }
        rowsForward(false, x, w, null, eps, out, null, rstd);
    }

    @Override
    public void rmsNormBackward(Tensor gradOut, Tensor x, Tensor w, Tensor rstd, Tensor gx, Tensor gw) {
        if (!fast(gradOut, x, w, rstd, gx, gw)) {
            reference.rmsNormBackward(gradOut, x, w, rstd, gx, gw);
            return;
        }
        rowsBackward(false, gradOut, x, w, null, rstd, gx, gw, null);
    }

    @Override
    public void groupNorm(Tensor x, int groups, Tensor w, Tensor b, double eps, Tensor out, Tensor mean, Tensor rstd) {
        if (!fast(x, w, b, out, mean, rstd)) {
            reference.groupNorm(x, groups, w, b, eps, out, mean, rstd);
            return;
        }
        new Groups(x, groups).forward(x, w, b, eps, out, mean, rstd, false);
    }

    @Override
    public void groupNormSilu(Tensor x, int groups, Tensor w, Tensor b, double eps, Tensor out, Tensor mean, Tensor rstd) {
        if (!fast(x, w, b, out, mean, rstd)) {
            reference.groupNormSilu(x, groups, w, b, eps, out, mean, rstd);
            return;
        }
        new Groups(x, groups).forward(x, w, b, eps, out, mean, rstd, true);
    }

    @Override
    public void groupNormBackward(Tensor gradOut, Tensor x, int groups, Tensor w, Tensor mean, Tensor rstd, Tensor gx, Tensor gw, Tensor gb) {
        if (!fast(gradOut, x, w, mean, rstd, gx, gw, gb)) {
            reference.groupNormBackward(gradOut, x, groups, w, mean, rstd, gx, gw, gb);
            return;
        }
        new Groups(x, groups).backward(gradOut, x, w, mean, rstd, gx, gw, gb);
    }

    private static boolean fast(Tensor... ts) {
        return FastPath.denseF32(ts);
    }

    // ------------------------------------------------------------------ layer / RMS norm (rows)

    private static void rowsForward(boolean centred, Tensor x, Tensor w, Tensor b, double eps, Tensor out, Tensor mean, Tensor rstd) {
        int rows = Math.toIntExact(rstd.numel());
        if (rows == 0) return;
        int cols = Math.toIntExact(x.numel() / rows);
        MemorySegment xs = x.segment(), os = out.segment(), rs = rstd.segment();
        MemorySegment ws = w == null ? null : w.segment(), bs = b == null ? null : b.segment();
        MemorySegment ms = mean == null ? null : mean.segment();
        long xo = x.byteOffset(), oo = out.byteOffset(), wo = w == null ? 0 : w.byteOffset(), bo = b == null ? 0 : b.byteOffset();
        long mo = mean == null ? 0 : mean.byteOffset(), ro = rstd.byteOffset();
        int grain = Math.max(1, GRAIN / Math.max(1, cols));
        if (FastPath.onCaller((long) rows * cols)) {   // a few rows (a decode step): on this thread, no body made, nothing allocated
            normRows(centred, xs, xo, ws, wo, bs, bo, eps, os, oo, ms, mo, rs, ro, cols, 0, rows);
            return;
        }
        Parallel.forRange(rows, grain, (s, e) -> normRows(centred, xs, xo, ws, wo, bs, bo, eps, os, oo, ms, mo, rs, ro, cols, s, e));
    }

    /** Rows [s, e) of {@link #rowsForward}. */
    private static void normRows(boolean centred, MemorySegment xs, long xo, MemorySegment ws, long wo, MemorySegment bs, long bo, double eps,
                                 MemorySegment os, long oo, MemorySegment ms, long mo, MemorySegment rs, long ro, int cols, int s, int e) {
        for (int r = s; r < e; r++) {
            long xr = xo + 4L * r * cols, orow = oo + 4L * r * cols;
            float mu = centred ? (float) (sum(xs, xr, cols) / cols) : 0f;
            float rsd = normRow(xs, xr, cols, mu, eps, ws, wo, bs, bo, os, orow);
            if (ms != null) ms.set(FLOAT, mo + 4L * r, mu);
            rs.set(FLOAT, ro + 4L * r, rsd);
        }
    }

    /** (x − mu)·rstd·w + b for one row, rstd from the squared deviations about mu; returns rstd. */
    private static float normRow(MemorySegment xs, long xr, int cols, float mu, double eps, MemorySegment ws, long wo,
                                 MemorySegment bs, long bo, MemorySegment os, long orow) {
        float rsd = (float) (1.0 / Math.sqrt(sumSqDev(xs, xr, cols, mu) / cols + eps));
        affine(xs, xr, os, orow, cols, mu, rsd, ws, wo, bs, bo);
        return rsd;
    }

    /** out[j] = (x[j] - mu)·rstd·w[j] + b[j]; w, b nullable. */
    private static void affine(MemorySegment xs, long xo, MemorySegment os, long oo, int n, float mu, float rstd,
                               MemorySegment ws, long wo, MemorySegment bs, long bo) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            long k = 4L * i;
            FloatVector y = FloatVector.fromMemorySegment(F, xs, xo + k, NATIVE).sub(mu).mul(rstd);
            if (ws != null) y = y.mul(FloatVector.fromMemorySegment(F, ws, wo + k, NATIVE));
            if (bs != null) y = y.add(FloatVector.fromMemorySegment(F, bs, bo + k, NATIVE));
            y.intoMemorySegment(os, oo + k, NATIVE);
        }
        for (; i < n; i++) {
            long k = 4L * i;
            float y = (xs.get(FLOAT, xo + k) - mu) * rstd;
            if (ws != null) y *= ws.get(FLOAT, wo + k);
            if (bs != null) y += bs.get(FLOAT, bo + k);
            os.set(FLOAT, oo + k, y);
        }
    }

    private static void rowsBackward(boolean centred, Tensor g, Tensor x, Tensor w, Tensor mean, Tensor rstd, Tensor gx, Tensor gw, Tensor gb) {
        int rows = Math.toIntExact(rstd.numel());
        int cols = rows == 0 ? 0 : Math.toIntExact(x.numel() / rows);
        // at least one chunk per thread with enough work, and at most ROWS_PER_PARTIAL rows summed in float per partial
        int perThread = Math.max(1, Math.min(Parallel.threads(), rows / Math.max(1, GRAIN / Math.max(1, cols))));
        int chunks = Math.max(perThread, (rows + ROWS_PER_PARTIAL - 1) / ROWS_PER_PARTIAL);
        float[][] pw = gw == null ? null : new float[chunks][cols];
        float[][] pb = gb == null ? null : new float[chunks][cols];
        MemorySegment gs = g.segment(), xs = x.segment(), rs = rstd.segment();
        MemorySegment ws = w == null ? null : w.segment(), ms = mean == null ? null : mean.segment();
        MemorySegment gxs = gx == null ? null : gx.segment();
        long go = g.byteOffset(), xo = x.byteOffset(), wo = w == null ? 0 : w.byteOffset(), ro = rstd.byteOffset();
        long mo = mean == null ? 0 : mean.byteOffset(), gxo = gx == null ? 0 : gx.byteOffset();
        Parallel.forRange(chunks, 1, (cs, ce) -> {
            for (int c = cs; c < ce; c++) {
                float[] accW = pw == null ? null : pw[c], accB = pb == null ? null : pb[c];
                for (int r = (int) ((long) rows * c / chunks), end = (int) ((long) rows * (c + 1) / chunks); r < end; r++) {
                    long row = 4L * r * cols;
                    float mu = ms == null ? 0f : ms.get(FLOAT, mo + 4L * r);
                    float rsd = rs.get(FLOAT, ro + 4L * r);
                    rowBackward(centred, gs, go + row, xs, xo + row, ws, wo, mu, rsd, cols, gxs, gxo + row, accW, accB);
                }
            }
        });
        if (gw != null) writeSum(pw, gw);
        if (gb != null) writeSum(pb, gb);
    }

    /**
     * One row: with xhat = (x - mu)·rstd and g' = g·w, gx = rstd·(g' - mean(g') - xhat·mean(g'·xhat))
     * (no mean(g') term for RMS norm); accW += g·xhat, accB += g.
     */
    private static void rowBackward(boolean centred, MemorySegment gs, long go, MemorySegment xs, long xo, MemorySegment ws, long wo,
                                    float mu, float rstd, int n, MemorySegment gxs, long gxo, float[] accW, float[] accB) {
        FloatVector vG = FloatVector.zero(F), vGX = FloatVector.zero(F);
        int i = 0, bound = F.loopBound(n);
        for (; i < bound; i += F.length()) {
            long k = 4L * i;
            FloatVector gv = FloatVector.fromMemorySegment(F, gs, go + k, NATIVE);
            FloatVector xhat = FloatVector.fromMemorySegment(F, xs, xo + k, NATIVE).sub(mu).mul(rstd);
            FloatVector gp = ws == null ? gv : gv.mul(FloatVector.fromMemorySegment(F, ws, wo + k, NATIVE));
            vG = vG.add(gp);
            vGX = gp.fma(xhat, vGX);
            if (accW != null) gv.fma(xhat, FloatVector.fromArray(F, accW, i)).intoArray(accW, i);
            if (accB != null) gv.add(FloatVector.fromArray(F, accB, i)).intoArray(accB, i);
        }
        double sumG = Lanes.sum(vG), sumGX = Lanes.sum(vGX);
        for (int j = i; j < n; j++) {
            long k = 4L * j;
            float gv = gs.get(FLOAT, go + k), xhat = (xs.get(FLOAT, xo + k) - mu) * rstd;
            float gp = ws == null ? gv : gv * ws.get(FLOAT, wo + k);
            sumG += gp;
            sumGX += gp * xhat;
            if (accW != null) accW[j] += gv * xhat;
            if (accB != null) accB[j] += gv;
        }
        if (gxs == null) return;
        // gx = rstd·g' + a·xhat + c with a = -rstd·mean(g'·xhat), c = -rstd·mean(g')
        float a = (float) (-rstd * sumGX / n), c = centred ? (float) (-rstd * sumG / n) : 0f;
        i = 0;
        for (; i < bound; i += F.length()) {
            long k = 4L * i;
            FloatVector gv = FloatVector.fromMemorySegment(F, gs, go + k, NATIVE);
            FloatVector xhat = FloatVector.fromMemorySegment(F, xs, xo + k, NATIVE).sub(mu).mul(rstd);
            FloatVector gp = ws == null ? gv : gv.mul(FloatVector.fromMemorySegment(F, ws, wo + k, NATIVE));
            gp.mul(rstd).add(xhat.fma(a, c)).intoMemorySegment(gxs, gxo + k, NATIVE);
        }
        for (; i < n; i++) {
            long k = 4L * i;
            float gv = gs.get(FLOAT, go + k), xhat = (xs.get(FLOAT, xo + k) - mu) * rstd;
            float gp = ws == null ? gv : gv * ws.get(FLOAT, wo + k);
            gxs.set(FLOAT, gxo + k, rstd * gp + (xhat * a + c));
        }
    }

    /** dst[j] = Σ_c partials[c][j], chunks added in order. */
    private static void writeSum(float[][] partials, Tensor dst) {
        MemorySegment ds = dst.segment();
        long off = dst.byteOffset();
        int n = Math.toIntExact(dst.numel());
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (float[] p : partials) s += p[j];
            ds.set(FLOAT, off + 4L * j, (float) s);
        }
    }

    // ------------------------------------------------------------------ group norm

    /** x (N, C, S...) contiguous as N·G blocks of cpg channels × spatial elements. */
    private static final class Groups {
        final int n, c, groups, cpg, spatial, blocks;
        final long blockSize;

        Groups(Tensor x, int groups) {
            this.n = x.size(0);
            this.c = x.size(1);
            this.groups = groups;
            this.cpg = c / groups;
            this.spatial = n == 0 || c == 0 ? 0 : Math.toIntExact(x.numel() / ((long) n * c));
            this.blocks = n * groups;
            this.blockSize = (long) cpg * spatial;
        }

        int minBlocksPerTask() { return (int) Math.max(1, GRAIN / Math.max(1, blockSize)); }

        /** silu: apply x·sigmoid(x) to each normalised value before it is stored. */
        void forward(Tensor x, Tensor w, Tensor b, double eps, Tensor out, Tensor mean, Tensor rstd, boolean silu) {
            MemorySegment xs = x.segment(), os = out.segment(), ms = mean.segment(), rs = rstd.segment();
            MemorySegment ws = w == null ? null : w.segment(), bs = b == null ? null : b.segment();
            long xo = x.byteOffset(), oo = out.byteOffset(), mo = mean.byteOffset(), ro = rstd.byteOffset();
            long wo = w == null ? 0 : w.byteOffset(), bo = b == null ? 0 : b.byteOffset();
            Parallel.forRange(blocks, minBlocksPerTask(), (s, e) -> {
                for (int k = s; k < e; k++) {
                    long base = 4L * k * blockSize;
                    double total = 0;
                    for (int i = 0; i < cpg; i++) total += sum(xs, xo + base + 4L * i * spatial, spatial);
                    float mu = (float) (total / blockSize);
                    double ss = 0;
                    for (int i = 0; i < cpg; i++) ss += sumSqDev(xs, xo + base + 4L * i * spatial, spatial, mu);
                    float rsd = (float) (1.0 / Math.sqrt(ss / blockSize + eps));
                    ms.set(FLOAT, mo + 4L * k, mu);
                    rs.set(FLOAT, ro + 4L * k, rsd);
                    int ch0 = (k % groups) * cpg;
                    for (int i = 0; i < cpg; i++) {
                        long ch = ch0 + i;
                        float scale = ws == null ? rsd : rsd * ws.get(FLOAT, wo + 4L * ch);
                        float shift = (bs == null ? 0f : bs.get(FLOAT, bo + 4L * ch)) - mu * scale;
                        long off = base + 4L * i * spatial;
                        scaleShift(xs, xo + off, os, oo + off, spatial, scale, shift, silu);
                    }
                }
            });
        }

        void backward(Tensor g, Tensor x, Tensor w, Tensor mean, Tensor rstd, Tensor gx, Tensor gw, Tensor gb) {
            double[] sumGX = new double[n * c], sumG = new double[n * c]; // per (sample, channel): Σg·x, Σg
            MemorySegment gs = g.segment(), xs = x.segment(), ms = mean.segment(), rs = rstd.segment();
            MemorySegment ws = w == null ? null : w.segment(), gxs = gx == null ? null : gx.segment();
            long go = g.byteOffset(), xo = x.byteOffset(), mo = mean.byteOffset(), ro = rstd.byteOffset();
            long wo = w == null ? 0 : w.byteOffset(), gxo = gx == null ? 0 : gx.byteOffset();
            Parallel.forRange(blocks, minBlocksPerTask(), (s, e) -> {
                for (int k = s; k < e; k++) {
                    long base = 4L * k * blockSize;
                    int ch0 = (k % groups) * cpg, row = (k / groups) * c;
                    double sgw = 0, sgwx = 0; // Σ w·Σg and Σ w·Σg·x over the group
                    for (int i = 0; i < cpg; i++) {
                        long off = base + 4L * i * spatial;
                        double[] d = dotAndSum(gs, go + off, xs, xo + off, spatial);
                        sumGX[row + ch0 + i] = d[0];
                        sumG[row + ch0 + i] = d[1];
                        double wc = ws == null ? 1.0 : ws.get(FLOAT, wo + 4L * (ch0 + i));
                        sgwx += wc * d[0];
                        sgw += wc * d[1];
                    }
                    if (gxs == null) continue;
                    double mu = ms.get(FLOAT, mo + 4L * k), rsd = rs.get(FLOAT, ro + 4L * k);
                    // gx = rstd·w·g + c2·x + c3 (see ScalarNorm for the unfused form)
                    double c2 = -rsd * rsd * rsd * (sgwx - mu * sgw) / blockSize;
                    double c3 = -c2 * mu - rsd * sgw / blockSize;
                    for (int i = 0; i < cpg; i++) {
                        float a = (float) (ws == null ? rsd : rsd * ws.get(FLOAT, wo + 4L * (ch0 + i)));
                        long off = base + 4L * i * spatial;
                        linear2(gs, go + off, a, xs, xo + off, (float) c2, (float) c3, gxs, gxo + off, spatial);
                    }
                }
            });
            // gw[ch] = Σ_n rstd·(Σg·x - mean·Σg), gb[ch] = Σ_n Σg: O(N·C), serial.
            for (int ch = 0; ch < c; ch++) {
                double accW = 0, accB = 0;
                for (int s = 0; s < n; s++) {
                    int k = s * groups + ch / cpg;
                    double mu = ms.get(FLOAT, mo + 4L * k), rsd = rs.get(FLOAT, ro + 4L * k);
                    accW += rsd * (sumGX[s * c + ch] - mu * sumG[s * c + ch]);
                    accB += sumG[s * c + ch];
                }
                if (gw != null) gw.segment().set(FLOAT, gw.byteOffset() + 4L * ch, (float) accW);
                if (gb != null) gb.segment().set(FLOAT, gb.byteOffset() + 4L * ch, (float) accB);
            }
        }
    }

    // ------------------------------------------------------------------ vector helpers

    private static double sum(MemorySegment s, long off, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) acc = acc.add(FloatVector.fromMemorySegment(F, s, off + 4L * i, NATIVE));
        double r = Lanes.sum(acc);
        for (; i < n; i++) r += s.get(FLOAT, off + 4L * i);
        return r;
    }

    /** Σ (x - mu)². */
    private static double sumSqDev(MemorySegment s, long off, int n, float mu) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector d = FloatVector.fromMemorySegment(F, s, off + 4L * i, NATIVE).sub(mu);
            acc = d.fma(d, acc);
        }
        double r = Lanes.sum(acc);
        for (; i < n; i++) {
            double d = s.get(FLOAT, off + 4L * i) - mu;
            r += d * d;
        }
        return r;
    }

    /** {Σ a·b, Σ a}. */
    private static double[] dotAndSum(MemorySegment as, long ao, MemorySegment bs, long bo, int n) {
        FloatVector dot = FloatVector.zero(F), sum = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector a = FloatVector.fromMemorySegment(F, as, ao + 4L * i, NATIVE);
            dot = a.fma(FloatVector.fromMemorySegment(F, bs, bo + 4L * i, NATIVE), dot);
            sum = sum.add(a);
        }
        double d = Lanes.sum(dot), s = Lanes.sum(sum);
        for (; i < n; i++) {
            float a = as.get(FLOAT, ao + 4L * i);
            d += a * bs.get(FLOAT, bo + 4L * i);
            s += a;
        }
        return new double[] {d, s};
    }

    /**
     * out = y or silu(y) = y·sigmoid(y) for y = x·scale + shift. The tail runs as one masked vector, so
     * every element takes the same arithmetic as the silu of {@link CpuPointwise}.
     */
    private static void scaleShift(MemorySegment xs, long xo, MemorySegment os, long oo, int n, float scale, float shift, boolean silu) {
        FloatVector sc = FloatVector.broadcast(F, scale), sh = FloatVector.broadcast(F, shift);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            scaleShift(FloatVector.fromMemorySegment(F, xs, xo + 4L * i, NATIVE), sc, sh, silu).intoMemorySegment(os, oo + 4L * i, NATIVE);
        }
        if (i < n) {
            var m = F.indexInRange(i, n);
            scaleShift(FloatVector.fromMemorySegment(F, xs, xo + 4L * i, NATIVE, m), sc, sh, silu).intoMemorySegment(os, oo + 4L * i, NATIVE, m);
        }
    }

    private static FloatVector scaleShift(FloatVector x, FloatVector scale, FloatVector shift, boolean silu) {
        FloatVector y = x.fma(scale, shift);
        return silu ? y.mul(VectorMath.sigmoid(y)) : y;
    }

    /** out = a·u + b·v + c. */
    private static void linear2(MemorySegment us, long uo, float a, MemorySegment vs, long vo, float b, float c,
                                MemorySegment os, long oo, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector v = FloatVector.fromMemorySegment(F, vs, vo + 4L * i, NATIVE).fma(b, c);
            FloatVector.fromMemorySegment(F, us, uo + 4L * i, NATIVE).fma(FloatVector.broadcast(F, a), v).intoMemorySegment(os, oo + 4L * i, NATIVE);
        }
        for (; i < n; i++) os.set(FLOAT, oo + 4L * i, us.get(FLOAT, uo + 4L * i) * a + (vs.get(FLOAT, vo + 4L * i) * b + c));
    }
}
