package org.vfmtok.tensor.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.testing.Compare;

/** {@link Pool}: the fast CPU kernels against the scalar oracle, and hand-computed torch values. */
class PoolTest {
    private Scope scope;

    @BeforeEach
    void open() { scope = Scope.open("pool-test"); }

    @AfterEach
    void close() { scope.close(); }

    @Test
    void fastMatchesOracleOverShapesAndModes() {
        SplittableRandom rng = new SplittableRandom(7);
        int[][] geometries = {{3, 2, 0}, {3, 1, 1}, {2, 2, 1}, {5, 3, 2}, {1, 1, 0}};
        int[][] shapes = {{2, 3, 17, 13}, {1, 5, 8, 8}, {3, 1, 35, 7}, {1, 2, 3, 3}};
        for (int[] s : shapes) {
            Tensor x = Init.randn(rng, DType.F32, s);
            for (int[] g : geometries) {
                if (s[2] + 2 * g[2] < g[0] || s[3] + 2 * g[2] < g[0]) continue;
                String what = java.util.Arrays.toString(s) + " k" + g[0] + " s" + g[1] + " p" + g[2];
                Compare.backends(what + " max", () -> Pool.maxPool2d(x, g[0], g[1], g[2]), 0, 0);
                Compare.backends(what + " avg", () -> Pool.avgPool2d(x, g[0], g[1], g[2], true), 1e-6, 1e-5);
                Compare.backends(what + " avg excl", () -> Pool.avgPool2d(x, g[0], g[1], g[2], false), 1e-6, 1e-5);
            }
        }
    }

    @Test
    void averageWithoutPaddingDividesByTheInBoundsCount() {
        // 3x3 ones, kernel 3, stride 1, padding 1: torch gives 4/9, 6/9, 9/9 with padding counted, 1 without.
        Tensor x = Tensor.ones(1, 1, 3, 3);
        float[] incl = Compare.onCpu(() -> Pool.avgPool2d(x, 3, 1, 1, true)).toFloatArray();
        float[] excl = Compare.onCpu(() -> Pool.avgPool2d(x, 3, 1, 1, false)).toFloatArray();
        float[] inclScalar = Compare.onScalar(() -> Pool.avgPool2d(x, 3, 1, 1, true)).toFloatArray();
        float[] expected = {4 / 9f, 6 / 9f, 4 / 9f, 6 / 9f, 1f, 6 / 9f, 4 / 9f, 6 / 9f, 4 / 9f};
        assertArrayEquals(expected, incl, 1e-6f);
        assertArrayEquals(expected, inclScalar, 1e-6f);
        for (float v : excl) assertEquals(1f, v, 1e-6f);
    }

    @Test
    void maxPoolIgnoresPaddingAndPropagatesNaN() {
        // All negative: zero padding must never win.
        float[] neg = {-5, -4, -3, -2, -1, -6, -7, -8, -9};
        Tensor x = Tensor.of(neg, 1, 1, 3, 3);
        float[] fast = Compare.onCpu(() -> Pool.maxPool2d(x, 3, 1, 1)).toFloatArray();
        assertArrayEquals(new float[] {-1, -1, -1, -1, -1, -1, -1, -1, -1}, fast, 0f); // every window holds -1
        assertArrayEquals(new float[] {-1}, Compare.onCpu(() -> Pool.maxPool2d(x, 3, 2, 0)).toFloatArray(), 0f);
        float[] withNaN = neg.clone();
        withNaN[4] = Float.NaN;
        Tensor y = Tensor.of(withNaN, 1, 1, 3, 3);
        for (float v : Compare.onCpu(() -> Pool.maxPool2d(y, 3, 1, 1)).toFloatArray()) assertTrue(Float.isNaN(v));
        for (float v : Compare.onScalar(() -> Pool.maxPool2d(y, 3, 1, 1)).toFloatArray()) assertTrue(Float.isNaN(v));
    }

    @Test
    void outputSizeAndErrors() {
        Tensor x = Tensor.zeros(2, 3, 35, 35);
        assertArrayEquals(new int[] {2, 3, 17, 17}, Pool.maxPool2d(x, 3, 2, 0).shape());
        assertArrayEquals(new int[] {2, 3, 35, 35}, Pool.avgPool2d(x, 3, 1, 1, false).shape());
        assertThrows(IllegalArgumentException.class, () -> Pool.maxPool2d(Tensor.zeros(3, 4, 4), 3, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> Pool.maxPool2d(x, 3, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> Pool.maxPool2d(Tensor.zeros(1, 1, 2, 2), 3, 1, 0));
        Tensor leaf = Tensor.zeros(1, 1, 4, 4).requiresGrad(true);
        var e = assertThrows(UnsupportedOperationException.class, () -> Pool.avgPool2d(leaf, 3, 1, 1, false));
        assertTrue(e.getMessage().contains("no gradient"), e.getMessage());
    }
}
