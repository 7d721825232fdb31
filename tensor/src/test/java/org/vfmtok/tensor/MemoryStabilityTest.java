package org.vfmtok.tensor;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.autograd.Grad;
import org.vfmtok.tensor.ops.MatMul;
import org.vfmtok.tensor.ops.Pointwise;
import org.vfmtok.tensor.ops.Reductions;

/**
 * 10,000 forward/backward/update steps of a small MLP, each in its own scope: native memory after the
 * first steps must not grow, which shows that activations, saved tensors and temporaries are released
 * when the step's scope closes and that parameter gradients are reused, not reallocated.
 */
class MemoryStabilityTest {
    @Test
    void tenThousandStepsKeepNativeMemoryFlat() {
        try (Scope model = Scope.open("model")) {
            SplittableRandom rng = new SplittableRandom(3);
            Tensor w1 = Init.normal(Tensor.empty(DType.F32, 16, 32), rng, 0, 0.2).requiresGrad(true);
            Tensor b1 = Tensor.zeros(32).requiresGrad(true);
            Tensor w2 = Init.normal(Tensor.empty(DType.F32, 32, 1), rng, 0, 0.2).requiresGrad(true);
            Tensor x = Init.randn(rng, 8, 16);
            Tensor y = Reductions.sum(x, new int[] {1}, true).mul(0.25); // a learnable target
            Tensor[] params = {w1, b1, w2};

            long afterWarmup = 0;
            double firstLoss = 0, lastLoss = 0;
            for (int step = 0; step < 10_000; step++) {
                try (Scope s = Scope.open("step")) {
                    Tensor h = Pointwise.relu(Pointwise.add(MatMul.matmul(x, w1), b1));
                    Tensor diff = Pointwise.sub(MatMul.matmul(h, w2), y);
                    Tensor loss = Reductions.mean(Pointwise.square(diff), null, false);
                    for (Tensor p : params) p.zeroGrad();
                    loss.backward();
                    try (Grad.Mode ng = Grad.noGrad()) {
                        for (Tensor p : params) p.copyFrom(Pointwise.sub(p, p.grad().mul(0.05)));
                    }
                    if (step == 0) firstLoss = loss.item();
                    lastLoss = loss.item();
                }
                if (step == 100) afterWarmup = NativeMemory.liveBytes();
            }
            long end = NativeMemory.liveBytes();
            assertEquals(afterWarmup, end, "native memory grew between step 100 and step 10,000");
            assertTrue(lastLoss < 0.2 * firstLoss, "the MLP did not learn: " + firstLoss + " -> " + lastLoss);
        }
    }
}
