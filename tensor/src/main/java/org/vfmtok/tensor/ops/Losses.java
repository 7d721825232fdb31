package org.vfmtok.tensor.ops;

import java.util.Arrays;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;
import org.vfmtok.tensor.backend.IndexKernels;

/** Losses with autograd. */
public final class Losses {
    private Losses() {}

    /** PyTorch's default ignore index. */
    public static final int IGNORE_INDEX = -100;

    public static Tensor crossEntropy(Tensor logits, Tensor target) { return crossEntropy(logits, target, IGNORE_INDEX, 0.0); }

    /**
     * F.cross_entropy(logits (N, C), target (N) I32/I64, ignore_index, label_smoothing) with mean
     * reduction: the per-row losses (see {@link #crossEntropyRows}) summed and divided by the number of
     * rows whose target is not {@code ignoreIndex}. As in PyTorch, a batch whose every row is ignored
     * gives NaN (0/0).
     */
    public static Tensor crossEntropy(Tensor logits, Tensor target, int ignoreIndex, double labelSmoothing) {
        Tensor rows = crossEntropyRows(logits, target, ignoreIndex, labelSmoothing);
        long[] t = IndexKernels.readIndices(target, "cross entropy");
        long kept = Arrays.stream(t).filter(v -> v != ignoreIndex).count();
        return rows.sum().mul(1.0 / kept);
    }

    /**
     * Per-row losses (reduction 'none'): (1-ε)·(lse - x[t]) + ε/C·Σ_c (lse - x[c]), 0 on ignored rows.
     * Targets outside [0, C) other than ignoreIndex are an error naming the row.
     */
    public static Tensor crossEntropyRows(Tensor logits, Tensor target, int ignoreIndex, double labelSmoothing) {
        if (logits.dim() != 2) throw new IllegalArgumentException("cross entropy: logits must be (N, C), got " + Arrays.toString(logits.shape()));
        Pointwise.checkDevices("cross entropy", logits, target);
        if (!logits.dtype().isFloating()) throw new IllegalArgumentException("cross entropy: logits must be floating, got " + logits.dtype());
        if (target.dim() != 1 || target.size(0) != logits.size(0)) {
            throw new IllegalArgumentException("cross entropy: target shape " + Arrays.toString(target.shape()) + " for logits "
                    + Arrays.toString(logits.shape()) + " (want (" + logits.size(0) + "))");
        }
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException("label smoothing must be in [0, 1], got " + labelSmoothing);
        }
        int n = logits.size(0);
        DType stat = logits.dtype() == DType.F64 ? DType.F64 : DType.F32;
        Tensor loss = Tensor.empty(logits.dtype(), logits.device(), n);
        Tensor lse = Tensor.empty(stat, logits.device(), n);
        Tensor x = logits.detach();
        kernels(logits).crossEntropy(x, target, ignoreIndex, labelSmoothing, loss, lse);
        return Grad.track(loss, "CrossEntropy", logits, g -> {
            Tensor gl = Tensor.empty(logits.dtype(), logits.device(), logits.shape());
            kernels(logits).crossEntropyBackward(x, target, ignoreIndex, labelSmoothing, lse, g, gl);
            return new Tensor[] {gl};
        });
    }

    static IndexKernels kernels(Tensor t) { return t.backend().index(); }
}
