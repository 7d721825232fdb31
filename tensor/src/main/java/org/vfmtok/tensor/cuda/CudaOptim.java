package org.vfmtok.tensor.cuda;

import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;

/**
 * Fused optimizer steps on the GPU (optim.cu). {@link #adam} is org.vfmtok.nn.optim.Adam's update,
 * element for element and rounding for rounding, over F32 contiguous parameter, gradient and state.
 */
public final class CudaOptim {
    private final CudaBackend be;

    CudaOptim(CudaBackend be) { this.be = be; }

    /**
     * One Adam (decoupled = false) or AdamW (decoupled = true) step, in place on p, m, v. The scalars are
     * exactly the floats Adam computes on the host (decay = 1 − lr·wd, oneMinusB1 = (float) (1 − β1),
     * stepSize = lr / (1 − β1ᵗ), bc2Sqrt = √(1 − β2ᵗ), ...), so both devices round alike.
     */
    public void adam(Tensor p, Tensor g, Tensor m, Tensor v, float wd, float decay, float beta1, float beta2, float oneMinusB1,
                     float oneMinusB2, float stepSize, float bc2Sqrt, float eps, boolean decoupled) {
        be.check("adam", p, g, m, v);
        CudaBackend.requireContiguous("adam", p, g, m, v);
        CudaBackend.requireDType("adam", DType.F32, p, g, m, v);
        long n = p.numel();
        if (g.numel() != n || m.numel() != n || v.numel() != n) throw new IllegalArgumentException("adam: tensors of different sizes");
        if (n == 0) return;
        try (Launch l = be.dev.launch(Kernels.ADAM_F32)) {
            l.ptr(CudaBackend.addr(p)).ptr(CudaBackend.addr(g)).ptr(CudaBackend.addr(m)).ptr(CudaBackend.addr(v)).i64(n).f32(wd).f32(decay)
                    .f32(beta1).f32(beta2).f32(oneMinusB1).f32(oneMinusB2).f32(stepSize).f32(bc2Sqrt)
                    .f32(eps).i32(decoupled ? 1 : 0).launch(be.dev.gridFor(n), CudaDevice.THREADS, 0);
        }
    }

    /**
     * Rotary embedding (rope.cu): x (B, L, H, D) contiguous, freqs (L, D/2, 2) F32 holding (cos, sin);
     * inverse = true applies the transpose rotation (the gradient).
     */
    public void rope(Tensor x, Tensor freqs, Tensor out, boolean inverse) {
        be.check("rope", x, freqs, out);
        CudaBackend.requireContiguous("rope", x, freqs, out);
        CudaBackend.requireDType("rope frequencies", DType.F32, freqs);
        if (x.dim() != 4 || x.size(3) % 2 != 0) throw new IllegalArgumentException("rope expects x (B, L, H, D) with even D, got " + java.util.Arrays.toString(x.shape()));
        long seq = x.size(1), heads = x.size(2), half = x.size(3) / 2;
        if (freqs.numel() != seq * half * 2) throw new IllegalArgumentException("rope frequencies " + java.util.Arrays.toString(freqs.shape()) + " are not (L, D/2, 2)");
        long pairs = x.numel() / 2;
        if (pairs == 0) return;
        try (Launch l = be.dev.launch(Kernels.ROPE)) {
            l.ptr(CudaBackend.addr(x)).ptr(CudaBackend.addr(freqs)).ptr(CudaBackend.addr(out)).i32(x.dtype().ordinal()).i64(seq).i64(heads)
                    .i64(half).i32(inverse ? 1 : 0).i64(pairs).launch(be.dev.gridFor(pairs), CudaDevice.THREADS, 0);
        }
    }
}
