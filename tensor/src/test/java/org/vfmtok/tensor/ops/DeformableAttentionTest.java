package org.vfmtok.tensor.ops;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.testing.Compare;
import org.vfmtok.tensor.testing.GradCheck;

class DeformableAttentionTest {
    private static final int[][] SHAPES = {{3, 4}, {2, 2}};

    private static Map<String, double[]> fixture() throws IOException {
        Map<String, double[]> m = new HashMap<>();
        try (InputStream in = DeformableAttentionTest.class.getResourceAsStream("/fixtures/deformable/msda.txt")) {
            assertNotNull(in);
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank()) continue;
                String[] p = line.trim().split(" ");
                double[] v = new double[Integer.parseInt(p[1])];
                for (int i = 0; i < v.length; i++) v[i] = Double.parseDouble(p[2 + i]);
                m.put(p[0], v);
            }
        }
        return m;
    }

    /** Against Deformable-DETR's grid_sample formulation in torch (F64), forward and all three gradients. */
    @Test
    void matchesTorchGridSampleFormulation() throws IOException {
        Map<String, double[]> fx = fixture();
        for (DType t : new DType[] {DType.F64, DType.F32}) {
            try (Scope s = Scope.open()) {
                Tensor value = Tensor.of(fx.get("value"), 2, 16, 2, 5).to(t).detach().requiresGrad(true);
                Tensor loc = Tensor.of(fx.get("loc"), 2, 3, 2, 2, 3, 2).to(t).detach().requiresGrad(true);
                Tensor w = Tensor.of(fx.get("weights"), 2, 3, 2, 2, 3).to(t).detach().requiresGrad(true);
                Tensor out = DeformableAttention.msDeformAttn(value, SHAPES, loc, w);
                double tol = t == DType.F64 ? 1e-12 : 2e-5;
                Compare.assertClose(t + " out", Tensor.of(fx.get("out"), 2, 3, 10), out.to(DType.F64), tol, tol);
                out.backward(Tensor.of(fx.get("gout"), 2, 3, 10).to(t));
                Compare.assertClose(t + " gvalue", Tensor.of(fx.get("gvalue"), value.shape()), value.grad().to(DType.F64), tol, tol);
                Compare.assertClose(t + " gloc", Tensor.of(fx.get("gloc"), loc.shape()), loc.grad().to(DType.F64), tol * 10, tol * 10);
                Compare.assertClose(t + " gweights", Tensor.of(fx.get("gweights"), w.shape()), w.grad().to(DType.F64), tol, tol);
            }
        }
    }

    @Test
    void vectorKernelMatchesOracleOnVFMTokLikeShapes() {
        SplittableRandom rng = new SplittableRandom(11);
        int[][] shapes = {{6, 6}, {6, 6}, {5, 7}};
        int s = 36 + 36 + 35;
        for (int d : new int[] {64, 5, 19}) {
            try (Scope sc = Scope.open()) {
                Tensor value = Init.randn(rng, 2, s, 3, d);
                Tensor loc = Init.uniform(Tensor.empty(DType.F32, 2, 9, 3, 3, 4, 2), rng, -0.3, 1.3);
                Tensor w = Init.rand(rng, DType.F32, 2, 9, 3, 3, 4);
                Tensor gout = Init.randn(rng, 2, 9, 3 * d);
                Compare.backends("msda forward d=" + d, () -> DeformableAttention.msDeformAttn(value, shapes, loc, w), 1e-5, 1e-5);
                for (int which = 0; which < 3; which++) {
                    int k = which;
                    Compare.backends("msda grad " + k + " d=" + d, () -> {
                        Tensor[] in = {value.detach().requiresGrad(k == 0), loc.detach().requiresGrad(k == 1), w.detach().requiresGrad(k == 2)};
                        DeformableAttention.msDeformAttn(in[0], shapes, in[1], in[2]).backward(gout);
                        return in[k].grad();
                    }, 1e-4, 1e-4);
                }
            }
        }
    }

    @Test
    void gradientCheck() {
        SplittableRandom rng = new SplittableRandom(5);
        Tensor value = GradCheck.leaf(rng, 1, 16, 2, 3);
        Tensor loc = Init.uniform(Tensor.empty(DType.F64, 1, 2, 2, 2, 2, 2), rng, 0.05, 0.95).requiresGrad(true);
        Tensor w = GradCheck.leaf(rng, 1, 2, 2, 2, 2);
        GradCheck.check("msDeformAttn", in -> DeformableAttention.msDeformAttn(in[0], SHAPES, in[1], in[2]), value, loc, w);
    }

    @Test
    void badShapesAreClearErrors() {
        Tensor value = Tensor.zeros(1, 15, 2, 3);
        Tensor loc = Tensor.zeros(1, 2, 2, 2, 2, 2);
        Tensor w = Tensor.zeros(1, 2, 2, 2, 2);
        var e = assertThrows(IllegalArgumentException.class, () -> DeformableAttention.msDeformAttn(value, SHAPES, loc, w));
        assertTrue(e.getMessage().contains("cover 16 positions but value has 15"), e.getMessage());
    }
}
