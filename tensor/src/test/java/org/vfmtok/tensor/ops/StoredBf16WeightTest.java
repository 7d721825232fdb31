package org.vfmtok.tensor.ops;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;
import org.vfmtok.tensor.testing.Compare;

/**
 * F32 activations against a BF16 weight (a model with BF16 weight storage): linear and conv widen the weight exactly
 * (bit-identical to the same op on the weight's F32 widening, on the CPU backend: the packing converts it, the micro-
 * kernel is the same), agree with the scalar oracle, and refuse to run where a gradient is needed.
 */
class StoredBf16WeightTest {
    private static void assertBitsEqual(String what, Tensor want, Tensor got) {
        assertArrayEquals(want.toFloatArray(), got.toFloatArray(), 0f, what);
    }

    @Test
    void linearReadsTheBf16WeightAsItsWidening() {
        // M 1 and 3 take the streaming (skinny) kernel, 64 the packed one; K odd so that tails run
        int[][] mkn = {{1, 37, 33}, {3, 70, 17}, {64, 70, 96}, {130, 45, 40}};
        for (int[] s : mkn) {
            for (boolean withBias : new boolean[] {false, true}) {
                try (Scope sc = Scope.open()) {
                    SplittableRandom r = new SplittableRandom(s[0] * 31 + s[1]);
                    Tensor x = Init.randn(r, s[0], s[1]);
                    Tensor w = Init.randn(r, s[2], s[1]).to(DType.BF16);
                    Tensor wide = w.to(DType.F32);
                    Tensor b = withBias ? Init.randn(r, s[2]) : null;
                    String what = "linear " + java.util.Arrays.toString(s) + (withBias ? " + bias" : "");
                    Tensor got = Compare.onCpu(() -> MatMul.linear(x, w, b));
                    assertEquals(DType.F32, got.dtype());
                    assertBitsEqual(what + ": BF16 weight vs its F32 widening", Compare.onCpu(() -> MatMul.linear(x, wide, b)), got);
                    Compare.assertClose(what + " vs the scalar oracle", Compare.onScalar(() -> MatMul.linear(x, w, b)), got, 1e-5, 1e-5);
                    // batched input (B, L, in)
                    Tensor x3 = x.reshape(1, s[0], s[1]);
                    assertBitsEqual(what + " (3-d input)", got.reshape(1, s[0], s[2]), Compare.onCpu(() -> MatMul.linear(x3, w, b)));
                }
            }
        }
    }

    @Test
    void convReadsTheBf16WeightAsItsWidening() {
        for (ConvTest.Case c : ConvTest.namedCases()) {
            try (Scope sc = Scope.open()) {
                SplittableRandom r = new SplittableRandom(c.toString().hashCode());
                Tensor x = Init.randn(r, c.x());
                Tensor w = Init.randn(r, c.w()).to(DType.BF16);
                Tensor wide = w.to(DType.F32);
                Tensor b = c.bias() ? Init.randn(r, c.w()[0]) : null;
                Tensor got = Compare.onCpu(() -> Conv.conv(x, w, b, c.spec(), c.mode()));
                assertBitsEqual(c + ": BF16 weight vs its F32 widening", Compare.onCpu(() -> Conv.conv(x, wide, b, c.spec(), c.mode())), got);
                Compare.assertClose(c + " vs the scalar oracle", Compare.onScalar(() -> Conv.conv(x, w, b, c.spec(), c.mode())), got, 1e-4, 1e-4);
            }
        }
    }

    @Test
    void aGradientThroughABf16WeightIsRefusedNamingWhy() {
        try (Scope sc = Scope.open()) {
            SplittableRandom r = new SplittableRandom(5);
            Tensor x = Init.randn(r, 4, 8).requiresGrad(true);
            Tensor w = Init.randn(r, 6, 8).to(DType.BF16);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> MatMul.linear(x, w, null));
            assertTrue(e.getMessage().contains("linear") && e.getMessage().contains("inference") && e.getMessage().contains("[6, 8]"), e.getMessage());
            Tensor img = Init.randn(r, 1, 2, 5, 5).requiresGrad(true);
            Tensor k = Init.randn(r, 3, 2, 3, 3).to(DType.BF16);
            e = assertThrows(IllegalStateException.class, () -> Conv.conv2d(img, k, null, 1, 1));
            assertTrue(e.getMessage().startsWith("conv:") && e.getMessage().contains("inference"), e.getMessage());
            // under no-grad the same calls run
            try (Grad.Mode ng = Grad.noGrad()) {
                assertEquals(6, MatMul.linear(x, w, null).size(1));
                assertEquals(3, Conv.conv2d(img, k, null, 1, 1).size(1));
            }
        }
    }

    @Test
    void otherMixedDtypesStillFail() {
        try (Scope sc = Scope.open()) {
            SplittableRandom r = new SplittableRandom(6);
            Tensor xb = Init.randn(r, 4, 8).to(DType.BF16), w = Init.randn(r, 6, 8);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MatMul.linear(xb, w, Init.randn(r, 6)));
            assertTrue(e.getMessage().contains("dtypes differ"), e.getMessage());
            Tensor x = Init.randn(r, 4, 8), wb = Init.randn(r, 6, 8).to(DType.BF16), b16 = Init.randn(r, 6).to(DType.BF16);
            e = assertThrows(IllegalArgumentException.class, () -> MatMul.linear(x, wb, b16));
            assertTrue(e.getMessage().contains("F32 bias"), e.getMessage());
        }
    }
}
