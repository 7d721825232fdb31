package org.vfmtok.llama;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import org.vfmtok.tensor.cpu.Lanes;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.cpu.Parallel;
import org.vfmtok.tensor.cpu.VectorMath;
import org.vfmtok.tensor.cpu.VectorSupport;

/**
 * Attention of one new query per (row, head) over the first {@code len} slots of a KV cache:
 * {@code out = softmax(scale·q·Kᵀ)·V}, the decode-step case of scaled dot-product attention.
 *
 * <p>Why not the attention op: its kernel packs k and v of every head into fresh heap scratch on each call
 * (right for many queries, but for one query that doubles the cache traffic and makes garbage per token).
 * Here k and v rows are read in place from the cache and the scores go to scratch the caller keeps.
 *
 * <p>q and out (rows, H, hd), caches (rows', H, S, hd) with rows' ≥ rows; all F32 with a contiguous last dim.
 */
final class DecodeAttention {
    private static final VectorSpecies<Float> F = VectorSupport.F;
    private static final int VL = F.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private final float[][] scores;   // per (row, head): S scores
    private final int heads;

    DecodeAttention(int maxRows, int heads, int slots) {
        this.heads = heads;
        this.scores = new float[maxRows * heads][slots];
    }

    void apply(Tensor q, Tensor k, Tensor v, int len, Tensor out, float scale) {
        int rows = q.size(0), hd = q.size(2);
        for (Tensor t : new Tensor[] {q, k, v, out}) {
            if (t.dtype() != DType.F32 || t.stride(-1) != 1) throw new IllegalArgumentException("decode attention needs F32 with a contiguous last dim");
        }
        if (q.size(1) != heads || k.size(1) != heads || k.size(3) != hd || len < 1 || len > k.size(2) || rows > k.size(0)
                || !Arrays.equals(q.shape(), out.shape()) || !Arrays.equals(k.shape(), v.shape())) {
            throw new IllegalArgumentException("decode attention: q " + Arrays.toString(q.shape()) + ", cache " + Arrays.toString(k.shape())
                    + ", out " + Arrays.toString(out.shape()) + ", len " + len);
        }
        Parallel.forRange(rows * heads, 4, (s, e) -> {
            for (int i = s; i < e; i++) one(q, k, v, out, i / heads, i % heads, len, hd, scale, scores[i]);
        });
    }

    private static long at(Tensor t, int r, int h) { return (t.offset() + r * t.stride(0) + h * t.stride(1)) * 4; }

    private static void one(Tensor q, Tensor k, Tensor v, Tensor out, int r, int h, int len, int hd, float scale, float[] s) {
        MemorySegment qs = q.segment(), ks = k.segment(), vs = v.segment(), os = out.segment();
        long qa = at(q, r, h), ka = at(k, r, h), va = at(v, r, h), oa = at(out, r, h);
        long slot = k.stride(2) * 4, vslot = v.stride(2) * 4;
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < len; j++) {
            float d = dot(qs, qa, ks, ka + j * slot, hd) * scale;
            s[j] = d;
            max = Math.max(max, d);
        }
        float sum = 0;
        int jv = len - len % VL;
        FloatVector mv = FloatVector.broadcast(F, max);
        for (int j = 0; j < jv; j += VL) {
            FloatVector ex = VectorMath.exp(FloatVector.fromArray(F, s, j).sub(mv));
            ex.intoArray(s, j);
            sum += Lanes.tree(ex);
        }
        for (int j = jv; j < len; j++) {
            s[j] = VectorMath.exp(s[j] - max);
            sum += s[j];
        }
        float inv = 1f / sum;
        // out = Σ_j s_j·v_j / sum, accumulated in place in the output row
        int dv = hd - hd % VL;
        VectorMask<Float> tail = F.indexInRange(dv, hd);
        for (int c = 0; c < dv; c += VL) FloatVector.zero(F).intoMemorySegment(os, oa + 4L * c, NATIVE);
        if (dv < hd) FloatVector.zero(F).intoMemorySegment(os, oa + 4L * dv, NATIVE, tail);
        for (int j = 0; j < len; j++) {
            FloatVector p = FloatVector.broadcast(F, s[j] * inv);
            long vr = va + j * vslot;
            for (int c = 0; c < dv; c += VL) {
                FloatVector acc = FloatVector.fromMemorySegment(F, os, oa + 4L * c, NATIVE);
                p.fma(FloatVector.fromMemorySegment(F, vs, vr + 4L * c, NATIVE), acc).intoMemorySegment(os, oa + 4L * c, NATIVE);
            }
            if (dv < hd) {
                FloatVector acc = FloatVector.fromMemorySegment(F, os, oa + 4L * dv, NATIVE, tail);
                p.fma(FloatVector.fromMemorySegment(F, vs, vr + 4L * dv, NATIVE, tail), acc).intoMemorySegment(os, oa + 4L * dv, NATIVE, tail);
            }
        }
    }

    private static float dot(MemorySegment a, long ao, MemorySegment b, long bo, int n) {
        int nv = n - n % VL;
        FloatVector acc = FloatVector.zero(F);
        for (int c = 0; c < nv; c += VL) {
            acc = FloatVector.fromMemorySegment(F, a, ao + 4L * c, NATIVE).fma(FloatVector.fromMemorySegment(F, b, bo + 4L * c, NATIVE), acc);
        }
        if (nv < n) {
            VectorMask<Float> m = F.indexInRange(nv, n);
            acc = FloatVector.fromMemorySegment(F, a, ao + 4L * nv, NATIVE, m).fma(FloatVector.fromMemorySegment(F, b, bo + 4L * nv, NATIVE, m), acc);
        }
        return Lanes.tree(acc);
    }
}
