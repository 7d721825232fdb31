package org.vfmtok.tensor.autograd;

import org.vfmtok.tensor.Tensor;

/**
 * Grad mode and the hook through which ops record themselves. An op computes its output without
 * autograd, then calls {@link #track} with its inputs and a backward closure; nothing is recorded
 * when grad mode is off or no input requires a gradient.
 */
public final class Grad {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    private Grad() {}

    public static boolean isEnabled() { return ENABLED.get()[0]; }

    /** A no-grad region: {@code try (var ng = Grad.noGrad()) { ... }}. */
    public static Mode noGrad() { return set(false); }

    /** Re-enables grad inside a no-grad region. */
    public static Mode enableGrad() { return set(true); }

    private static Mode set(boolean on) {
        boolean[] cell = ENABLED.get();
        Mode m = new Mode(cell, cell[0]);
        cell[0] = on;
        return m;
    }

    /** Restores the previous grad mode on close. */
    public static final class Mode implements AutoCloseable {
        private final boolean[] cell;
        private final boolean previous;
        Mode(boolean[] cell, boolean previous) { this.cell = cell; this.previous = previous; }
        @Override public void close() { cell[0] = previous; }
    }

    /** True when an op on these inputs must be recorded. */
    public static boolean needed(Tensor... inputs) {
        if (!isEnabled()) return false;
        for (Tensor t : inputs) if (t != null && t.requiresGrad()) return true;
        return false;
    }

    /**
     * Records {@code output = op(inputs)} if needed and returns {@code output}. The closure receives the
     * output gradient and returns one gradient per input (null for inputs that need none); it may
     * capture the tensors it needs, which live until the step's scope closes.
     */
    public static Tensor track(Tensor output, String name, Tensor[] inputs, Node.Backward backward) {
        if (!needed(inputs)) return output;
        output.attachGradFn(new Node(name, inputs, backward));
        return output;
    }

    public static Tensor track(Tensor output, String name, Tensor input, Node.Backward backward) {
        return track(output, name, new Tensor[] {input}, backward);
    }
}
