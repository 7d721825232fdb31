package org.vfmtok.tensor.cpu.gemm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorSpecies;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.Workspace;
import org.vfmtok.tensor.cpu.FastPath;
import org.vfmtok.tensor.cpu.Lanes;
import org.vfmtok.tensor.cpu.Parallel;
import org.vfmtok.tensor.cpu.VectorSupport;

/**
 * {@code out = x·wᵀ} (or {@code out += x·wᵀ}) for a linear layer's weight w (N, K) kept in its PyTorch
 * layout, written into a caller's buffer: the decode-step product of a few rows (M = batch, or 2·batch
 * with CFG) against every weight of the model ({@code GemmKernels.linearRows} on the CPU).
 *
 * <p>Why not the packed GEMM: with M this small the product is bound by reading w once from memory, and
 * a GEMM that packs its B operand would read and write every weight again per call. Here each thread
 * streams a slice of w's rows exactly once and dots four of them at a time with two x rows (eight vector
 * accumulators), x staying in cache. Larger M works too (x is walked in tiles of {@link #ROW_TILE} rows so
 * that the slice of w in flight stays in cache), which serves the no-grad full-sequence forward.
 *
 * <p>The weight's storage type is a parameter of the kernel: F32, or BF16 (half the bytes streamed, which is what
 * a decode step is bound by). BF16 rows are loaded as {@link ShortVector}s and widened to F32 lanes in the
 * register ({@link VectorSupport#widenBf16}: bits shifted left 16, exact), then multiplied and accumulated in F32
 * exactly as F32 weights are, so a BF16 weight gives the same bits as its F32 widening. AVX512-BF16's dot
 * products ({@code vdpbf16ps}) would round x to BF16 too and are not reachable through the Vector API anyway;
 * widening keeps x in F32 and costs two cheap instructions per vector of weights.
 *
 * <p>An instance is the caller's workspace: it holds the operands of the call in progress and the parallel
 * body made once, so {@link #run} allocates nothing; one calling thread at a time.
 */
public final class RowGemm implements Workspace {
    private static final VectorSpecies<Float> F = VectorSupport.F;
    private static final int VL = F.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final VectorSpecies<Short> BF16 = VectorSupport.BF16;
    /** x rows per pass over a slice of w. */
    static final int ROW_TILE = 64;
    /** w rows per thread at least (below this, threading costs more than it saves). */
    private static final int MIN_ROWS_PER_THREAD = 32;
    /**
     * Per thread, room for the eight accumulators of {@link #micro}. They are summed from here
     * ({@link Lanes#tree(float[], int)}, same bits) rather than as vectors: eight inlined trees pushed micro past C2's NodeCountInliningCutoff, the trees
     * that were not inlined got their vectors boxed (~40% of the decode step's heap garbage, measured with
     * JFR), and a spill of eight vectors is cheap next to the row of weights streamed before it.
     */
    private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[8 * VL]);

    // The operands of the call in progress, read by every thread of it (published by Parallel's hand-over).
    private MemorySegment xs, ws, os;
    private boolean bf16;          // w is BF16 (else F32)
    private long x0, xr, w0, wr, o0, or, oc;   // byte offsets and strides; out (i, j) at o0 + i·or + j·oc
    private int m, n, k, slices;   // slices: of four w rows per item, the last taking the rest
    private int items;             // products of one call (a batch): item t has its operands at the byte offsets below
    private long[] xItems, wItems, oItems;
    private float alpha, beta;
    /** This product's work over slices of four w rows, made once so that a call allocates nothing. */
    private final Parallel.RangeBody sliceWork = this::slices;

    /** A product to reuse (made through {@code GemmKernels.linearWorkspace}). */
    public RowGemm() {}

    /** Whether {@link #run} takes these operands: x and out F32, w F32 or BF16 ({@link #weightType}), in CPU memory, last dims contiguous. */
    public static boolean supports(Tensor x, Tensor w, Tensor out) {
        return FastPath.rowsF32(x) && weightType(w.dtype()) && FastPath.rowsOf(w, w.dtype()) && FastPath.rowsF32(out);
    }

    /** Whether the kernel reads weights of this storage type: F32 or BF16. */
    public static boolean weightType(DType t) {
        return t == DType.F32 || t == DType.BF16;
    }

    /** out (M, N) = x (M, K) · w (N, K)ᵀ, or out += x·wᵀ when {@code accumulate}, for operands that {@link #supports} (checked by the caller). */
    public void run(Tensor x, Tensor w, Tensor out, boolean accumulate) {
        run(x.segment(), x.byteOffset(), x.stride(0) * 4, w.dtype(), w.segment(), w.byteOffset(), w.stride(0) * w.dtype().byteSize(),
                out.segment(), out.byteOffset(), out.stride(0) * 4, out.stride(1) * 4, x.size(0), w.size(0), x.size(1), 1f, accumulate ? 1f : 0f);
    }

    /**
     * The same product on raw operands (byte offsets and row strides; x and w rows contiguous; x and out F32, w of
     * type {@code wType}, F32 or BF16), as the general GEMM routes a single product with a small side here:
     * {@code out(i, j) = alpha·Σ_p x(i, p)·w(j, p) + beta·out(i, j)} with out(i, j) at {@code o0 + i·or + j·oc} bytes
     * (beta 0: out is not read). alpha 1, beta 0 or 1 give the bits of {@code x·wᵀ} and {@code out + x·wᵀ}.
     */
    public void run(MemorySegment xs, long x0, long xr, DType wType, MemorySegment ws, long w0, long wr, MemorySegment os, long o0, long or, long oc,
                    int m, int n, int k, float alpha, float beta) {
        items = 1;
        start(xs, x0, xr, wType, ws, w0, wr, os, o0, or, oc, m, n, k, alpha, beta);
    }

    /**
     * A batch of such products in one parallel call: item t has x, w and out at the byte offsets
     * {@code xItems[t]}, {@code wItems[t]}, {@code oItems[t]} (same strides and sizes for all).
     */
    public void runBatch(MemorySegment xs, long[] xItems, long xr, DType wType, MemorySegment ws, long[] wItems, long wr, MemorySegment os, long[] oItems,
                         long or, long oc, int m, int n, int k, float alpha, float beta) {
        items = xItems.length;
        this.xItems = xItems;
        this.wItems = wItems;
        this.oItems = oItems;
        try {
            start(xs, 0, xr, wType, ws, 0, wr, os, 0, or, oc, m, n, k, alpha, beta);
        } finally {
            this.xItems = this.wItems = this.oItems = null;
        }
    }

    private void start(MemorySegment xs, long x0, long xr, DType wType, MemorySegment ws, long w0, long wr, MemorySegment os, long o0, long or, long oc,
                       int m, int n, int k, float alpha, float beta) {
        if (!weightType(wType)) throw new IllegalArgumentException("RowGemm reads F32 or BF16 weights, not " + wType);
        if (m == 0 || n == 0 || items == 0) return;
        this.bf16 = wType == DType.BF16;
        this.m = m;
        this.n = n;
        this.k = k;
        this.xs = xs;
        this.x0 = x0;
        this.xr = xr;
        this.ws = ws;
        this.w0 = w0;
        this.wr = wr;
        this.os = os;
        this.o0 = o0;
        this.or = or;
        this.oc = oc;
        this.alpha = alpha;
        this.beta = beta;
        try {
            slices = Math.max(1, n / 4);
            // a part is at least MIN_ROWS_PER_THREAD w rows and ~64K multiply-adds: small products stay on one thread
            int minUnits = (int) Math.max(MIN_ROWS_PER_THREAD / 4, (1L << 16) / Math.max(1, 4L * m * k));
            Parallel.forRange(items * slices, minUnits, sliceWork);
        } finally {
            this.xs = this.ws = this.os = null;    // the operands are not kept alive by the object
        }
    }

    /** Work units [s, e): slices of four w rows (the last of an item takes the rest), all x rows, item by item. */
    private void slices(int s, int e) {
        if (xItems == null) {   // one product, at x0, w0, o0
            int n0 = s * 4, n1 = e == slices ? n : e * 4;
            for (int m0 = 0; m0 < m; m0 += ROW_TILE) block(x0, w0, o0, m0, Math.min(m, m0 + ROW_TILE), n0, n1);
            return;
        }
        for (int u = s; u < e; ) {
            int t = u / slices, first = u - t * slices, last = Math.min(e - t * slices, slices);
            int n0 = first * 4, n1 = last == slices ? n : last * 4;
            for (int m0 = 0; m0 < m; m0 += ROW_TILE) block(xItems[t], wItems[t], oItems[t], m0, Math.min(m, m0 + ROW_TILE), n0, n1);
            u = t * slices + last;
        }
    }

    /** Rows [m0, m1) of x against rows [n0, n1) of w (one item, at byte offsets xb, wb, ob), four w rows by two x rows at a time. */
    private void block(long xb, long wb, long ob, int m0, int m1, int n0, int n1) {
        float[] lanes = LANES.get();
        for (int n = n0; n < n1; n += 4) {
            // past the end, repeat the last row: computed, never stored
            int na = n, nb = Math.min(n + 1, n1 - 1), nc = Math.min(n + 2, n1 - 1), nd = Math.min(n + 3, n1 - 1);
            int valid = Math.min(4, n1 - n);
            for (int m = m0; m < m1; m += 2) {
                int mb = Math.min(m + 1, m1 - 1);
                micro(xb, wb, ob, m, mb, m + 1 < m1, na, nb, nc, nd, valid, lanes);
            }
        }
    }

    private void micro(long x0, long w0, long o0, int ma, int mb, boolean twoRows, int na, int nb, int nc, int nd, int valid, float[] lanes) {
        MemorySegment xs = this.xs, ws = this.ws;
        int k = this.k;
        boolean bf16 = this.bf16;
        int wShift = bf16 ? 1 : 2;     // log2 of the weight's bytes per element
        long xa = x0 + ma * xr, xb = x0 + mb * xr;
        long wa = w0 + na * wr, wb = w0 + nb * wr, wc = w0 + nc * wr, wd = w0 + nd * wr;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        int kv = bf16 && BF16 == null ? 0 : k - k % VL;   // no short species for 64-bit float vectors: all in the tail
        for (int i = 0; i < kv; i += VL) {
            long off = 4L * i, woff = (long) i << wShift;
            FloatVector va = FloatVector.fromMemorySegment(F, xs, xa + off, NATIVE);
            FloatVector w0v = weights(ws, wa + woff, bf16), w1v = weights(ws, wb + woff, bf16);
            FloatVector w2v = weights(ws, wc + woff, bf16), w3v = weights(ws, wd + woff, bf16);
            a0 = w0v.fma(va, a0);
            a1 = w1v.fma(va, a1);
            a2 = w2v.fma(va, a2);
            a3 = w3v.fma(va, a3);
            if (twoRows) {   // invariant: C2 unswitches the loop; a lone x row (batch-1 decode) does half the FMAs
                FloatVector vb = FloatVector.fromMemorySegment(F, xs, xb + off, NATIVE);
                b0 = w0v.fma(vb, b0);
                b1 = w1v.fma(vb, b1);
                b2 = w2v.fma(vb, b2);
                b3 = w3v.fma(vb, b3);
            }
        }
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, VL);
        a2.intoArray(lanes, 2 * VL);
        a3.intoArray(lanes, 3 * VL);
        b0.intoArray(lanes, 4 * VL);
        b1.intoArray(lanes, 5 * VL);
        b2.intoArray(lanes, 6 * VL);
        b3.intoArray(lanes, 7 * VL);
        float sa0 = Lanes.tree(lanes, 0) + tail(xa, wa, kv), sa1 = Lanes.tree(lanes, VL) + tail(xa, wb, kv);
        float sa2 = Lanes.tree(lanes, 2 * VL) + tail(xa, wc, kv), sa3 = Lanes.tree(lanes, 3 * VL) + tail(xa, wd, kv);
        store(o0, ma, na, valid, sa0, sa1, sa2, sa3);
        if (twoRows) {
            float sb0 = Lanes.tree(lanes, 4 * VL) + tail(xb, wa, kv), sb1 = Lanes.tree(lanes, 5 * VL) + tail(xb, wb, kv);
            float sb2 = Lanes.tree(lanes, 6 * VL) + tail(xb, wc, kv), sb3 = Lanes.tree(lanes, 7 * VL) + tail(xb, wd, kv);
            store(o0, mb, na, valid, sb0, sb1, sb2, sb3);
        }
    }

    /**
     * VL weights at byte {@code at} as F32 lanes: loaded as they are, or BF16 widened in the register. The flag is
     * invariant in {@link #micro}'s loop, which C2 unswitches into one loop per storage type.
     */
    private static FloatVector weights(MemorySegment ws, long at, boolean bf16) {
        return bf16 ? VectorSupport.widenBf16(ShortVector.fromMemorySegment(BF16, ws, at, NATIVE)) : FloatVector.fromMemorySegment(F, ws, at, NATIVE);
    }

    /** Σ x[i]·w[i] over the scalar tail i in [from, k). */
    private float tail(long xRow, long wRow, int from) {
        float s = 0;
        if (bf16) {
            for (int i = from; i < k; i++) s += xs.get(FLOAT, xRow + 4L * i) * Float.intBitsToFloat(ws.get(SHORT, wRow + 2L * i) << 16);
        } else {
            for (int i = from; i < k; i++) s += xs.get(FLOAT, xRow + 4L * i) * ws.get(FLOAT, wRow + 4L * i);
        }
        return s;
    }

    private void store(long o0, int row, int col, int valid, float v0, float v1, float v2, float v3) {
        long at = o0 + row * or + col * oc;
        put(at, v0);
        if (valid > 1) put(at + oc, v1);
        if (valid > 2) put(at + 2 * oc, v2);
        if (valid > 3) put(at + 3 * oc, v3);
    }

    private void put(long at, float v) {
        float d = alpha * v;
        os.set(FLOAT, at, beta == 0 ? d : d + beta * os.get(FLOAT, at));
    }
}
