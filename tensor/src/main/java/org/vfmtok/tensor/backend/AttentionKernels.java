package org.vfmtok.tensor.backend;

import java.util.Arrays;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;

/**
 * Scaled dot-product attention, {@code softmax(scale·q·kᵀ + mask)·v}, as
 * {@code torch.nn.functional.scaled_dot_product_attention} (torch 2.x) computes it.
 *
 * <p>Layouts: q (B, H, Lq, D), k (B, H, Lk, D), v (B, H, Lk, Dv), each with any strides (views of a
 * fused qkv projection, transposed heads, stride-0 broadcast batch/head dims). out (B, H, Lq, Dv) and
 * the gradients gq/gk/gv (shapes of q/k/v) are written, never accumulated into; they may have any
 * strides. lse (B, H, Lq), null when no backward follows, receives the natural-log row log-sum-exp of the scaled, masked scores (F64
 * when q is F64, F32 otherwise); the fast backward recomputes probabilities from it.
 *
 * <p>Masking: {@code mask} is null or BOOL of exactly (B, H, Lq, Lk) (the op layer expands a
 * broadcastable mask with stride-0 dims), {@code true} = attend. {@code causal} is PyTorch's
 * {@code is_causal}: top-left aligned, query i attends keys 0..i, also when Lq != Lk. Both may be given
 * and are then combined (a key is attended only if both allow it).
 *
 * <p>Fully masked rows: torch returns NaN; these kernels return 0 for the output row, -inf for its
 * lse, and zero gradients through it (the row then contributes nothing, as in FlashAttention).
 */
public interface AttentionKernels {
    void attention(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, double scale, Tensor out, Tensor lse);

    /** Gradients of {@link #attention}; {@code out} and {@code lse} are that call's results. */
    void attentionBackward(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, double scale,
                           Tensor out, Tensor lse, Tensor gradOut, Tensor gq, Tensor gk, Tensor gv);

    // ------------------------------------------------------------------ the row (decode-step) mode

    /** A workspace for {@link #attendCached} of up to {@code queries} (row, head) pairs over {@code slots} cache slots. */
    Workspace cachedWorkspace(int queries, int slots);

    /**
     * Attention of one new query per (row, head) over the first {@code len} slots of a KV cache,
     * {@code out = softmax(scale·q·Kᵀ)·V}: the decode-step (row) mode of {@link #attention}. q and out are
     * (R, H, D) F32; the caches (R', H, S, D) with R' ≥ R, both F32 or both BF16 (widened exactly on load); all
     * with a contiguous last dim, other strides free. No mask: every slot below {@code len} is attended. With a
     * workspace of this backend large enough for R·H queries and S slots, the call allocates nothing.
     */
    void attendCached(Tensor q, Tensor kCache, Tensor vCache, int len, double scale, Tensor out, Workspace workspace);

    /**
     * Whether {@link #attendCached} over a cache of {@code cacheDType} runs this backend's own allocation-free
     * kernel; where it does not (a dtype or vector width the kernel lacks), the call still works through the
     * reference loops, slower and allocating.
     */
    default boolean cachedFastPath(DType cacheDType) { return false; }

    /**
     * {@code cache[:, :, slot, :] = src}: src (R, H, D) F32 into the slot of a (R', H, S, D) cache, R' ≥ R,
     * copied into an F32 cache or rounded to nearest even into a BF16 one. Allocates nothing.
     */
    void writeCacheSlot(Tensor src, Tensor cache, int slot);

    /**
     * Rotary position embedding of x (B, L, H, D) into out (same shape, may be x itself): position
     * {@code firstPosition + l} rotates channel pair m (2m, 2m+1) by its angle in {@code table} (P, D/2, 2) F32
     * contiguous, holding (cos, sin): {@code (x0·c − x1·s, x1·c + x0·s)}, rounded op by op; {@code inverse}
     * rotates by the negated angles (the transpose, for gradients). F32 with a contiguous last dim; a few rows
     * (a decode step) run on the calling thread and allocate nothing.
     */
    void rotary(Tensor x, Tensor table, int firstPosition, boolean inverse, Tensor out);

    /** Checks the operands of {@link #attendCached}, naming the shapes and dtypes. */
    static void checkCached(Tensor q, Tensor k, Tensor v, int len, Tensor out) {
        if (q.dtype() != DType.F32 || out.dtype() != DType.F32 || k.dtype() != v.dtype() || (k.dtype() != DType.F32 && k.dtype() != DType.BF16)) {
            throw new IllegalArgumentException("cached attention needs F32 q and out and an F32 or BF16 cache, got q " + q.dtype() + ", k " + k.dtype()
                    + ", v " + v.dtype() + ", out " + out.dtype());
        }
        if (q.dim() != 3 || k.dim() != 4 || q.size(1) != k.size(1) || k.size(3) != q.size(2) || len < 1 || len > k.size(2)
                || q.size(0) > k.size(0) || !sameShape(q, out) || !sameShape(k, v)) {
            throw new IllegalArgumentException("cached attention: q " + Arrays.toString(q.shape()) + ", cache " + Arrays.toString(k.shape())
                    + ", out " + Arrays.toString(out.shape()) + ", len " + len + " (need q, out (R, H, D), caches (R' >= R, H, S, D), 1 <= len <= S)");
        }
    }

    /** Whether a and b have one shape (without copying the shapes: the row-mode checks allocate nothing). */
    private static boolean sameShape(Tensor a, Tensor b) {
        if (a.dim() != b.dim()) return false;
        for (int d = 0; d < a.dim(); d++) if (a.size(d) != b.size(d)) return false;
        return true;
    }

    /** Checks the operands of {@link #writeCacheSlot}. */
    static void checkCacheSlot(Tensor src, Tensor cache, int slot) {
        if (src.dtype() != DType.F32 || (cache.dtype() != DType.F32 && cache.dtype() != DType.BF16)) {
            throw new IllegalArgumentException("cache write needs an F32 source and an F32 or BF16 cache, got " + src.dtype() + " into " + cache.dtype());
        }
        if (src.dim() != 3 || cache.dim() != 4 || src.size(0) > cache.size(0) || src.size(1) != cache.size(1) || src.size(2) != cache.size(3)
                || slot < 0 || slot >= cache.size(2)) {
            throw new IllegalArgumentException("cache write: src " + Arrays.toString(src.shape()) + " into slot " + slot + " of cache "
                    + Arrays.toString(cache.shape()) + " (need src (R, H, D), cache (R' >= R, H, S, D), 0 <= slot < S)");
        }
    }

    /** Checks the operands of {@link #rotary}. */
    static void checkRotary(Tensor x, Tensor table, int firstPosition, Tensor out) {
        if (x.dim() != 4 || !sameShape(x, out) || x.size(3) % 2 != 0 || table.dim() != 3 || table.size(1) * 2 != x.size(3)
                || table.size(2) != 2 || table.dtype() != DType.F32 || firstPosition < 0 || firstPosition + x.size(1) > table.size(0)) {
            throw new IllegalArgumentException("rotary: x " + Arrays.toString(x.shape()) + ", out " + Arrays.toString(out.shape()) + ", table "
                    + Arrays.toString(table.shape()) + " " + table.dtype() + ", positions from " + firstPosition
                    + " (need x, out (B, L, H, D), table (P >= first + L, D/2, 2) F32)");
        }
    }

    /**
     * Checks the operand shapes of {@link #attention} and returns {B, H, Lq, Lk, D, Dv}; the errors name
     * the offending shapes. {@code out} and {@code lse} may be null (not checked).
     */
    static int[] checkShapes(Tensor q, Tensor k, Tensor v, Tensor mask, Tensor out, Tensor lse) {
        if (q.dim() != 4 || k.dim() != 4 || v.dim() != 4) {
            throw new IllegalArgumentException("attention expects 4-D q, k, v (B, H, L, D), got " + Arrays.toString(q.shape())
                    + ", " + Arrays.toString(k.shape()) + ", " + Arrays.toString(v.shape()));
        }
        int b = q.size(0), h = q.size(1), lq = q.size(2), d = q.size(3), lk = k.size(2), dv = v.size(3);
        if (k.size(0) != b || k.size(1) != h || k.size(3) != d || v.size(0) != b || v.size(1) != h || v.size(2) != lk) {
            throw new IllegalArgumentException("attention: q " + Arrays.toString(q.shape()) + ", k " + Arrays.toString(k.shape())
                    + ", v " + Arrays.toString(v.shape()) + " do not match (need k (B,H,Lk,D), v (B,H,Lk,Dv))");
        }
        if (mask != null) {
            if (mask.dtype() != DType.BOOL) throw new IllegalArgumentException("attention mask must be BOOL, got " + mask.dtype());
            if (!Arrays.equals(mask.shape(), new int[] {b, h, lq, lk})) {
                throw new IllegalArgumentException("attention kernel mask " + Arrays.toString(mask.shape()) + " is not (B,H,Lq,Lk) = "
                        + Arrays.toString(new int[] {b, h, lq, lk}));
            }
        }
        if (out != null && !Arrays.equals(out.shape(), new int[] {b, h, lq, dv})) {
            throw new IllegalArgumentException("attention out " + Arrays.toString(out.shape()) + ", expected " + Arrays.toString(new int[] {b, h, lq, dv}));
        }
        if (lse != null && !Arrays.equals(lse.shape(), new int[] {b, h, lq})) {
            throw new IllegalArgumentException("attention lse " + Arrays.toString(lse.shape()) + ", expected " + Arrays.toString(new int[] {b, h, lq}));
        }
        return new int[] {b, h, lq, lk, d, dv};
    }
}
