package org.vfmtok.tensor.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.Tensor;

/** Random test inputs of odd sizes in several layouts (contiguous, transposed, narrowed, expanded). */
final class Views {
    private Views() {}

    /** A named tensor layout; the supplier is re-run per backend only for data, which is fixed here. */
    record Case(String name, Tensor t) {}

    static final int[][] SHAPES = {{1}, {3}, {17}, {33}, {1037}, {5, 33}, {2, 3, 17}, {64, 130}, {3, 1, 40}};

    /** Every layout of a tensor with logical shape {@code shape}, F32 values from {@code gen}. */
    static List<Case> layouts(SplittableRandom rng, int[] shape, Supplier<Double> gen) {
        List<Case> out = new ArrayList<>();
        out.add(new Case("contiguous" + str(shape), fill(Tensor.empty(DType.F32, shape), gen)));
        if (shape.length >= 2) {
            int[] rev = shape.clone();
            int r = shape.length;
            rev[r - 1] = shape[r - 2];
            rev[r - 2] = shape[r - 1];
            out.add(new Case("transposed" + str(shape), fill(Tensor.empty(DType.F32, rev), gen).transpose(r - 2, r - 1)));
        }
        int[] wide = shape.clone();
        wide[wide.length - 1] += 5;
        out.add(new Case("narrowed" + str(shape), fill(Tensor.empty(DType.F32, wide), gen).narrow(-1, 2, shape[shape.length - 1])));
        int[] one = shape.clone();
        one[0] = 1;
        out.add(new Case("expanded" + str(shape), fill(Tensor.empty(DType.F32, one), gen).expand(shape)));
        return out;
    }

    static Tensor fill(Tensor t, Supplier<Double> gen) {
        double[] v = new double[(int) t.numel()];
        for (int i = 0; i < v.length; i++) v[i] = gen.get();
        Tensor d = Tensor.of(v, t.shape());
        t.copyFrom(d);
        return t;
    }

    static Tensor randn(SplittableRandom rng, int... shape) { return Init.randn(rng, shape); }

    static String str(int[] s) { return java.util.Arrays.toString(s); }
}
