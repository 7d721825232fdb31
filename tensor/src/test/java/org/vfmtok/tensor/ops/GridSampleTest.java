package org.vfmtok.tensor.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.testing.Compare;
import org.vfmtok.tensor.testing.GradCheck;

/** {@link Resample#gridSample}: fast kernels against the oracle, gradient checks, identities. */
class GridSampleTest {
    private Scope scope;

    @BeforeEach
    void open() { scope = Scope.open("grid-sample-test"); }

    @AfterEach
    void close() { scope.close(); }

    /**
     * A grid whose pixel coordinates (after unnormalising) lie in [-1.6, size+0.6] with fractional parts
     * in [0.15, 0.85]: points inside, on the border band and fully outside, but never on a pixel
     * boundary, where bilinear sampling has kinks that finite differences cannot follow.
     */
    static Tensor smoothGrid(SplittableRandom rng, DType dtype, int n, int ho, int wo, int h, int w, boolean ac) {
        Tensor g = Tensor.empty(dtype, n, ho, wo, 2);
        int[] sizes = {w, h};
        for (int b = 0; b < n; b++) for (int i = 0; i < ho; i++) for (int j = 0; j < wo; j++) for (int a = 0; a < 2; a++) {
            int size = sizes[a];
            double pix = Math.floor(-2 + rng.nextDouble() * (size + 3)) + 0.15 + 0.7 * rng.nextDouble();
            double coord = ac ? 2 * pix / (size - 1) - 1 : (2 * pix + 1) / size - 1;
            g.setDouble(coord, b, i, j, a);
        }
        return g;
    }

    @Test
    void fastMatchesOracle() {
        SplittableRandom rng = new SplittableRandom(21);
        int[][] cases = {{2, 3, 5, 7, 4, 6}, {1, 1, 1, 1, 3, 3}, {3, 8, 13, 9, 17, 300}, {1, 5, 32, 33, 1, 700}};
        for (int[] c : cases) {
            for (boolean ac : new boolean[] {false, true}) {
                Tensor x = Init.randn(rng, DType.F32, c[0], c[1], c[2], c[3]);
                // uniform in [-1.3, 1.3]: includes points on pixel boundaries and outside
                Tensor grid = Init.uniform(Tensor.empty(DType.F32, c[0], c[4], c[5], 2), rng, -1.3, 1.3);
                Tensor g = Init.randn(rng, DType.F32, c[0], c[1], c[4], c[5]);
                String what = java.util.Arrays.toString(c) + (ac ? " ac" : "");
                Compare.backends(what, () -> Resample.gridSample(x, grid, ac), 1e-5, 1e-5);
                Compare.backends(what + " grad x", () -> {
                    Tensor xl = x.detach().requiresGrad(true);
                    Resample.gridSample(xl, grid, ac).backward(g);
                    return xl.grad();
                }, 2e-5, 1e-5);
                Compare.backends(what + " grad grid", () -> {
                    Tensor gl = grid.detach().requiresGrad(true);
                    Resample.gridSample(x, gl, ac).backward(g);
                    return gl.grad();
                }, 1e-4, 1e-4);
            }
        }
    }

    @Test
    void stridedGridAndInput() {
        SplittableRandom rng = new SplittableRandom(22);
        Tensor x = Init.randn(rng, DType.F32, 2, 6, 4, 3).permute(0, 3, 1, 2); // (2, 3, 6, 4)
        Tensor grid = Init.uniform(Tensor.empty(DType.F32, 2, 2, 5, 7), rng, -1.1, 1.1).permute(0, 2, 3, 1); // (2, 5, 7, 2)
        Tensor y = Resample.gridSample(x, grid, false);
        Compare.assertClose("strided", Resample.gridSample(x.contiguous(), grid.contiguous(), false), y, 0, 0);
        Compare.backends("strided", () -> Resample.gridSample(x, grid, true), 1e-5, 1e-5);
    }

    @Test
    void gradientsInDoublePrecision() {
        SplittableRandom rng = new SplittableRandom(23);
        for (boolean ac : new boolean[] {false, true}) {
            Tensor x = GradCheck.leaf(rng, 2, 2, 4, 5);
            Tensor grid = smoothGrid(rng, DType.F64, 2, 3, 4, 4, 5, ac).requiresGrad(true);
            GradCheck.check("gridSample ac=" + ac, in -> Resample.gridSample(in[0], in[1], ac), x, grid);
            Tensor fixedGrid = grid.detach();
            GradCheck.check("gridSample x only ac=" + ac, in -> Resample.gridSample(in[0], fixedGrid, ac), x);
        }
    }

    @Test
    void pixelCentresReproduceTheImageAndOutsideIsZero() {
        SplittableRandom rng = new SplittableRandom(24);
        int h = 5, w = 7;
        Tensor x = Init.randn(rng, DType.F32, 1, 2, h, w);
        for (boolean ac : new boolean[] {false, true}) {
            Tensor grid = Tensor.empty(DType.F32, 1, h, w, 2);
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    grid.setDouble(ac ? 2.0 * j / (w - 1) - 1 : (2.0 * j + 1) / w - 1, 0, i, j, 0);
                    grid.setDouble(ac ? 2.0 * i / (h - 1) - 1 : (2.0 * i + 1) / h - 1, 0, i, j, 1);
                }
            }
            Compare.assertClose("identity grid ac=" + ac, x, Resample.gridSample(x, grid, ac), 1e-6, 0);
        }
        Tensor far = Tensor.of(new float[] {-3f, 0f, 0.2f, 2.5f, 1.8f, 1.9f}, 1, 1, 3, 2);
        assertArrayEquals(new float[6], Resample.gridSample(x, far, false).toFloatArray());
        // half a pixel outside (align_corners=False, x = -1 is the left edge of pixel 0): weight 1/2
        Tensor edge = Tensor.of(new float[] {-1f, (2f * 2 + 1) / h - 1}, 1, 1, 1, 2);
        assertEquals(0.5f * x.getFloat(0, 0, 2, 0), Resample.gridSample(x, edge, false).getFloat(0, 0, 0, 0), 1e-6f);
    }

    @Test
    void badShapesAreNamed() {
        Tensor x = Tensor.zeros(2, 1, 4, 4);
        assertThrows(IllegalArgumentException.class, () -> Resample.gridSample(x, Tensor.zeros(1, 3, 3, 2), false));
        assertThrows(IllegalArgumentException.class, () -> Resample.gridSample(x, Tensor.zeros(2, 3, 3, 3), false));
        assertThrows(IllegalArgumentException.class, () -> Resample.gridSample(x, Tensor.zeros(DType.F64, 2, 3, 3, 2), false));
    }
}
