package org.vfmtok.tensor.ops;

import java.util.Arrays;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;
import org.vfmtok.tensor.backend.AttentionKernels;

/**
 * Scaled dot-product attention with autograd, {@code torch.nn.functional.scaled_dot_product_attention}
 * (torch 2.x) without dropout: {@code softmax(scale·q·kᵀ masked)·v}.
 *
 * <ul>
 *   <li>q (B, H, Lq, D), k (B, H, Lk, D), v (B, H, Lk, Dv), same floating dtype and device; any strides
 *       (e.g. heads split out of a fused qkv projection). Result (B, H, Lq, Dv), contiguous.</li>
 *   <li>{@code mask}: null or BOOL broadcastable to (B, H, Lq, Lk), {@code true} = attend, e.g.
 *       (Lq, Lk), (1, 1, Lq, Lk) or KV-cache rows (B, 1, 1, Lk). Never differentiable.</li>
 *   <li>{@code causal}: torch's {@code is_causal}, top-left aligned: query i attends keys 0..i (also
 *       when Lq != Lk; for a KV-cache decode step pass a mask instead). Unlike torch, a mask and
 *       {@code causal} may be combined: a key is attended only when both allow it.</li>
 *   <li>{@code scale}: NaN means the default 1/√D.</li>
 *   <li><b>Fully masked rows</b> (no key attended) produce 0, and zero gradients, where torch produces
 *       NaN; FlashAttention-style kernels do the same, and a 0 row cannot poison a whole batch.</li>
 * </ul>
 *
 * The backward is first order only (its results are not themselves differentiable).
 */
public final class Attention {
    private Attention() {}

    /** Scaled dot-product attention with the default scale 1/√D. */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal) {
        return scaledDotProductAttention(q, k, v, mask, causal, Double.NaN);
    }

    /** Scaled dot-product attention; {@code scale} NaN means 1/√D. */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, double scale) {
        Pointwise.checkOperands("attention", q, k);
        Pointwise.checkOperands("attention", q, v);
        if (!q.dtype().isFloating()) throw new IllegalArgumentException("attention needs floating q/k/v, got " + q.dtype());
        int[] g = AttentionKernels.checkShapes(q, k, v, null, null, null);
        int b = g[0], h = g[1], lq = g[2], lk = g[3], d = g[4], dv = g[5];
        double s = Double.isNaN(scale) ? 1.0 / Math.sqrt(d) : scale;
        Tensor m = null;
        if (mask != null) {
            if (mask.dtype() != DType.BOOL) {
                throw new IllegalArgumentException("attention mask must be BOOL (true = attend), got " + mask.dtype());
            }
            Pointwise.checkDevices("attention (q, k, v, mask)", q, k, v, mask);
            int[] full = {b, h, lq, lk};
            try {
                m = mask.detach().expand(full);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("attention mask " + Arrays.toString(mask.shape()) + " does not broadcast to (B,H,Lq,Lk) = "
                        + Arrays.toString(full), e);
            }
        }
        Tensor qd = q.detach(), kd = k.detach(), vd = v.detach();
        Tensor out = Tensor.empty(q.dtype(), q.device(), b, h, lq, dv);
        Tensor lse = Tensor.empty(q.dtype() == DType.F64 ? DType.F64 : DType.F32, q.device(), b, h, lq);
        AttentionKernels kernels = q.backend().attention();
        kernels.attention(qd, kd, vd, m, causal, s, out, lse);
        Tensor mk = m;
        Tensor outSaved = out.detach();
        return Grad.track(out, "ScaledDotProductAttention", new Tensor[] {q, k, v}, grad -> {
            Tensor gq = Tensor.empty(q.dtype(), q.device(), q.shape());
            Tensor gk = Tensor.empty(k.dtype(), k.device(), k.shape());
            Tensor gv = Tensor.empty(v.dtype(), v.device(), v.shape());
            grad.backend().attention().attentionBackward(qd, kd, vd, mk, causal, s, outSaved, lse, grad.detach(), gq, gk, gv);
            return new Tensor[] {q.requiresGrad() ? gq : null, k.requiresGrad() ? gk : null, v.requiresGrad() ? gv : null};
        });
    }
}
