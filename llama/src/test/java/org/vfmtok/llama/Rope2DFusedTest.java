package org.vfmtok.llama;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.Pointwise;
import org.vfmtok.tensor.testing.GradCheck;

/** The fused F32 RoPE pass against the differentiable composition it replaces (the reference formulation). */
class Rope2DFusedTest {
    private final Rope2D rope = new Rope2D(4, 16, 10000);

    @Test
    void forwardEqualsTheCompositionBitForBitAndGradientsAgree() {
        try (Scope s = Scope.open()) {
            // (B, L, H, hd) = (3, 17, 2, 16) as a permuted view, as q and k come out of the fused projection
            Tensor base = Init.randn(new Rng(1), 3, 2, 17, 16);
            Tensor w = Init.randn(new Rng(2), 3, 17, 2, 16);
            Tensor[] grads = new Tensor[2];
            Tensor[] outs = new Tensor[2];
            for (int variant = 0; variant < 2; variant++) {
                Tensor leaf = base.copy().requiresGrad(true);
                Tensor x = leaf.permute(0, 2, 1, 3);
                Tensor y = variant == 0 ? rope.apply(x) : rope.applyComposed(x);
                Pointwise.mul(y, w).sum().backward();
                outs[variant] = y;
                grads[variant] = leaf.grad();
            }
            assertArrayEquals(outs[1].toFloatArray(), outs[0].toFloatArray(), "forward");
            float[] a = grads[0].toFloatArray(), b = grads[1].toFloatArray();
            for (int i = 0; i < a.length; i++) assertEquals(b[i], a[i], 1e-6f * Math.max(1f, Math.abs(b[i])), "grad " + i);
            // position 0 (the class token) is multiplied by zero, positions after it are rotations: norms kept
            float[] x0 = base.permute(0, 2, 1, 3).contiguous().toFloatArray(), y0 = outs[0].toFloatArray();
            assertEquals(0f, y0[0]);
            int at = (1 * 2 + 0) * 16;   // b 0, position 1, head 0
            double nx = 0, ny = 0;
            for (int c = 0; c < 16; c++) { nx += x0[at + c] * x0[at + c]; ny += y0[at + c] * y0[at + c]; }
            assertEquals(nx, ny, 1e-4 * nx);
        }
    }

    @Test
    void doublePrecisionGradientCheckThroughTheComposition() {
        try (Scope s = Scope.open()) {
            Tensor x = GradCheck.leaf(new java.util.SplittableRandom(3), 2, 5, 2, 16);
            assertEquals(DType.F64, x.dtype());
            GradCheck.check("rope2d", in -> rope.apply(in[0]), x);
        }
    }
}
