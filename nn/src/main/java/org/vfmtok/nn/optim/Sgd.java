package org.vfmtok.nn.optim;

import java.lang.foreign.MemorySegment;
import java.util.List;
import org.vfmtok.tensor.Tensor;

/** torch.optim.SGD with momentum (dampening 0, no Nesterov) and L2 weight decay. */
public final class Sgd extends Optimizer {
    private final double momentum;

    public Sgd(List<ParamGroup> groups, double momentum) {
        super(groups);
        if (momentum < 0) throw new IllegalArgumentException("momentum must be >= 0, got " + momentum);
        this.momentum = momentum;
    }

    @Override protected int stateSlots() { return momentum == 0 ? 0 : 1; }

    @Override
    protected void update(ParamGroup group, Tensor p, Tensor[] slots) {
        MemorySegment ps = seg(p), gs = seg(contiguousGrad(p));
        MemorySegment bs = momentum == 0 ? null : seg(slots[0]);
        float lr = (float) group.lr, wd = (float) group.weightDecay, mu = (float) momentum;
        boolean first = steps == 1;
        for (long i = 0, n = p.numel(); i < n; i++) {
            long off = i * 4;
            float pv = ps.get(F, off);
            float g = gs.get(F, off);
            if (wd != 0) g = g + wd * pv;
            if (bs != null) {
                float b = first ? g : bs.get(F, off) * mu + g;
                bs.set(F, off, b);
                g = b;
            }
            ps.set(F, off, pv - lr * g);
        }
    }
}
