package org.vfmtok.tensor.ops;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.testing.Compare;

class CopyTest {
    @Test
    void stridedCopiesMatchReference() {
        var rng = new SplittableRandom(1);
        Tensor x = Init.randn(rng, 3, 37, 65);
        Compare.backends("transpose last two", () -> x.mT().contiguous(), 0, 0);
        Compare.backends("permute 2,0,1", () -> x.permute(2, 0, 1).contiguous(), 0, 0);
        Compare.backends("permute 1,2,0", () -> x.permute(1, 2, 0).contiguous(), 0, 0);
        Compare.backends("narrow", () -> x.narrow(2, 3, 33).contiguous(), 0, 0);
        Compare.backends("slice step", () -> x.slice(1, 1, 37, 3).contiguous(), 0, 0);
        Compare.backends("expand", () -> x.narrow(0, 0, 1).expand(4, 37, 65).contiguous(), 0, 0);
        Compare.backends("transpose of narrow", () -> x.narrow(2, 1, 60).mT().contiguous(), 0, 0);
        Tensor big = Init.randn(rng, 512, 700);
        Compare.backends("big transpose", () -> big.mT().contiguous(), 0, 0);
        Compare.backends("copy into transposed dst", () -> {
            Tensor dst = Tensor.zeros(700, 512).mT();
            dst.copyFrom(big);
            return dst.contiguous();
        }, 0, 0);
    }

    @Test
    void conversionsMatchReference() {
        var rng = new SplittableRandom(2);
        Tensor x = Views.fill(Tensor.empty(DType.F32, 5, 37), () -> 1000 * (rng.nextDouble() - 0.5));
        for (DType t : new DType[] {DType.BF16, DType.F16, DType.F64, DType.I32, DType.I64}) {
            Compare.backends("F32->" + t, () -> x.to(t).to(DType.F64), 0, 0);
            Compare.backends("F32->" + t + " transposed", () -> x.mT().to(t).to(DType.F64), 0, 0);
            Tensor y = Compare.onScalar(() -> x.to(t));
            Compare.backends(t + "->F32", () -> y.to(DType.F32), 0, 0);
            Compare.backends(t + "->F32 transposed", () -> y.mT().to(DType.F32), 0, 0);
        }
        // BF16 rounding: ties to even and NaN
        Tensor special = Tensor.of(new float[] {1f + 1f / 256, 1f + 3f / 512, Float.NaN, Float.POSITIVE_INFINITY, -0f, 3.4e38f,
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
        Compare.backends("bf16 specials", () -> special.to(DType.BF16).to(DType.F32), 0, 0);
        Compare.backends("f16 specials", () -> special.to(DType.F16).to(DType.F32), 0, 0);
    }

    @Test
    void fill() {
        Tensor x = Tensor.zeros(7, 37);
        Compare.backends("fill strided", () -> {
            Tensor t = Tensor.zeros(7, 37);
            t.mT().narrow(0, 2, 30).fill(2.5);
            return t;
        }, 0, 0);
        x.fill(-0.0);
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(x.getFloat(3, 3)));
        x.fill(1.5);
        for (float v : x.toFloatArray()) assertEquals(1.5f, v);
    }
}
