package org.vfmtok.tensor.ops;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.ReduceKernels.ReduceOp;
import org.vfmtok.tensor.testing.Compare;
import org.vfmtok.tensor.testing.GradCheck;

class ReductionsTest {
    private static final double ATOL = 1e-5, RTOL = 1e-5;

    /** Every subset of dims of a rank-3 tensor, plus null (all) and negative indices. */
    private static final int[][] DIMS3 = {null, {0}, {1}, {2}, {-1}, {0, 1}, {0, 2}, {1, 2}, {0, 1, 2}, {}};

    @Test
    void reductionsMatchReferenceOnEveryLayoutAndDimSet() {
        var rng = new SplittableRandom(1);
        for (int[] shape : new int[][] {{3, 17, 33}, {1, 5, 1037}, {40, 3, 1}, {2, 65, 7}}) {
            for (Views.Case c : Views.layouts(rng, shape, () -> rng.nextDouble() - 0.3)) {
                for (int[] dims : DIMS3) {
                    for (ReduceOp op : ReduceOp.values()) {
                        Tensor x = op == ReduceOp.PROD ? c.t().mul(0.1).add(1.0) : c.t();
                        for (boolean keep : new boolean[] {true, false}) {
                            String what = op + " " + c.name() + " dims " + java.util.Arrays.toString(dims) + " keep " + keep;
                            Compare.backends(what, () -> Reductions.reduce(op, x, dims, keep), ATOL, RTOL);
                        }
                    }
                    for (int corr : new int[] {0, 1}) {
                        Compare.backends("var " + c.name() + " " + java.util.Arrays.toString(dims),
                                () -> Reductions.var(c.t(), dims, corr, false), ATOL, RTOL);
                    }
                }
            }
        }
    }

    @Test
    void fastPathsOnLargeInputs() {
        var rng = new SplittableRandom(2);
        Tensor big = Init.randn(rng, 300, 1003).add(0.5);
        // last dim (rows), leading dims (column sums as for bias gradients), everything (split partials)
        Compare.backends("sum last", () -> Reductions.sum(big, new int[] {1}, false), ATOL, RTOL);
        Compare.backends("sum rows (bias grad)", () -> Reductions.sum(big, new int[] {0}, false), ATOL, RTOL);
        Compare.backends("sum all", () -> Reductions.sum(big, null, false), 1e-3, RTOL);
        Compare.backends("mean all", () -> Reductions.mean(big, null, false), ATOL, RTOL);
        Compare.backends("max all", () -> Reductions.max(big, null, false), 0, 0);
        Compare.backends("min cols", () -> Reductions.min(big, new int[] {0}, true), 0, 0);
        Compare.backends("var all", () -> Reductions.var(big, null, 1, false), ATOL, RTOL);
        Compare.backends("var cols", () -> Reductions.var(big, new int[] {0}, 1, false), ATOL, RTOL);
        Tensor nchw = Init.randn(rng, 4, 16, 9, 11);
        Compare.backends("sum NHW", () -> Reductions.sum(nchw, new int[] {0, 2, 3}, true), ATOL, RTOL);
        Compare.backends("sum NHW permuted", () -> Reductions.sum(nchw.permute(0, 2, 3, 1), new int[] {0, 1, 2}, false), ATOL, RTOL);
        Compare.backends("mean C permuted", () -> Reductions.mean(nchw.permute(0, 2, 3, 1), new int[] {3}, false), ATOL, RTOL);
    }

    @Test
    void argmaxArgminFirstOnTiesAndNaN() {
        var rng = new SplittableRandom(3);
        for (int[] shape : new int[][] {{5, 37}, {3, 1037}, {2, 3, 17}}) {
            for (Views.Case c : Views.layouts(rng, shape, () -> (double) rng.nextInt(4))) {
                for (int d = 0; d < shape.length; d++) {
                    int dim = d;
                    Compare.backends("argmax " + c.name() + " " + d, () -> Reductions.argmax(c.t(), dim, false).to(DType.F64), 0, 0);
                    Compare.backends("argmin " + c.name() + " " + d, () -> Reductions.argmin(c.t(), dim, true).to(DType.F64), 0, 0);
                }
            }
        }
        Tensor t = Tensor.of(new float[] {1, 3, 3, 0, 3, -1, -1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 1, 20);
        assertArrayEquals(new long[] {1}, Reductions.argmax(t, 1, false).toLongArray());
        assertArrayEquals(new long[] {5}, Reductions.argmin(t, 1, false).toLongArray());
        float[] v = new float[40];
        v[3] = 5;
        v[21] = Float.NaN;
        v[30] = Float.NaN;
        Tensor n = Tensor.of(v, 2, 20);
        assertArrayEquals(new long[] {3, 1}, Reductions.argmax(n, 1, false).toLongArray());
        Compare.backends("argmax NaN", () -> Reductions.argmax(n, 1, false).to(DType.F64), 0, 0);
        Compare.backends("max NaN", () -> Reductions.max(n, new int[] {1}, false), 0, 0);
    }

    @Test
    void gradients() {
        var rng = new SplittableRandom(4);
        Tensor x = GradCheck.leaf(rng, 3, 4, 5);
        GradCheck.check("sum 0,2", in -> Reductions.sum(in[0], new int[] {0, 2}, false), x);
        GradCheck.check("mean 0,2 keep", in -> Reductions.mean(in[0], new int[] {0, 2}, true), x);
        GradCheck.check("mean all", in -> Reductions.mean(in[0], null, false), x);
        GradCheck.check("mean transposed", in -> Reductions.mean(in[0].transpose(0, 2), new int[] {1, 2}, false), x);
        GradCheck.check("var 1", in -> Reductions.var(in[0], new int[] {1}, 1, false), x);
        GradCheck.check("var 0,2 pop", in -> Reductions.var(in[0], new int[] {0, 2}, 0, true), x);
        GradCheck.check("max 2", in -> Reductions.max(in[0], new int[] {2}, false), x);
        GradCheck.check("min 0,1", in -> Reductions.min(in[0], new int[] {0, 1}, true), x);
        GradCheck.check("sumTo broadcast", in -> Reductions.sumTo(in[0].expand(2, 3, 4, 5), new int[] {3, 1, 5}), x);
        // max with ties: the gradient is shared equally between the tied elements
        Tensor tie = Tensor.of(new double[] {2, 5, 5, 1, 5, 0}, 2, 3).requiresGrad(true);
        Reductions.max(tie, new int[] {1}, false).sum().backward();
        assertArrayEquals(new double[] {0, 0.5, 0.5, 0, 1, 0}, tie.grad().toDoubleArray(), 1e-12);
        Tensor tie2 = Tensor.of(new double[] {2, 5, 5, 1, 5, 0}, 2, 3).requiresGrad(true);
        Reductions.max(tie2, null, false).backward();
        assertArrayEquals(new double[] {0, 1.0 / 3, 1.0 / 3, 0, 1.0 / 3, 0}, tie2.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void prodHasNoGradientAndEmptyMaxFails() {
        Tensor x = Tensor.ones(3).requiresGrad(true);
        assertThrows(UnsupportedOperationException.class, () -> Reductions.prod(x, null, false));
        var e = assertThrows(IllegalArgumentException.class, () -> Reductions.max(Tensor.zeros(0, 3), null, false));
        assertTrue(e.getMessage().contains("empty"));
        // sum over an empty dim is 0, as in PyTorch
        assertArrayEquals(new float[] {0, 0, 0}, Reductions.sum(Tensor.zeros(0, 3), new int[] {0}, false).toFloatArray());
    }
}
