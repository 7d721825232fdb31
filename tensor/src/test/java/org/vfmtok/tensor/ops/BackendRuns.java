package org.vfmtok.tensor.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;
import org.vfmtok.tensor.backend.Backend;
import org.vfmtok.tensor.backend.Backends;
import org.vfmtok.tensor.testing.Compare;

/**
 * Runs forward and backward of one function on the fast CPU backend and on the scalar oracle, from
 * identical F32 inputs and the same output gradient, and compares the output and every input gradient.
 */
final class BackendRuns {
    private BackendRuns() {}

    /**
     * @param inputs floating inputs get fresh grad-requiring copies per backend; integer ones (indices)
     *               are passed through
     */
    static void compareForwardBackward(String what, Function<Tensor[], Tensor> f, double atol, double rtol, Tensor... inputs) {
        List<Tensor> fast = run(org.vfmtok.tensor.testing.Compare.fast(), f, inputs);
        List<Tensor> oracle = run(Backends.scalar(), f, inputs);
        Compare.assertClose(what + " output", oracle.get(0), fast.get(0), atol, rtol);
        for (int i = 1; i < oracle.size(); i++) {
            Compare.assertClose(what + " gradient of input " + (i - 1), oracle.get(i), fast.get(i), atol, rtol);
        }
    }

    private static List<Tensor> run(Backend backend, Function<Tensor[], Tensor> f, Tensor[] inputs) {
        return Backends.using(backend, () -> {
            Tensor[] leaves = new Tensor[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                Tensor in = inputs[i];
                if (in == null || !in.dtype().isFloating()) {
                    leaves[i] = in;
                    continue;
                }
                try (Grad.Mode ng = Grad.noGrad()) {
                    leaves[i] = in.detach().copy().requiresGrad(true);
                }
            }
            Tensor y = f.apply(leaves);
            Tensor seed = Init.randn(new SplittableRandom(99), y.dtype(), y.shape());
            y.backward(seed);
            List<Tensor> out = new ArrayList<>();
            out.add(y.detach());
            for (Tensor l : leaves) if (l != null && l.dtype().isFloating()) out.add(l.grad());
            return out;
        });
    }

    static Tensor randn(SplittableRandom rng, int... shape) { return Init.randn(rng, DType.F32, shape); }
}
