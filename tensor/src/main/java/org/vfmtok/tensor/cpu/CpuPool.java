package org.vfmtok.tensor.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.PoolKernels;

/**
 * F32 pooling, separable: a horizontal pass reduces each input row over the window's columns, a vertical pass
 * reduces those partial results over the window's rows (kh + kw reads per output instead of kh·kw). Max and
 * sum are both separable over a rectangular window, and the average's divisor (with or without padding) is a
 * product of per-axis counts. Planes (n, c) are spread over the threads. Other dtypes and layouts go to the
 * reference.
 */
public final class CpuPool implements PoolKernels {
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** Roughly the reads below which a plane range is not worth a thread. */
    private static final int MIN_WORK_PER_CHUNK = 1 << 15;

    private final PoolKernels reference;

    public CpuPool(PoolKernels reference) {
        this.reference = reference;
    }

    @Override
    public void pool2d(Tensor x, Tensor out, Mode mode, PoolSpec s) {
        if (!FastPath.denseF32(x) || !FastPath.denseF32(out)) {
            reference.pool2d(x, out, mode, s);
            return;
        }
        int planes = x.size(0) * x.size(1), h = x.size(2), w = x.size(3), ho = out.size(2), wo = out.size(3);
        Window cols = new Window(w, wo, s.kw(), s.sw(), s.pw(), s.countIncludePad());
        Window rows = new Window(h, ho, s.kh(), s.sh(), s.ph(), s.countIncludePad());
        boolean max = mode == Mode.MAX;
        MemorySegment xs = x.segment(), os = out.segment();
        long xBase = x.byteOffset(), oBase = out.byteOffset();
        long work = (long) h * w * (s.kw() + 1) + (long) ho * wo * s.kh();
        int minPlanes = (int) Math.max(1, MIN_WORK_PER_CHUNK / Math.max(1, work));
        Parallel.forRange(planes, minPlanes, (p0, p1) -> {
            float[] in = new float[h * w];
            float[] partial = new float[h * wo];
            float[] res = new float[ho * wo];
            for (int p = p0; p < p1; p++) {
                MemorySegment.copy(xs, FLOAT, xBase + (long) p * h * w * Float.BYTES, in, 0, h * w);
                for (int y = 0; y < h; y++) horizontal(in, y * w, partial, y * wo, cols, s.kw(), s.sw(), max);
                // vertical pass row by row: the inner loops run over contiguous outputs, which C2 vectorises
                for (int oy = 0; oy < ho; oy++) {
                    int at = oy * wo;
                    Arrays.fill(res, at, at + wo, max ? Float.NEGATIVE_INFINITY : 0f);
                    for (int i = rows.lo[oy]; i < rows.hi[oy]; i++) {
                        int src = i * wo;
                        if (max) {
                            for (int ox = 0; ox < wo; ox++) res[at + ox] = Math.max(res[at + ox], partial[src + ox]);
                        } else {
                            for (int ox = 0; ox < wo; ox++) res[at + ox] += partial[src + ox];
                        }
                    }
                    if (!max) {
                        for (int ox = 0; ox < wo; ox++) res[at + ox] /= rows.count[oy] * cols.count[ox];
                    }
                }
                MemorySegment.copy(res, 0, os, FLOAT, oBase + (long) p * ho * wo * Float.BYTES, ho * wo);
            }
        });
    }

    /**
     * One input row reduced over each output's window columns into out[at, at + wo). Outputs whose window
     * lies wholly inside the row are reduced tap by tap across all of them (for stride 1 a contiguous loop
     * that C2 vectorises; each output still sums its taps in window order, so the result is bit-identical);
     * the few at the borders one by one.
     */
    private static void horizontal(float[] in, int base, float[] out, int at, Window cols, int k, int stride, boolean max) {
        int a = cols.full0, b = cols.full1;
        for (int ox = 0; ox < a; ox++) out[at + ox] = reduce(in, base, cols.lo[ox], cols.hi[ox], max);
        for (int ox = b; ox < cols.lo.length; ox++) out[at + ox] = reduce(in, base, cols.lo[ox], cols.hi[ox], max);
        if (a >= b) return;
        Arrays.fill(out, at + a, at + b, max ? Float.NEGATIVE_INFINITY : 0f);
        int first = base + cols.lo[a] - a * stride; // input index of output ox's tap t: first + t + ox·stride
        for (int t = 0; t < k; t++) {
            int from = first + t;
            if (stride == 1) {
                if (max) {
                    for (int ox = a; ox < b; ox++) out[at + ox] = Math.max(out[at + ox], in[from + ox]);
                } else {
                    for (int ox = a; ox < b; ox++) out[at + ox] += in[from + ox];
                }
            } else if (max) {
                for (int ox = a; ox < b; ox++) out[at + ox] = Math.max(out[at + ox], in[from + ox * stride]);
            } else {
                for (int ox = a; ox < b; ox++) out[at + ox] += in[from + ox * stride];
            }
        }
    }

    /** Max (NaN wins, as Math.max does) or sum of a[base + i] for i in [lo, hi), branch-free. */
    private static float reduce(float[] a, int base, int lo, int hi, boolean max) {
        float acc = max ? Float.NEGATIVE_INFINITY : 0f;
        if (max) {
            for (int i = lo; i < hi; i++) acc = Math.max(acc, a[base + i]);
        } else {
            for (int i = lo; i < hi; i++) acc += a[base + i];
        }
        return acc;
    }

    /** One axis of the pooling windows: the in-bounds range [lo, hi) of each output and the average's divisor. */
    private static final class Window {
        final int[] lo, hi, count;
        /** Outputs [full0, full1) have their whole window inside the input (hi − lo = k), a contiguous range. */
        final int full0, full1;

        Window(int in, int outSize, int k, int stride, int pad, boolean countIncludePad) {
            lo = new int[outSize];
            hi = new int[outSize];
            count = new int[outSize];
            for (int o = 0; o < outSize; o++) {
                int start = o * stride - pad, end = Math.min(start + k, in + pad);
                lo[o] = Math.max(start, 0);
                hi[o] = Math.min(end, in);
                count[o] = countIncludePad ? end - start : hi[o] - lo[o];
            }
            int a = 0;
            while (a < outSize && (lo[a] != a * stride - pad || hi[a] - lo[a] != k)) a++;
            int b = a;
            while (b < outSize && lo[b] == b * stride - pad && hi[b] - lo[b] == k) b++;
            full0 = a;
            full1 = b;
        }
    }
}
