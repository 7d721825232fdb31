package org.vfmtok.tensor.autograd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.Pointwise;

/**
 * Reverse-mode differentiation over the recorded graph: a topological order by iterative DFS (deep
 * graphs do not overflow the stack), then one pass from the root that sums gradients arriving at each
 * tensor and hands them to its node. Leaf gradients accumulate into {@code leaf.grad()}, which lives
 * in the leaf's own scope, so closing a step scope frees everything else of the step.
 */
public final class Engine {
    private Engine() {}

    public static void backward(Tensor root, Tensor seed, boolean retainGraph) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward() on a tensor that does not require grad (no input requires grad, or it was computed under noGrad)");
        }
        if (seed == null) {
            if (root.numel() != 1) {
                throw new IllegalArgumentException("backward() without a gradient needs a scalar, got shape " + Arrays.toString(root.shape()));
            }
            seed = Tensor.full(root.dtype(), root.device(), 1.0, root.shape());
        } else if (!Arrays.equals(seed.shape(), root.shape())) {
            throw new IllegalArgumentException("gradient shape " + Arrays.toString(seed.shape()) + " does not match " + Arrays.toString(root.shape()));
        }
        List<Tensor> order = topologicalOrder(root);
        Map<Tensor, Tensor> pending = new IdentityHashMap<>();
        pending.put(root, seed);
        try (Grad.Mode ng = Grad.noGrad()) {
            for (Tensor t : order) {
                Tensor g = pending.remove(t);
                if (g == null) continue;
                if (t.retainsGrad()) accumulateLeaf(t, g);
                Node node = t.gradFn();
                if (node == null) {
                    accumulateLeaf(t, g);
                    continue;
                }
                Tensor[] inputs = node.inputs();
                Tensor[] grads = node.apply(g);
                if (grads.length != inputs.length) {
                    throw new IllegalStateException(node + " returned " + grads.length + " gradients for " + inputs.length + " inputs");
                }
                for (int i = 0; i < inputs.length; i++) {
                    Tensor in = inputs[i];
                    if (in == null || !in.requiresGrad() || grads[i] == null) continue;
                    checkShape(node, in, grads[i]);
                    Tensor prev = pending.get(in);
                    pending.put(in, prev == null ? grads[i] : Pointwise.add(prev, grads[i]));
                }
                if (!retainGraph) node.release();
            }
        }
    }

    private static void checkShape(Node node, Tensor input, Tensor grad) {
        if (!Arrays.equals(input.shape(), grad.shape())) {
            throw new IllegalStateException(node + " produced a gradient of shape " + Arrays.toString(grad.shape())
                    + " for an input of shape " + Arrays.toString(input.shape()));
        }
    }

    private static void accumulateLeaf(Tensor leaf, Tensor g) {
        Scope owner = leaf.storage().scope() == null ? Scope.global() : leaf.storage().scope();
        Tensor existing = leaf.grad();
        if (existing == null) {
            Tensor copy = owner.run(() -> {
                Tensor c = Tensor.empty(leaf.dtype(), leaf.shape());
                c.copyFrom(g);
                return c;
            });
            leaf.setGrad(copy);
        } else {
            Pointwise.addInPlace(existing, g);
        }
    }

    /** Tensors reachable from root through grad functions, root first, each before its inputs. */
    static List<Tensor> topologicalOrder(Tensor root) {
        Map<Tensor, Boolean> visited = new IdentityHashMap<>();
        List<Tensor> post = new ArrayList<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        visited.put(root, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor t = (Tensor) frame[0];
            int next = (Integer) frame[1];
            Node node = t.gradFn();
            Tensor[] inputs = node == null ? new Tensor[0] : node.inputs();
            if (next < inputs.length) {
                frame[1] = next + 1;
                Tensor in = inputs[next];
                if (in != null && in.requiresGrad() && visited.put(in, Boolean.TRUE) == null) {
                    stack.push(new Object[] {in, 0});
                }
            } else {
                stack.pop();
                post.add(t);
            }
        }
        java.util.Collections.reverse(post);
        return post;
    }
}
