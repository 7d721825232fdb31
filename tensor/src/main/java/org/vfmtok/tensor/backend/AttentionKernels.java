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
