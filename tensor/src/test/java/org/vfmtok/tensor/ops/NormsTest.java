package org.vfmtok.tensor.ops;

import static org.junit.jupiter.api.Assertions.*;
import static org.vfmtok.tensor.ops.BackendRuns.compareForwardBackward;
import static org.vfmtok.tensor.ops.BackendRuns.randn;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.Backends;
import org.vfmtok.tensor.testing.Compare;
import org.vfmtok.tensor.testing.GradCheck;

class NormsTest {
    private static final double[] LN_X = {1, 2, 4, -1, 0.5, -3, 2, 7};
    private static final double[] LN_W = {1.5, -0.5, 2, 1}, LN_B = {0.1, 0.2, -0.3, 0};

    @Test
    void layerNormMatchesTorch() {
        // /usr/bin/python3 -c "import torch; x=torch.tensor([[1.,2.,4.,-1.],[0.5,-3.,2.,7.]],dtype=torch.float64);
        //   w=torch.tensor([1.5,-0.5,2.,1.],dtype=torch.float64); b=torch.tensor([0.1,0.2,-0.3,0.],dtype=torch.float64);
        //   print(torch.nn.functional.layer_norm(x,(4,),w,b,1e-5).flatten().tolist())"
        double[] torch = {-0.3160245071317106, 0.061325164289429634, 2.4734967142114064, -1.3867483571057027,
                -0.36944081448824106, 0.8433077828172193, -0.09135963800522623, 1.4952559276292123};
        Tensor y64 = Norms.layerNorm(Tensor.of(LN_X, 2, 4), Tensor.of(LN_W, 4), Tensor.of(LN_B, 4), 1e-5);
        assertArrayEquals(torch, y64.toDoubleArray(), 1e-12);
        Tensor x32 = Tensor.of(LN_X, 2, 4).to(DType.F32);
        Tensor y32 = Norms.layerNorm(x32, Tensor.of(LN_W, 4).to(DType.F32), Tensor.of(LN_B, 4).to(DType.F32), 1e-5);
        assertArrayEquals(torch, y32.toDoubleArray(), 1e-5);
    }

    @Test
    void groupNormMatchesTorch() {
        // /usr/bin/python3 -c "import torch; x=torch.arange(24,dtype=torch.float64).reshape(2,4,3).sin()*3;
        //   w=torch.tensor([1.5,-0.5,2.,1.],dtype=torch.float64); b=torch.tensor([0.1,0.2,-0.3,0.],dtype=torch.float64);
        //   print(torch.nn.functional.group_norm(x,2,w,b,1e-6).flatten().tolist())"
        double[] torch = {0.03814813549031826, 1.8108341686827516, 1.9537208381185531, 0.12152040037530534, 0.7520569684197604,
                0.893990345302142, -1.2094623043732007, 1.4636507405646144, 2.412460008192, 0.5323173167552296, -0.8324111666669307,
                -1.4832303722800055, -1.164712931770225, 0.9127649814310099, 2.1514267068759465, -0.23748412219057555,
                0.44158281298690805, 0.9290608947159114, -2.6328066189947053, -0.00551859209517295, 2.21989890959353,
                1.14870364902872, -0.08421783256489988, -1.3052726657156464};
        double[] x = new double[24];
        for (int i = 0; i < 24; i++) x[i] = Math.sin(i) * 3;
        Tensor y64 = Norms.groupNorm(Tensor.of(x, 2, 4, 3), 2, Tensor.of(LN_W, 4), Tensor.of(LN_B, 4), 1e-6);
        assertArrayEquals(torch, y64.toDoubleArray(), 1e-12);
        Tensor y32 = Norms.groupNorm(Tensor.of(x, 2, 4, 3).to(DType.F32), 2, Tensor.of(LN_W, 4).to(DType.F32),
                Tensor.of(LN_B, 4).to(DType.F32), 1e-6);
        assertArrayEquals(torch, y32.toDoubleArray(), 1e-5);
    }

    @Test
    void rmsNormMatchesHandComputation() {
        // mean(x²) = (1 + 4 + 9 + 16)/4 = 7.5, so y = x·w/sqrt(7.5 + 1e-6)
        double r = 1 / Math.sqrt(7.5 + 1e-6);
        double[] want = {1 * r * 2, 2 * r * 0.5, 3 * r * -1, 4 * r * 1};
        Tensor w = Tensor.of(new float[] {2, 0.5f, -1, 1}, 4);
        assertArrayEquals(want, Norms.rmsNorm(Tensor.of(new float[] {1, 2, 3, 4}, 1, 4), w, 1e-6).toDoubleArray(), 1e-6);
        // half precision is normalised in F32, cast back, then scaled (LlamaGen's order)
        Tensor xb = Tensor.of(new float[] {1, 2, 3, 4}, 1, 4).to(DType.BF16);
        Tensor yb = Norms.rmsNorm(xb, w.to(DType.BF16), 1e-6);
        assertEquals(DType.BF16, yb.dtype());
        assertArrayEquals(want, yb.toDoubleArray(), 2e-2);
    }

    @Test
    void layerNormFastMatchesOracle() {
        var rng = new SplittableRandom(11);
        for (int cols : new int[] {1, 3, 17, 64, 131, 1029}) {
            int rows = 1 + rng.nextInt(40);
            Tensor x = randn(rng, rows, cols).mul(3.0).add(1.5), w = randn(rng, cols), b = randn(rng, cols);
            compareForwardBackward("layerNorm " + rows + "x" + cols, in -> Norms.layerNorm(in[0], in[1], in[2], 1e-5), 2e-4, 2e-4, x, w, b);
            compareForwardBackward("layerNorm no affine " + rows + "x" + cols, in -> Norms.layerNorm(in[0], null, null, 1e-6), 2e-4, 2e-4, x);
        }
        // non-contiguous input (a transpose), weight only, two normalised dims
        Tensor xt = randn(rng, 5, 7, 3);
        compareForwardBackward("layerNorm transposed", in -> Norms.layerNorm(in[0].transpose(0, 1), in[1], null, 2, 1e-5), 2e-4, 2e-4, xt, randn(rng, 5, 3));
        // many rows: several gradient chunks for the weight and bias partial sums
        Tensor big = randn(rng, 3001, 37);
        compareForwardBackward("layerNorm 3001x37", in -> Norms.layerNorm(in[0], in[1], in[2], 1e-5), 1e-3, 1e-3, big, randn(rng, 37), randn(rng, 37));
    }

    @Test
    void rmsNormFastMatchesOracle() {
        var rng = new SplittableRandom(12);
        for (int cols : new int[] {1, 5, 33, 256, 1031}) {
            int rows = 1 + rng.nextInt(30);
            Tensor x = randn(rng, rows, cols), w = randn(rng, cols);
            compareForwardBackward("rmsNorm " + rows + "x" + cols, in -> Norms.rmsNorm(in[0], in[1], 1e-6), 2e-4, 2e-4, x, w);
            compareForwardBackward("rmsNorm no weight " + rows + "x" + cols, in -> Norms.rmsNorm(in[0], null, 1e-5), 2e-4, 2e-4, x);
        }
        Tensor xt = randn(rng, 9, 4, 6);
        compareForwardBackward("rmsNorm permuted", in -> Norms.rmsNorm(in[0].permute(1, 2, 0), in[1], 1e-6), 2e-4, 2e-4, xt, randn(rng, 9));
        compareForwardBackward("rmsNorm 2000x45", in -> Norms.rmsNorm(in[0], in[1], 1e-6), 1e-3, 1e-3, randn(rng, 2000, 45), randn(rng, 45));
    }

    @Test
    void groupNormFastMatchesOracle() {
        var rng = new SplittableRandom(13);
        int[][] shapes = {{2, 6, 5, 7}, {1, 4, 1}, {3, 8, 17}, {2, 32, 5, 7}, {1, 64, 11, 3}};
        int[] groups = {3, 4, 2, 32, 8};
        for (int i = 0; i < shapes.length; i++) {
            int[] s = shapes[i];
            int g = groups[i];
            Tensor x = randn(rng, s).mul(2.0).add(-0.7), w = randn(rng, s[1]), b = randn(rng, s[1]);
            String what = "groupNorm " + java.util.Arrays.toString(s) + " groups " + g;
            compareForwardBackward(what, in -> Norms.groupNorm(in[0], g, in[1], in[2], 1e-6), 3e-4, 3e-4, x, w, b);
            compareForwardBackward(what + " no affine", in -> Norms.groupNorm(in[0], g, null, null, 1e-5), 3e-4, 3e-4, x);
        }
        // non-contiguous input: channels-last storage permuted to (N, C, H, W)
        Tensor nhwc = randn(rng, 2, 5, 3, 12);
        compareForwardBackward("groupNorm from NHWC", in -> Norms.groupNorm(in[0].permute(0, 3, 1, 2), 4, in[1], in[2], 1e-6), 3e-4, 3e-4,
                nhwc, randn(rng, 12), randn(rng, 12));
    }

    /**
     * The fused norm + swish: without autograd, the CPU kernel (one pass) against the oracle's
     * composition and against the CPU composition; with autograd it is the composition (gradients too).
     * Planes of odd sizes exercise the masked tail.
     */
    @Test
    void groupNormSiluMatchesComposition() {
        var rng = new SplittableRandom(15);
        int[][] shapes = {{2, 6, 5, 7}, {1, 4, 1}, {2, 32, 21, 21}, {1, 64, 11, 3}};
        int[] groups = {3, 4, 32, 8};
        for (int i = 0; i < shapes.length; i++) {
            int[] s = shapes[i];
            int g = groups[i];
            Tensor x = randn(rng, s).mul(2.0).add(-0.7), w = randn(rng, s[1]), b = randn(rng, s[1]);
            String what = "groupNormSilu " + java.util.Arrays.toString(s) + " groups " + g;
            try (var ng = org.vfmtok.tensor.autograd.Grad.noGrad()) {
                Tensor want = Backends.using(Backends.scalar(), () -> Pointwise.silu(Norms.groupNorm(x, g, w, b, 1e-6)));
                Tensor composed = Compare.onCpu(() -> Pointwise.silu(Norms.groupNorm(x, g, w, b, 1e-6)));
                Tensor fused = Compare.onCpu(() -> Norms.groupNormSilu(x, g, w, b, 1e-6));
                Compare.assertClose(what + " vs oracle", want, fused, 3e-4, 3e-4);
                Compare.assertClose(what + " vs cpu composition", composed, fused, 1e-6, 1e-6);
                Tensor noAffine = Compare.onCpu(() -> Norms.groupNormSilu(x, g, null, null, 1e-5));
                Compare.assertClose(what + " no affine", Backends.using(Backends.scalar(), () -> Pointwise.silu(Norms.groupNorm(x, g, null, null, 1e-5))),
                        noAffine, 3e-4, 3e-4);
            }
            compareForwardBackward(what + " with autograd", in -> Norms.groupNormSilu(in[0], g, in[1], in[2], 1e-6), 3e-4, 3e-4, x, w, b);
        }
    }

    @Test
    void weightGradientsAreDeterministic() {
        var rng = new SplittableRandom(14);
        Tensor x = randn(rng, 2000, 29).requiresGrad(true), w = randn(rng, 29).requiresGrad(true), b = randn(rng, 29).requiresGrad(true);
        Tensor seed = randn(rng, 2000, 29);
        float[][] first = null;
        for (int rep = 0; rep < 3; rep++) {
            w.setGrad(null);
            b.setGrad(null);
            Norms.layerNorm(x, w, b, 1e-5).backward(seed);
            float[][] now = {w.grad().toFloatArray(), b.grad().toFloatArray()};
            if (first == null) first = now;
            else {
                assertArrayEquals(first[0], now[0]);
                assertArrayEquals(first[1], now[1]);
            }
        }
    }

    @Test
    void gradientsPassFiniteDifferences() {
        var rng = new SplittableRandom(15);
        Tensor x = GradCheck.leaf(rng, 3, 2, 5), w = GradCheck.leaf(rng, 2, 5), b = GradCheck.leaf(rng, 2, 5);
        GradCheck.check("layerNorm 2 dims", in -> Norms.layerNorm(in[0], in[1], in[2], new int[] {2, 5}, 1e-5), x, w, b);
        Tensor w5 = GradCheck.leaf(rng, 5), b5 = GradCheck.leaf(rng, 5);
        GradCheck.check("layerNorm transposed", in -> Norms.layerNorm(in[0].transpose(0, 1), in[1], in[2], 1e-5), x, w5, b5);
        GradCheck.check("layerNorm no affine", in -> Norms.layerNorm(in[0], null, null, 1e-5), x);
        GradCheck.check("rmsNorm", in -> Norms.rmsNorm(in[0].transpose(0, 1), in[1], 1e-6), x, w5);
        GradCheck.check("rmsNorm no weight", in -> Norms.rmsNorm(in[0], null, 1e-6), x);
        Tensor gx = GradCheck.leaf(rng, 2, 6, 3, 2), gw = GradCheck.leaf(rng, 6), gb = GradCheck.leaf(rng, 6);
        GradCheck.check("groupNorm", in -> Norms.groupNorm(in[0], 3, in[1], in[2], 1e-6), gx, gw, gb);
        GradCheck.check("groupNorm permuted, one group", in -> Norms.groupNorm(in[0].permute(0, 1, 3, 2), 1, in[1], in[2], 1e-6), gx, gw, gb);
        GradCheck.check("groupNorm no affine", in -> Norms.groupNorm(in[0], 2, null, null, 1e-6), gx);
    }

    @Test
    void badArgumentsAreNamed() {
        Tensor x = Tensor.zeros(2, 6, 4);
        var e = assertThrows(IllegalArgumentException.class, () -> Norms.groupNorm(x, 4, null, null, 1e-6));
        assertTrue(e.getMessage().contains("6 channels") && e.getMessage().contains("4 groups"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Norms.layerNorm(x, Tensor.zeros(5), null, 1e-5));
        assertTrue(e.getMessage().contains("[5]") && e.getMessage().contains("[4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Norms.layerNorm(x, null, null, new int[] {5, 4}, 1e-5));
        assertTrue(e.getMessage().contains("[5, 4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Norms.rmsNorm(x, Tensor.zeros(DType.F64, 4), 1e-5));
        assertTrue(e.getMessage().contains("F64"), e.getMessage());
    }

    @Test
    void statisticsAreSavedPerRow() {
        // the oracle and the fast kernel agree on the saved mean/rstd too, not only on the output
        var rng = new SplittableRandom(16);
        Tensor x = randn(rng, 7, 19);
        for (var backend : new org.vfmtok.tensor.backend.Backend[] {Compare.fast(), Backends.scalar()}) {
            Tensor mean = Tensor.empty(DType.F32, 7), rstd = Tensor.empty(DType.F32, 7), out = Tensor.emptyLike(x);
            backend.norm().layerNorm(x, null, null, 1e-5, out, mean, rstd);
            for (int r = 0; r < 7; r++) {
                double m = 0, v = 0;
                for (int c = 0; c < 19; c++) m += x.getDouble(r, c);
                m /= 19;
                for (int c = 0; c < 19; c++) v += (x.getDouble(r, c) - m) * (x.getDouble(r, c) - m);
                assertEquals(m, mean.getDouble(r), 1e-5, backend.name());
                assertEquals(1 / Math.sqrt(v / 19 + 1e-5), rstd.getDouble(r), 1e-4, backend.name());
            }
        }
        Compare.backends("layerNorm plain", () -> Norms.layerNorm(x, null, null, 1e-5), 1e-5, 1e-5);
    }
}
