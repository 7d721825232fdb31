package org.vfmtok.tensor.cpu;

import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.AttentionKernels;
import org.vfmtok.tensor.backend.Workspace;

/**
 * Vector API attention for F32 on the CPU: tiled online-softmax forward ({@link AttentionForward}) and
 * recomputing backward ({@link AttentionBackward}), multi-threaded through {@link Parallel}. Other
 * dtypes go to the scalar reference. Semantics as documented on {@link AttentionKernels}.
 */
public final class CpuAttention implements AttentionKernels {
    private final AttentionKernels reference;

    public CpuAttention(AttentionKernels reference) {
        this.reference = reference;
    }

    @Override
    public void attention(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, double scale, Tensor out, Tensor lse) {
        if (!allF32(q, k, v, out, lse)) {
            reference.attention(q, k, v, mask, causal, scale, out, lse);
            return;
        }
        int[] dims = AttentionKernels.checkShapes(q, k, v, mask, out, lse);
        AttentionForward.run(new AttentionGeometry(dims, mask, causal, scale), q, k, v, out, lse);
    }

    @Override
    public void attentionBackward(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, double scale,
                                  Tensor out, Tensor lse, Tensor gradOut, Tensor gq, Tensor gk, Tensor gv) {
        if (lse == null || !allF32(q, k, v, out, lse, gradOut, gq, gk, gv)) {
            reference.attentionBackward(q, k, v, mask, causal, scale, out, lse, gradOut, gq, gk, gv);
            return;
        }
        int[] dims = AttentionKernels.checkShapes(q, k, v, mask, out, lse);
        checkSameShape("gradOut", gradOut, out);
        checkSameShape("gq", gq, q);
        checkSameShape("gk", gk, k);
        checkSameShape("gv", gv, v);
        AttentionBackward.run(new AttentionGeometry(dims, mask, causal, scale), q, k, v, out, lse, gradOut, gq, gk, gv);
    }

    // ------------------------------------------------------------------ row (decode-step) mode

    @Override
    public Workspace cachedWorkspace(int queries, int slots) {
        return new CachedAttention(queries, slots);
    }

    @Override
    public boolean cachedFastPath(DType cacheDType) {
        return cacheDType == DType.F32 || (cacheDType == DType.BF16 && CachedAttention.supportsBf16());
    }

    @Override
    public void attendCached(Tensor q, Tensor kCache, Tensor vCache, int len, double scale, Tensor out, Workspace workspace) {
        AttentionKernels.checkCached(q, kCache, vCache, len, out);
        if (!(workspace instanceof CachedAttention ws) || !ws.fits(q, len) || !FastPath.rowsF32(q) || !FastPath.rowsF32(out)
                || !FastPath.rowsOf(vCache, kCache.dtype()) || !FastPath.rowsOf(kCache, kCache.dtype())
                || (kCache.dtype() == DType.BF16 && !CachedAttention.supportsBf16())) {
            reference.attendCached(q, kCache, vCache, len, scale, out, workspace);
            return;
        }
        ws.apply(q, kCache, vCache, len, out, (float) scale);
    }

    /** cache[:, :, slot, :] = src, rounded to nearest even when the cache is BF16; no threads, no allocation. */
    @Override
    public void writeCacheSlot(Tensor src, Tensor cache, int slot) {
        AttentionKernels.checkCacheSlot(src, cache, slot);
        if (!FastPath.rowsF32(src) || !FastPath.rowsOf(cache, cache.dtype())) {
            reference.writeCacheSlot(src, cache, slot);
            return;
        }
        int rows = src.size(0), heads = src.size(1), hd = src.size(2);
        int es = cache.dtype().byteSize();
        var ss = src.segment();
        var cs = cache.segment();
        for (int i = 0; i < rows; i++) {
            for (int h = 0; h < heads; h++) {
                long from = 4L * (src.offset() + i * src.stride(0) + h * src.stride(1));
                long to = (long) es * (cache.offset() + i * cache.stride(0) + h * cache.stride(1) + slot * cache.stride(2));
                if (es == 4) java.lang.foreign.MemorySegment.copy(ss, from, cs, to, 4L * hd);
                else CpuCopy.toBf16(ss, from, cs, to, hd);
            }
        }
    }

    @Override
    public void rotary(Tensor x, Tensor table, int firstPosition, boolean inverse, Tensor out) {
        AttentionKernels.checkRotary(x, table, firstPosition, out);
        if (!FastPath.rowsF32(x) || !FastPath.rowsF32(out) || !FastPath.denseF32(table)) {
            reference.rotary(x, table, firstPosition, inverse, out);
            return;
        }
        Rotary.run(x, table, firstPosition, inverse, out);
    }

    /** F32 and on the CPU (null entries, an absent lse, are skipped). */
    private static boolean allF32(Tensor... ts) {
        for (Tensor t : ts) if (t != null && !FastPath.anyStridesF32(t)) return false;
        return true;
    }

    private static void checkSameShape(String what, Tensor t, Tensor like) {
        if (!java.util.Arrays.equals(t.shape(), like.shape())) {
            throw new IllegalArgumentException("attention backward: " + what + " " + java.util.Arrays.toString(t.shape())
                    + ", expected " + java.util.Arrays.toString(like.shape()));
        }
    }
}
