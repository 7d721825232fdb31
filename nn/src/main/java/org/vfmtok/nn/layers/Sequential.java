package org.vfmtok.nn.layers;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.vfmtok.nn.Module;
import org.vfmtok.tensor.Tensor;

/**
 * Children named "0", "1", ... applied in order, as {@code nn.Sequential}. Each element is a module with
 * a single-tensor forward, given as the module plus its forward function, or a parameter-free step.
 */
public final class Sequential extends Module {
    private final List<UnaryOperator<Tensor>> steps = new ArrayList<>();
    private int next;

    /** Appends a module (registered as the next index) and the function that runs it. */
    public <M extends Module> Sequential add(M module, java.util.function.BiFunction<M, Tensor, Tensor> forward) {
        M m = register(Integer.toString(next++), module);
        steps.add(x -> forward.apply(m, x));
        return this;
    }

    /** Appends a parameter-free step that still takes an index, like nn.ReLU() inside nn.Sequential. */
    public Sequential add(UnaryOperator<Tensor> f) {
        register(Integer.toString(next++), new Stateless());
        steps.add(f);
        return this;
    }

    public Tensor forward(Tensor x) {
        for (UnaryOperator<Tensor> s : steps) x = s.apply(x);
        return x;
    }

    public int size() { return steps.size(); }

    /** Placeholder for a parameter-free layer (keeps the indices of later layers as in PyTorch). */
    static final class Stateless extends Module {}
}
