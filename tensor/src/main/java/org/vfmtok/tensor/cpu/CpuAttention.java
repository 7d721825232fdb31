package org.vfmtok.tensor.cpu;

import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.AttentionKernels;

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

    /** F32 and on the CPU (null entries, an absent lse, are skipped). */
    private static boolean allF32(Tensor... ts) {
        for (Tensor t : ts) if (t != null && (t.dtype() != DType.F32 || !t.device().isCpu())) return false;
        return true;
    }

    private static void checkSameShape(String what, Tensor t, Tensor like) {
        if (!java.util.Arrays.equals(t.shape(), like.shape())) {
            throw new IllegalArgumentException("attention backward: " + what + " " + java.util.Arrays.toString(t.shape())
                    + ", expected " + java.util.Arrays.toString(like.shape()));
        }
    }
}
