package org.vfmtok.nn.optim;

import java.lang.foreign.MemorySegment;
import java.util.List;
import org.vfmtok.tensor.Tensor;

/**
 * Adam and AdamW with PyTorch's update order (torch.optim, single-tensor path, float32):
 * <pre>
 *   Adam:  g ← g + wd·p                      AdamW:  p ← p·(1 − lr·wd)
 *   m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
 *   p ← p − (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + ε)
 * </pre>
 */
public final class Adam extends Optimizer {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final boolean decoupled;

    private Adam(List<ParamGroup> groups, double beta1, double beta2, double eps, boolean decoupled) {
        super(groups);
        if (beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1) throw new IllegalArgumentException("betas must be in [0, 1), got " + beta1 + ", " + beta2);
        if (eps < 0) throw new IllegalArgumentException("eps must be >= 0, got " + eps);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.decoupled = decoupled;
    }

    /** torch.optim.Adam (weight decay as L2 added to the gradient). */
    public static Adam adam(List<ParamGroup> groups, double beta1, double beta2, double eps) {
        return new Adam(groups, beta1, beta2, eps, false);
    }

    /** torch.optim.AdamW (decoupled weight decay). */
    public static Adam adamW(List<ParamGroup> groups, double beta1, double beta2, double eps) {
        return new Adam(groups, beta1, beta2, eps, true);
    }

    @Override protected int stateSlots() { return 2; }

    @Override
    protected void update(ParamGroup group, Tensor p, Tensor[] slots) {
        MemorySegment ps = seg(p), gs = seg(contiguousGrad(p)), ms = seg(slots[0]), vs = seg(slots[1]);
        long n = p.numel();
        float lr = (float) group.lr, wd = (float) group.weightDecay;
        float b1 = (float) beta1, b2 = (float) beta2, oneMinusB1 = (float) (1 - beta1), oneMinusB2 = (float) (1 - beta2);
        double bc1 = 1 - Math.pow(beta1, steps);
        double bc2 = 1 - Math.pow(beta2, steps);
        float stepSize = (float) (group.lr / bc1);
        float bc2Sqrt = (float) Math.sqrt(bc2);
        float e = (float) eps;
        float decay = 1 - lr * wd;
        for (long i = 0; i < n; i++) {
            long off = i * 4;
            float pv = ps.get(F, off);
            float g = gs.get(F, off);
            if (decoupled) {
                if (wd != 0) pv = pv * decay;
            } else if (wd != 0) {
                g = g + wd * pv;
            }
            float m = ms.get(F, off) * b1 + oneMinusB1 * g;
            float v = vs.get(F, off) * b2 + oneMinusB2 * g * g;
            ms.set(F, off, m);
            vs.set(F, off, v);
            float denom = (float) Math.sqrt(v) / bc2Sqrt + e;
            ps.set(F, off, pv - stepSize * (m / denom));
        }
    }
}
