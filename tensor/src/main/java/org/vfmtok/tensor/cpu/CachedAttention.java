package org.vfmtok.tensor.cpu;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.Workspace;

/**
 * Attention of one new query per (row, head) over the first {@code len} slots of a KV cache:
 * {@code out = softmax(scale·q·Kᵀ)·V}, the decode-step (row) mode of scaled dot-product attention
 * ({@code AttentionKernels.attendCached} on the CPU). An instance is the caller's workspace: the score rows of
 * up to {@code queries} (row, head) pairs, the operands of the call in progress and the three parallel bodies
 * made once; one calling thread at a time.
 *
 * <p>Why not the attention op: its kernel packs k and v of every head into fresh heap scratch on each call
 * (right for many queries, but for one query that doubles the cache traffic and makes garbage per token).
 * Here k and v rows are read in place from the cache and the scores go to scratch the caller keeps.
 *
 * <p>q and out (rows, H, hd) F32, caches (rows', H, S, hd) with rows' ≥ rows, both F32 or both BF16; all with a
 * contiguous last dim. One kernel serves both cache types: each cache load is {@code bf16 ? widened shorts : floats},
 * where widening (bits &lt;&lt; 16, reinterpreted as floats) is exact and happens in the register; everything after
 * the load is the same F32 arithmetic, so a BF16 cache gives the F32 kernel's result on the rounded values. The
 * cache type picks one of two small methods for {@code dot} and {@code accumulate} (a load each, the rest
 * identical) rather than a ternary inside one loop: a vector that merges two branches, or crosses a call C2 did
 * not inline (NodeCountInliningCutoff in a kernel this size), is boxed on the heap, and one method holding both
 * paths got both into its profile once a BF16 decode had run; measured with JFR, that was most of the decode
 * step's garbage. The loads are written out for the same reason; the Vector API's own methods are always
 * inlined.
 */
final class CachedAttention implements Workspace {
    private static final VectorSpecies<Float> F = VectorSupport.F;
    private static final int VL = F.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final VectorSpecies<Short> BF16 = VectorSupport.BF16;

    private final float[][] scores;   // per (row, head): a score per slot
    private final int slots;
    private int heads;
    private final float[] maxima, sums;   // per (row, head)
    /*
     * The three phases of apply over (row, head) pairs, each a body made once and run as a parallel call of its own.
     * Why three calls and not one body: a body is a compile unit of its own (Parallel calls it through a site that
     * sees many bodies), and one body with the three phases inlined (two dot loops, exp, two accumulate loops, all
     * Vector API code) passed C2's node budget (NodeCountInliningCutoff in -XX:+PrintInlining), past which calls
     * stay out of line and the vectors crossing them are boxed. The two extra hand-offs did not show in the step
     * time (GPT-B, 2 rows: 10.3-10.6 ms before and after).
     */
    private final Parallel.RangeBody scoreWork = this::scores, softmaxWork = this::softmax, valueWork = this::values;
    // the operands of the call in progress
    private Tensor q, k, v, out;
    private int len;
    private float scale;
    private boolean bf16;

    /** Whether a BF16 cache can be read: needs float vectors of at least 128 bits (4 lanes). */
    static boolean supportsBf16() { return BF16 != null; }

    /** Scratch for up to {@code queries} (row, head) pairs over {@code slots} cache slots. */
    CachedAttention(int queries, int slots) {
        if (queries < 1 || slots < 1) throw new IllegalArgumentException("cached attention workspace for " + queries + " queries over " + slots + " slots");
        this.slots = slots;
        this.scores = new float[queries][slots];
        this.maxima = new float[queries];
        this.sums = new float[queries];
    }

    /** Whether this workspace has room for q (R, H, D) attending {@code len} slots. */
    boolean fits(Tensor q, int len) {
        return q.size(0) * q.size(1) <= scores.length && len <= slots;
    }

    /**
     * out = softmax(scale·q·Kᵀ)·V over cache slots [0, len), for operands checked by the caller (shapes, F32 or
     * BF16 cache readable here, last dims contiguous, {@link #fits}). Allocates nothing (the work is a field, the
     * operands are held in fields for the duration of the call: one calling thread at a time).
     */
    void apply(Tensor q, Tensor k, Tensor v, int len, Tensor out, float scale) {
        this.heads = q.size(1);
        bf16 = k.dtype() == DType.BF16;
        this.q = q;
        this.k = k;
        this.v = v;
        this.out = out;
        this.len = len;
        this.scale = scale;
        int pairs = q.size(0) * heads;
        try {
            Parallel.forRange(pairs, 4, scoreWork);
            Parallel.forRange(pairs, 4, softmaxWork);
            Parallel.forRange(pairs, 4, valueWork);
        } finally {
            this.q = this.k = this.v = this.out = null;
        }
    }

    /** Byte offset of row r, head h. */
    private static long at(Tensor t, int r, int h) { return (t.offset() + r * t.stride(0) + h * t.stride(1)) * t.dtype().byteSize(); }

    /** Pairs [s, e): scores[i][j] = scale·q·k_j for j < len, and their maximum. */
    private void scores(int s, int e) {
        MemorySegment qs = q.segment(), ks = k.segment();
        int hd = q.size(2);
        long slot = k.stride(2) * k.dtype().byteSize();
        float[] spill = Lanes.spill();    // this thread's, for the dot products' lane sums
        for (int i = s; i < e; i++) {
            long qa = at(q, i / heads, i % heads), ka = at(k, i / heads, i % heads);
            float[] sc = scores[i];
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < len; j++) {
                float d = dot(qs, qa, bf16, ks, ka + j * slot, hd, spill) * scale;
                sc[j] = d;
                max = Math.max(max, d);
            }
            maxima[i] = max;
        }
    }

    /** Pairs [s, e): scores[i][j] = exp(scores[i][j] − max), and their sum. */
    private void softmax(int s, int e) {
        for (int i = s; i < e; i++) sums[i] = VectorMath.expShift(scores[i], 0, len, maxima[i]);
    }

    /** Pairs [s, e): out = Σ_j scores_j·v_j / sum, accumulated in place in the output row. */
    private void values(int s, int e) {
        MemorySegment vs = v.segment(), os = out.segment();
        int hd = q.size(2), dv = hd - hd % VL;
        long vslot = v.stride(2) * v.dtype().byteSize();
        for (int i = s; i < e; i++) {
            long va = at(v, i / heads, i % heads), oa = at(out, i / heads, i % heads);
            float[] sc = scores[i];
            float inv = 1f / sums[i];
            for (int c = 0; c < dv; c += VL) FloatVector.zero(F).intoMemorySegment(os, oa + 4L * c, NATIVE);
            if (dv < hd) FloatVector.zero(F).intoMemorySegment(os, oa + 4L * dv, NATIVE, F.indexInRange(dv, hd));
            for (int j = 0; j < len; j++) accumulate(os, oa, sc[j] * inv, bf16, vs, va + j * vslot, hd, dv);
        }
    }

    /**
     * out[0, hd) += weight · v row (F32 or BF16). Each cache type has a small method of its own, so each has its
     * own JIT profile: with both types in one method (a branch around two loops) C2 compiled it with both
     * paths once a BF16 decode had run, and the bigger code stopped inlining and boxed vectors (measured: heap
     * garbage per F32 step went from ~30 KB to 0.4 MB after the BF16 tests had run in the same JVM).
     */
    private static void accumulate(MemorySegment os, long oa, float weight, boolean bf16, MemorySegment vs, long vr, int hd, int dv) {
        if (bf16) accumulateBf16(os, oa, weight, vs, vr, hd, dv);
        else accumulateF32(os, oa, weight, vs, vr, hd, dv);
    }

    private static void accumulateF32(MemorySegment os, long oa, float weight, MemorySegment vs, long vr, int hd, int dv) {
        FloatVector p = FloatVector.broadcast(F, weight);
        for (int c = 0; c < dv; c += VL) {
            FloatVector x = FloatVector.fromMemorySegment(F, vs, vr + 4L * c, NATIVE);
            p.fma(x, FloatVector.fromMemorySegment(F, os, oa + 4L * c, NATIVE)).intoMemorySegment(os, oa + 4L * c, NATIVE);
        }
        if (dv < hd) {   // the mask made here, only when needed: a mask passed in is boxed unless inlined
            VectorMask<Float> tail = F.indexInRange(dv, hd);
            FloatVector x = FloatVector.fromMemorySegment(F, vs, vr + 4L * dv, NATIVE, tail);
            p.fma(x, FloatVector.fromMemorySegment(F, os, oa + 4L * dv, NATIVE, tail)).intoMemorySegment(os, oa + 4L * dv, NATIVE, tail);
        }
    }

    private static void accumulateBf16(MemorySegment os, long oa, float weight, MemorySegment vs, long vr, int hd, int dv) {
        FloatVector p = FloatVector.broadcast(F, weight);
        for (int c = 0; c < dv; c += VL) {
            FloatVector x = VectorSupport.widenBf16(ShortVector.fromMemorySegment(BF16, vs, vr + 2L * c, NATIVE));
            p.fma(x, FloatVector.fromMemorySegment(F, os, oa + 4L * c, NATIVE)).intoMemorySegment(os, oa + 4L * c, NATIVE);
        }
        if (dv < hd) {
            VectorMask<Float> tail = F.indexInRange(dv, hd);
            FloatVector x = VectorSupport.widenBf16(ShortVector.fromMemorySegment(BF16, vs, vr + 2L * dv, NATIVE, tail.cast(BF16)));
            p.fma(x, FloatVector.fromMemorySegment(F, os, oa + 4L * dv, NATIVE, tail)).intoMemorySegment(os, oa + 4L * dv, NATIVE, tail);
        }
    }

    /** q (F32 at byte offset ao) · the cache row at byte offset bo (F32 or BF16), n elements; a method per cache type (see accumulate). */
    private static float dot(MemorySegment a, long ao, boolean bf16, MemorySegment b, long bo, int n, float[] lanes) {
        return bf16 ? dotBf16(a, ao, b, bo, n, lanes) : dotF32(a, ao, b, bo, n, lanes);
    }

    private static float dotF32(MemorySegment a, long ao, MemorySegment b, long bo, int n, float[] lanes) {
        int nv = n - n % VL;
        FloatVector acc = FloatVector.zero(F);
        for (int c = 0; c < nv; c += VL) {
            acc = FloatVector.fromMemorySegment(F, a, ao + 4L * c, NATIVE).fma(FloatVector.fromMemorySegment(F, b, bo + 4L * c, NATIVE), acc);
        }
        if (nv < n) {
            VectorMask<Float> m = F.indexInRange(nv, n);
            acc = FloatVector.fromMemorySegment(F, a, ao + 4L * nv, NATIVE, m).fma(FloatVector.fromMemorySegment(F, b, bo + 4L * nv, NATIVE, m), acc);
        }
        acc.intoArray(lanes, 0);   // summed from a spill: see Lanes.tree(float[], int)
        return Lanes.tree(lanes, 0);
    }

    private static float dotBf16(MemorySegment a, long ao, MemorySegment b, long bo, int n, float[] lanes) {
        int nv = n - n % VL;
        FloatVector acc = FloatVector.zero(F);
        for (int c = 0; c < nv; c += VL) {
            FloatVector x = VectorSupport.widenBf16(ShortVector.fromMemorySegment(BF16, b, bo + 2L * c, NATIVE));
            acc = FloatVector.fromMemorySegment(F, a, ao + 4L * c, NATIVE).fma(x, acc);
        }
        if (nv < n) {
            VectorMask<Float> m = F.indexInRange(nv, n);
            FloatVector x = VectorSupport.widenBf16(ShortVector.fromMemorySegment(BF16, b, bo + 2L * nv, NATIVE, m.cast(BF16)));
            acc = FloatVector.fromMemorySegment(F, a, ao + 4L * nv, NATIVE, m).fma(x, acc);
        }
        acc.intoArray(lanes, 0);
        return Lanes.tree(lanes, 0);
    }
}
