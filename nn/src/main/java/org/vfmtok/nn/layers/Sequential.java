package org.vfmtok.nn.layers;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.vfmtok.nn.Module;
import org.vfmtok.nn.UnaryModule;
import org.vfmtok.tensor.Tensor;

/**
 * Children named "0", "1", ... applied in order, as {@code nn.Sequential}: layers, or parameter-free
 * steps (a ReLU) that still take an index so that later layers keep PyTorch's key names.
 */
public final class Sequential extends UnaryModule {
    private final List<UnaryOperator<Tensor>> steps = new ArrayList<>();
    private int next;

    /** Appends a layer, registered as the next index. */
    public Sequential add(UnaryModule layer) {
        UnaryModule m = register(Integer.toString(next++), layer);
        steps.add(m::forward);
        return this;
    }

    /** Appends a parameter-free step that still takes an index, like nn.ReLU() inside nn.Sequential. */
    public Sequential add(UnaryOperator<Tensor> f) {
        register(Integer.toString(next++), new Stateless());
        steps.add(f);
        return this;
    }

    @Override public Tensor forward(Tensor x) {
        for (UnaryOperator<Tensor> s : steps) x = s.apply(x);
        return x;
    }

    public int size() { return steps.size(); }

    /** Placeholder for a parameter-free layer (keeps the indices of later layers as in PyTorch). */
    static final class Stateless extends Module {}
}
