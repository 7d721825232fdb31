package org.vfmtok.nn.optim;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;

/**
 * Base of the optimizers: parameter groups, per-parameter state tensors (allocated in the parameters'
 * scope, so they live as long as the model), and state save/restore for exact resume. Updates run as
 * fused loops over contiguous F32 parameters.
 */
public abstract class Optimizer {
    protected static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    protected final List<ParamGroup> groups;
    /** Completed steps (PyTorch keeps one per parameter; they are always equal here). */
    protected long steps;
    private final Map<Tensor, Tensor[]> state = new java.util.IdentityHashMap<>();

    protected Optimizer(List<ParamGroup> groups) {
        this.groups = List.copyOf(groups);
        for (ParamGroup g : groups) {
            for (Tensor p : g.params) {
                if (p.dtype() != DType.F32 || !p.isContiguous()) {
                    throw new IllegalArgumentException("optimizers update contiguous F32 parameters, got " + p.dtype() + " " + java.util.Arrays.toString(p.shape()));
                }
            }
        }
    }

    /** Number of state tensors per parameter (e.g. 2 for Adam's moments). */
    protected abstract int stateSlots();

    /** Applies one update to {@code p} (whose grad is non-null) with its state tensors. */
    protected abstract void update(ParamGroup group, Tensor p, Tensor[] slots);

    public void step() {
        steps++;
        for (ParamGroup g : groups) {
            for (Tensor p : g.params) {
                if (p.grad() == null) continue;
                update(g, p, slots(p));
            }
        }
    }

    protected Tensor[] slots(Tensor p) {
        return state.computeIfAbsent(p, k -> {
            Scope owner = k.storage().scope() == null ? Scope.global() : k.storage().scope();
            Tensor[] s = new Tensor[stateSlots()];
            owner.run(() -> {
                for (int i = 0; i < s.length; i++) s[i] = Tensor.zeros(DType.F32, k.shape());
                return null;
            });
            return s;
        });
    }

    public void zeroGrad() {
        for (ParamGroup g : groups) for (Tensor p : g.params) p.zeroGrad();
    }

    public List<ParamGroup> groups() { return groups; }

    public long steps() { return steps; }

    /** Sets the learning rate of every group (schedules call this before each step). */
    public void setLr(double lr) {
        for (ParamGroup g : groups) g.lr = lr;
    }

    /**
     * State for checkpoints: "{group}.{index}.{slot}" tensors and "steps". Parameters are identified by
     * their position in the groups, as PyTorch's optimizer state_dict does.
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("steps", Tensor.ofLongs(new long[] {steps}));
        for (int gi = 0; gi < groups.size(); gi++) {
            List<Tensor> ps = groups.get(gi).params;
            for (int pi = 0; pi < ps.size(); pi++) {
                Tensor[] s = state.get(ps.get(pi));
                if (s == null) continue;
                for (int k = 0; k < s.length; k++) out.put(gi + "." + pi + "." + k, s[k]);
            }
        }
        return out;
    }

    public void loadStateDict(Map<String, Tensor> sd) {
        Tensor st = sd.get("steps");
        if (st == null) throw new IllegalArgumentException("optimizer state has no 'steps' entry");
        steps = st.toLongArray()[0];
        List<String> problems = new ArrayList<>();
        for (int gi = 0; gi < groups.size(); gi++) {
            List<Tensor> ps = groups.get(gi).params;
            for (int pi = 0; pi < ps.size(); pi++) {
                Tensor p = ps.get(pi);
                if (!sd.containsKey(gi + "." + pi + ".0")) continue;
                Tensor[] s = slots(p);
                for (int k = 0; k < s.length; k++) {
                    Tensor src = sd.get(gi + "." + pi + "." + k);
                    if (src == null || !java.util.Arrays.equals(src.shape(), p.shape())) {
                        problems.add(gi + "." + pi + "." + k + (src == null ? " missing" : " has shape " + java.util.Arrays.toString(src.shape())));
                    } else {
                        s[k].copyFrom(src);
                    }
                }
            }
        }
        if (!problems.isEmpty()) throw new IllegalArgumentException("optimizer state does not fit its parameters: " + problems);
    }

    protected static MemorySegment seg(Tensor t) { return t.segment().asSlice(t.byteOffset(), t.numel() * 4); }

    protected static Tensor contiguousGrad(Tensor p) {
        Tensor g = p.grad();
        if (g.dtype() != DType.F32 || !g.isContiguous()) {
            throw new IllegalStateException("gradient of a parameter " + java.util.Arrays.toString(p.shape()) + " is not contiguous F32");
        }
        return g;
    }
}
