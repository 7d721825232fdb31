package org.vfmtok.tensor.ops;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.testing.Compare;
import org.vfmtok.tensor.testing.GradCheck;

class SoftmaxTest {
    private static final double ATOL = 1e-6, RTOL = 1e-5;

    @Test
    void forwardAndBackwardMatchReferenceAlongEveryDim() {
        var rng = new SplittableRandom(1);
        for (int[] shape : new int[][] {{1}, {17}, {3, 33}, {2, 5, 17}, {4, 1037}, {3, 300, 5}}) {
            for (Views.Case c : Views.layouts(rng, shape, () -> 6 * (rng.nextDouble() - 0.5))) {
                for (int d = 0; d < shape.length; d++) {
                    int dim = d;
                    for (boolean log : new boolean[] {false, true}) {
                        String what = (log ? "logSoftmax " : "softmax ") + c.name() + " dim " + d;
                        Compare.backends(what, () -> log ? Reductions.logSoftmax(c.t(), dim) : Reductions.softmax(c.t(), dim), ATOL, RTOL);
                        Tensor g = Views.fill(Tensor.empty(DType.F32, shape), () -> rng.nextDouble() - 0.5);
                        Compare.backends(what + " backward", () -> {
                            Tensor x = c.t().detach().requiresGrad(true);
                            (log ? Reductions.logSoftmax(x, dim) : Reductions.softmax(x, dim)).backward(g);
                            return x.grad();
                        }, ATOL, RTOL);
                        // upstream gradient that is itself a broadcast view (as from sum().backward())
                        Compare.backends(what + " backward expanded grad", () -> {
                            Tensor x = c.t().detach().requiresGrad(true);
                            (log ? Reductions.logSoftmax(x, dim) : Reductions.softmax(x, dim)).mul(g).sum().backward();
                            return x.grad();
                        }, ATOL, RTOL);
                    }
                }
            }
        }
    }

    @Test
    void extremeRowsAreStable() {
        Tensor x = Tensor.of(new float[] {1000, 1001, 999, -1e30f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
                1, 18);
        float[] s = Reductions.softmax(x, 1).toFloatArray();
        assertFalse(Float.isNaN(s[0]));
        Compare.backends("extreme", () -> Reductions.softmax(x, 1), ATOL, RTOL);
        Compare.backends("extreme log", () -> Reductions.logSoftmax(x, 1), 1e-4, RTOL);
        Tensor ninf = Tensor.of(new float[] {Float.NEGATIVE_INFINITY, 0, Float.NEGATIVE_INFINITY, 1});
        Compare.backends("-inf entries", () -> Reductions.softmax(ninf, 0), ATOL, RTOL);
    }

    @Test
    void rowsSumToOne() {
        Tensor x = Init.randn(new SplittableRandom(2), 64, 1000);
        float[] s = Reductions.softmax(x, -1).toFloatArray();
        for (int r = 0; r < 64; r++) {
            double sum = 0;
            for (int j = 0; j < 1000; j++) sum += s[r * 1000 + j];
            assertEquals(1.0, sum, 1e-5);
        }
    }

    @Test
    void gradients() {
        var rng = new SplittableRandom(3);
        Tensor x = GradCheck.leaf(rng, 3, 4, 5);
        for (int d = 0; d < 3; d++) {
            int dim = d;
            GradCheck.check("softmax " + d, in -> Reductions.softmax(in[0], dim), x);
            GradCheck.check("logSoftmax " + d, in -> Reductions.logSoftmax(in[0], dim), x);
        }
        GradCheck.check("softmax transposed", in -> Reductions.softmax(in[0].transpose(0, 2), 1), x);
    }
}
