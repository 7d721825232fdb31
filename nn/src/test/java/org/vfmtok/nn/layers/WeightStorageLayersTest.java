package org.vfmtok.nn.layers;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.vfmtok.nn.WeightStorage;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.Conv;

/**
 * {@link WeightStorage#build}: Linear and ConvNd layers constructed inside store their weight rounded to BF16 (the
 * same draws as F32 layers, rounded to nearest even), frozen; biases stay F32; outside the call nothing changes; the
 * forward equals the F32 layer's on the widened weight.
 */
class WeightStorageLayersTest {
    private static void assertRoundedFrom(Tensor f32, Tensor bf16, String what) {
        assertEquals(DType.BF16, bf16.dtype(), what);
        float[] src = f32.toFloatArray(), got = bf16.to(DType.F32).toFloatArray();
        for (int i = 0; i < src.length; i++) {
            float want = DType.bf16ToFloat(DType.floatToBf16(src[i]));
            assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(got[i]), what + " element " + i);
        }
    }

    @Test
    void layersBuiltUnderBf16StoreRoundedFrozenWeights() {
        try (Scope s = Scope.open()) {
            Linear lf = new Linear(24, 10, true, new Rng(1));
            Linear lb = WeightStorage.BF16.build(() -> new Linear(24, 10, true, new Rng(1)));
            assertRoundedFrom(lf.weight, lb.weight, "linear weight");
            assertFalse(lb.weight.requiresGrad(), "a BF16 weight is for inference");
            assertEquals(DType.F32, lb.bias.dtype());
            assertArrayEquals(lf.bias.toFloatArray(), lb.bias.toFloatArray(), 0f, "the bias is the same draw, F32");
            assertTrue(lb.bias.requiresGrad(), "only the rounded weight is frozen by the layer (the model freezes the rest)");

            Conv2d cf = new Conv2d(3, 5, 3, 1, 1, new Rng(2));
            Conv2d cb = WeightStorage.BF16.build(() -> new Conv2d(3, 5, 3, 1, 1, new Rng(2)));
            assertRoundedFrom(cf.weight, cb.weight, "conv weight");
            assertFalse(cb.weight.requiresGrad());
            SNConv1d sn = WeightStorage.BF16.build(() -> new SNConv1d(4, 4, 3, 1, Conv.PaddingMode.ZEROS, new Rng(3)));
            assertEquals(DType.BF16, sn.weight.dtype(), "weight_orig of a spectral-norm conv");

            assertEquals(WeightStorage.F32, WeightStorage.building(), "the choice is bound only inside build");
            assertEquals(DType.F32, new Linear(4, 4, false, new Rng(4)).weight.dtype());
            assertEquals(WeightStorage.BF16, WeightStorage.BF16.build(WeightStorage::building));
            assertEquals(WeightStorage.F32, WeightStorage.BF16.build(() -> WeightStorage.F32.build(WeightStorage::building)), "the innermost call wins");

            // forward: the F32 layer on the widened weight, bit for bit
            Tensor x = Init.randn(new java.util.SplittableRandom(7), 6, 24);
            Tensor want = org.vfmtok.tensor.ops.MatMul.linear(x, lb.weight.to(DType.F32), lb.bias.detach());
            assertArrayEquals(want.toFloatArray(), org.vfmtok.tensor.ops.MatMul.linear(x, lb.weight, lb.bias.detach()).toFloatArray(), 0f);
            Tensor img = Init.randn(new java.util.SplittableRandom(8), 2, 3, 7, 7);
            Tensor cw = Conv.conv2d(img, cb.weight.to(DType.F32), cb.bias.detach(), 1, 1);
            assertArrayEquals(cw.toFloatArray(), Conv.conv2d(img, cb.weight, cb.bias.detach(), 1, 1).toFloatArray(), 0f);
        }
    }

    @Test
    void aBf16LayerRefusesToTrain() {
        try (Scope s = Scope.open()) {
            Linear lb = WeightStorage.BF16.build(() -> new Linear(8, 4, true, new Rng(1)));
            Tensor x = Init.randn(new java.util.SplittableRandom(1), 2, 8);
            // the bias still requires a gradient (as the layer registers it), so a training forward is refused
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> lb.forward(x));
            assertTrue(e.getMessage().contains("BF16 weight storage is for inference"), e.getMessage());
        }
    }
}
