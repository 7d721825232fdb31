package org.vfmtok.tensor.testing;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;
import org.vfmtok.tensor.backend.Backends;
import org.vfmtok.tensor.ops.Pointwise;
import org.vfmtok.tensor.ops.Reductions;

/**
 * Finite-difference gradient check in double precision, on the scalar reference backend. The function
 * is reduced to a scalar with a fixed random projection (L = Σ f(x)·r), and every element of every
 * input that requires grad is perturbed by ±eps; the central difference must match autograd.
 */
public final class GradCheck {
    private GradCheck() {}

    public static void check(String name, Function<Tensor[], Tensor> f, Tensor... inputs) {
        check(name, f, 1e-6, 1e-5, 1e-4, inputs);
    }

    /**
     * @param inputs F64 tensors; those with requiresGrad are checked, others (indices, masks) are passed
     *               through unchanged
     */
    public static void check(String name, Function<Tensor[], Tensor> f, double eps, double atol, double rtol, Tensor... inputs) {
        Backends.using(Backends.scalar(), () -> {
            try (Scope scope = Scope.open("gradcheck")) {
                run(name, f, eps, atol, rtol, inputs);
            }
            return null;
        });
    }

    private static void run(String name, Function<Tensor[], Tensor> f, double eps, double atol, double rtol, Tensor[] inputs) {
        for (Tensor t : inputs) {
            if (t.requiresGrad() && t.dtype() != DType.F64) {
                throw new IllegalArgumentException(name + ": gradient checks need F64 inputs, got " + t.dtype());
            }
        }
        Tensor y = f.apply(inputs);
        Tensor r = Init.randn(new SplittableRandom(7), DType.F64, y.shape());
        for (Tensor t : inputs) t.setGrad(null);
        Tensor loss = Reductions.sum(Pointwise.mul(y, r), null, false);
        loss.backward();
        for (int i = 0; i < inputs.length; i++) {
            Tensor x = inputs[i];
            if (!x.requiresGrad()) continue;
            Tensor analytic = x.grad();
            if (analytic == null) throw new AssertionError(name + ": input " + i + " received no gradient");
            int n = Math.toIntExact(x.numel());
            int[] shape = x.shape();
            int[] idx = new int[shape.length];
            for (int e = 0; e < n; e++) {
                unravel(e, shape, idx);
                double orig = x.getDouble(idx);
                double plus, minus;
                try (Grad.Mode ng = Grad.noGrad()) {
                    x.setDouble(orig + eps, idx);
                    plus = projected(f, inputs, r);
                    x.setDouble(orig - eps, idx);
                    minus = projected(f, inputs, r);
                    x.setDouble(orig, idx);
                }
                double numeric = (plus - minus) / (2 * eps);
                double a = analytic.getDouble(idx);
                if (!(Math.abs(a - numeric) <= atol + rtol * Math.abs(numeric))) {
                    throw new AssertionError(String.format("%s: gradient of input %d at %s: autograd %.10g, finite difference %.10g",
                            name, i, Arrays.toString(idx), a, numeric));
                }
            }
        }
    }

    private static double projected(Function<Tensor[], Tensor> f, Tensor[] inputs, Tensor r) {
        try (Scope s = Scope.open("gradcheck-eval")) {
            return Reductions.sum(Pointwise.mul(f.apply(inputs), r), null, false).item();
        }
    }

    private static void unravel(int e, int[] shape, int[] idx) {
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = e % shape[d];
            e /= shape[d];
        }
    }

    /** A random F64 leaf that requires grad. */
    public static Tensor leaf(SplittableRandom rng, int... shape) {
        return Init.randn(rng, DType.F64, shape).requiresGrad(true);
    }
}
