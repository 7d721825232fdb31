package org.vfmtok.nn.optim;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Collection;
import org.vfmtok.tensor.Tensor;

/** torch.nn.utils.clip_grad_norm_ (L2): scales all gradients by min(1, max / (total + 1e-6)). */
public final class GradClip {
    private GradClip() {}

    /** Returns the total norm before clipping (non-finite when a gradient is; then nothing is scaled). */
    public static double clipGlobalNorm(Collection<Tensor> params, double maxNorm) {
        double total = globalNorm(params);
        if (Double.isFinite(total)) clipTo(params, maxNorm, total);
        return total;
    }

    /** The L2 norm of all gradients together (NaN or infinite when one of them is). */
    public static double globalNorm(Collection<Tensor> params) {
        double sq = 0;
        for (Tensor p : params) {
            Tensor g = p.grad();
            if (g == null) continue;
            MemorySegment s = g.segment().asSlice(g.byteOffset(), g.numel() * 4);
            double part = 0;
            for (long i = 0, n = g.numel(); i < n; i++) {
                float v = s.get(ValueLayout.JAVA_FLOAT, i * 4);
                part += (double) v * v;
            }
            sq += part;
        }
        return Math.sqrt(sq);
    }

    /** Scales the gradients by min(1, max / (total + 1e-6)), {@code total} being their {@link #globalNorm}. */
    public static void clipTo(Collection<Tensor> params, double maxNorm, double total) {
        float coef = (float) Math.min(1.0, maxNorm / (total + 1e-6));
        if (coef < 1f) {
            for (Tensor p : params) {
                Tensor g = p.grad();
                if (g == null) continue;
                MemorySegment s = g.segment().asSlice(g.byteOffset(), g.numel() * 4);
                for (long i = 0, n = g.numel(); i < n; i++) s.set(ValueLayout.JAVA_FLOAT, i * 4, s.get(ValueLayout.JAVA_FLOAT, i * 4) * coef);
            }
        }
    }
}
