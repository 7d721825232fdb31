package org.vfmtok.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;

/**
 * A node of a model tree with PyTorch's naming: parameters, buffers and children registered under names,
 * so that {@link #stateDict()} produces exactly the keys of the official checkpoints
 * ({@code layers.3.attention.wqkv.weight}).
 *
 * <p>Subclasses register in their constructor, in the same order as the PyTorch module does:
 * <pre>{@code
 * this.fc1 = register("fc1", new Linear(512, 1024, true, rng));
 * this.scale = parameter("scale", Tensor.ones(512));
 * }</pre>
 */
public abstract class Module {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** Registers a child module; returns it. */
    protected <M extends Module> M register(String name, M child) {
        checkName(name);
        children.put(name, child);
        return child;
    }

    /** Registers a trainable parameter (requiresGrad on); returns it. */
    protected Tensor parameter(String name, Tensor value) {
        checkName(name);
        if (!value.isLeaf()) value = value.detach();
        value.requiresGrad(true);
        parameters.put(name, value);
        return value;
    }

    /** Registers a buffer: saved in the state dict, never trained. */
    protected Tensor buffer(String name, Tensor value) {
        checkName(name);
        buffers.put(name, value);
        return value;
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains(".")) throw new IllegalArgumentException("bad module entry name '" + name + "'");
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("'" + name + "' is already registered in " + getClass().getSimpleName());
        }
    }

    public Map<String, Module> children() { return Collections.unmodifiableMap(children); }

    /** Direct parameters of this module (not its children), by local name. */
    public Map<String, Tensor> localParameters() { return Collections.unmodifiableMap(parameters); }

    /** Every parameter of the tree by full name, in registration order. */
    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true, false);
        return out;
    }

    public List<Tensor> parameters() { return new ArrayList<>(namedParameters().values()); }

    /** Every buffer of the tree by full name. */
    public Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, false, true);
        return out;
    }

    /** Parameters and buffers by full name, in PyTorch's order (per module: parameters, buffers, then children). */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true, true);
        return out;
    }

    private void collect(String prefix, Map<String, Tensor> out, boolean params, boolean bufs) {
        if (params) parameters.forEach((k, v) -> out.put(prefix + k, v));
        if (bufs) buffers.forEach((k, v) -> out.put(prefix + k, v));
        children.forEach((k, c) -> c.collect(prefix + k + ".", out, params, bufs));
    }

    /** Number of parameter elements in the tree. */
    public long parameterCount() {
        long n = 0;
        for (Tensor t : namedParameters().values()) n += t.numel();
        return n;
    }

    /**
     * Copies {@code state} into this tree's tensors (converting dtypes). With {@code strict}, any missing
     * key, unexpected key or shape mismatch fails, all of them listed in one error; without it, shape
     * mismatches still fail and the report says what was missing or unexpected.
     */
    public LoadReport load(Map<String, Tensor> state, boolean strict) {
        Map<String, Tensor> mine = stateDict();
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        for (var e : mine.entrySet()) {
            Tensor src = state.get(e.getKey());
            if (src == null) missing.add(e.getKey());
            else if (!Arrays.equals(src.shape(), e.getValue().shape())) {
                mismatched.add(e.getKey() + ": checkpoint " + Arrays.toString(src.shape()) + ", model " + Arrays.toString(e.getValue().shape()));
            }
        }
        for (String k : state.keySet()) if (!mine.containsKey(k)) unexpected.add(k);
        LoadReport report = new LoadReport(missing, unexpected, mismatched);
        if (!mismatched.isEmpty() || (strict && !report.isClean())) throw new StateDictException(getClass().getSimpleName(), report);
        try (Grad.Mode ng = Grad.noGrad()) {
            for (var e : mine.entrySet()) {
                Tensor src = state.get(e.getKey());
                if (src != null) e.getValue().copyFrom(src.dtype() == e.getValue().dtype() ? src : src.to(e.getValue().dtype()));
            }
        }
        return report;
    }

    /** Training mode for this tree (dropout active, etc.). Returns this. */
    public Module train(boolean on) {
        training = on;
        for (Module c : children.values()) c.train(on);
        return this;
    }

    public Module eval() { return train(false); }

    public boolean isTraining() { return training; }

    /** Freezes (false) or unfreezes (true) every parameter of this tree. Returns this. */
    public Module requiresGrad(boolean on) {
        for (Tensor p : namedParameters().values()) p.requiresGrad(on);
        return this;
    }

    /** Clears the gradients of every parameter. */
    public void zeroGrad() {
        for (Tensor p : namedParameters().values()) p.zeroGrad();
    }

    /** Every module of the tree (this first), by full name ("" for this). */
    public Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        walk("", out);
        return out;
    }

    private void walk(String name, Map<String, Module> out) {
        out.put(name, this);
        children.forEach((k, c) -> c.walk(name.isEmpty() ? k : name + "." + k, out));
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + parameterCount() + " parameters)";
    }
}
