package org.vfmtok.tensor.autograd;

import org.vfmtok.tensor.Tensor;

/**
 * One recorded operation of the autograd graph: the op's differentiable inputs and the function that
 * maps the gradient of its output to gradients of those inputs (null where an input needs none).
 */
public final class Node {
    /** Gradient of the output in, gradients of the inputs out (same order as the inputs). */
    @FunctionalInterface
    public interface Backward {
        Tensor[] apply(Tensor gradOutput);
    }

    private final String name;
    private final Tensor[] inputs;
    private Backward backward;

    Node(String name, Tensor[] inputs, Backward backward) {
        this.name = name;
        this.inputs = inputs;
        this.backward = backward;
    }

    public String name() { return name; }

    public Tensor[] inputs() { return inputs; }

    Tensor[] apply(Tensor grad) {
        if (backward == null) {
            throw new IllegalStateException("backward through '" + name + "' a second time: its saved tensors were released");
        }
        return backward.apply(grad);
    }

    /** Drops the closure (and the tensors it saved) once the graph has been walked. */
    void release() { backward = null; }

    @Override public String toString() { return name + "Backward"; }
}
