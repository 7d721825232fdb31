package org.vfmtok.tensor.ops;

import static org.junit.jupiter.api.Assertions.*;
import static org.vfmtok.tensor.ops.BackendRuns.compareForwardBackward;
import static org.vfmtok.tensor.ops.BackendRuns.randn;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.testing.GradCheck;

class CrossEntropyTest {
    private static final double[] LOGITS = {1, 2, 0.5, -1, 0, 3, 2, 2, -2, 0.3, 0.1, 0.2};
    private static final long[] TARGET = {2, -100, 0, 1};

    @Test
    void matchesTorchWithIgnoreIndexAndSmoothing() {
        // /usr/bin/python3 -c "import torch; F=torch.nn.functional; l=torch.tensor([[1.,2.,0.5],[-1.,0.,3.],[2.,2.,-2.],[0.3,0.1,0.2]],
        //   dtype=torch.float64,requires_grad=True); t=torch.tensor([2,-100,0,1]);
        //   print(F.cross_entropy(l,t,ignore_index=-100).item()); y=F.cross_entropy(l,t,ignore_index=-100,label_smoothing=0.1);
        //   print(y.item()); y.backward(); print(l.grad.flatten().tolist())"
        double plain = 1.2895249845920949, smoothed = 1.3084138734809838;
        double[] grad = {0.06596352142960522, 0.19839946195947636, -0.26436298338908165, 0.0, 0.0, 0.0,
                -0.14595689691849673, 0.1540431030815033, -0.008086206163006529, 0.11127735592586406, -0.21090790932586867, 0.09963055340000468};
        for (DType dt : new DType[] {DType.F64, DType.F32}) {
            double tol = dt == DType.F64 ? 1e-12 : 2e-6;
            Tensor target = Tensor.ofLongs(TARGET, 4);
            Tensor logits = Tensor.of(LOGITS, 4, 3).to(dt).requiresGrad(true);
            assertEquals(plain, Losses.crossEntropy(logits, target).item(), tol, dt.toString());
            Tensor y = Losses.crossEntropy(logits, target.to(DType.I32), Losses.IGNORE_INDEX, 0.1);
            assertEquals(smoothed, y.item(), tol, dt.toString());
            y.backward();
            assertArrayEquals(grad, logits.grad().toDoubleArray(), tol, dt.toString());
        }
    }

    @Test
    void handComputedRow() {
        // one row, logits (0, ln 3): lse = ln 4, nll of class 1 = ln 4 - ln 3; smoothing 0.2 over 2 classes:
        // 0.8·(ln4 - ln3) + 0.2·(ln4 - (0 + ln3)/2)
        Tensor logits = Tensor.of(new double[] {0, Math.log(3)}, 1, 2);
        double want = 0.8 * (Math.log(4) - Math.log(3)) + 0.2 * (Math.log(4) - Math.log(3) / 2);
        assertEquals(want, Losses.crossEntropy(logits, Tensor.ofInts(new int[] {1}, 1), -1, 0.2).item(), 1e-12);
    }

    @Test
    void fastMatchesOracle() {
        var rng = new SplittableRandom(31);
        for (int c : new int[] {1, 3, 17, 1000, 4099}) {
            int n = 1 + rng.nextInt(40);
            long[] t = new long[n];
            for (int i = 0; i < n; i++) t[i] = rng.nextInt(5) == 0 ? -100 : rng.nextInt(c);
            t[0] = 0;
            Tensor target = Tensor.ofLongs(t, n);
            Tensor logits = randn(rng, n, c).mul(4.0);
            for (double eps : new double[] {0.0, 0.1}) {
                compareForwardBackward("crossEntropy " + n + "x" + c + " eps " + eps,
                        in -> Losses.crossEntropy(in[0], in[1], -100, eps), 1e-5, 1e-5, logits, target);
                compareForwardBackward("crossEntropy rows " + n + "x" + c + " eps " + eps,
                        in -> Losses.crossEntropyRows(in[0], in[1].to(DType.I32), -100, eps), 1e-5, 1e-5, logits, target);
            }
        }
        // row-strided logits (a narrow of a wider matrix: fast path) and transposed logits (oracle path)
        Tensor wide = randn(rng, 9, 50);
        Tensor t9 = Tensor.ofInts(new int[] {0, 3, 5, 7, 39, 2, 1, 0, 4}, 9);
        compareForwardBackward("crossEntropy narrowed", in -> Losses.crossEntropy(in[0].narrow(1, 5, 40), in[1], -100, 0.05), 1e-5, 1e-5, wide, t9);
        Tensor tall = randn(rng, 13, 9);
        Tensor t13 = Tensor.ofInts(new int[] {0, 3, 5, 7, 12, 2, 1, 0, 4}, 9);
        compareForwardBackward("crossEntropy transposed", in -> Losses.crossEntropy(in[0].transpose(0, 1), in[1], 3, 0.3), 1e-5, 1e-5, tall, t13);
    }

    @Test
    void gradientsPassFiniteDifferences() {
        var rng = new SplittableRandom(32);
        Tensor logits = GradCheck.leaf(rng, 5, 4);
        Tensor target = Tensor.ofLongs(new long[] {3, -100, 0, 3, 1}, 5);
        GradCheck.check("crossEntropy", in -> Losses.crossEntropy(in[0], in[1]), logits, target);
        GradCheck.check("crossEntropy ignore+smoothing", in -> Losses.crossEntropy(in[0], in[1], -100, 0.15), logits, target);
        GradCheck.check("crossEntropy transposed, ignore 0", in -> Losses.crossEntropy(in[0].transpose(0, 1), in[1], 0, 0.3),
                GradCheck.leaf(rng, 4, 4), Tensor.ofInts(new int[] {3, 2, 0, 3}, 4));
    }

    @Test
    void errorsAndEdgeCases() {
        Tensor logits = Tensor.zeros(3, 4);
        var e = assertThrows(IndexOutOfBoundsException.class, () -> Losses.crossEntropy(logits, Tensor.ofInts(new int[] {0, 4, 1}, 3)));
        assertTrue(e.getMessage().contains("target 4") && e.getMessage().contains("row 1") && e.getMessage().contains("4 classes"), e.getMessage());
        var f = assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(logits, Tensor.ofInts(new int[] {0, 1}, 2)));
        assertTrue(f.getMessage().contains("[2]") && f.getMessage().contains("[3, 4]"), f.getMessage());
        // every row ignored: 0/0 = NaN, as in PyTorch
        assertTrue(Double.isNaN(Losses.crossEntropy(logits, Tensor.ofInts(new int[] {-100, -100, -100}, 3)).item()));
        // uniform logits: loss ln C whatever the smoothing
        assertEquals(Math.log(4), Losses.crossEntropy(logits, Tensor.ofInts(new int[] {0, 1, 3}, 3), -100, 0.4).item(), 1e-6);
    }
}
