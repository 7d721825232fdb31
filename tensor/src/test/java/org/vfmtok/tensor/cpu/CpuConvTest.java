package org.vfmtok.tensor.cpu;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.ConvKernels;
import org.vfmtok.tensor.backend.ConvKernels.ConvSpec;
import org.vfmtok.tensor.backend.ConvKernels.Geometry;
import org.vfmtok.tensor.scalar.ScalarConv;
import org.vfmtok.tensor.testing.Compare;

/**
 * The CPU kernels against the scalar oracle at the kernel level, with plans the default sizes would not
 * pick on small shapes: tiles narrower than a row (and splitting rows), and jobs forced serial or
 * parallel.
 */
class CpuConvTest {
    private static final ScalarConv ORACLE = new ScalarConv();

    record Shape(int[] x, int[] w, ConvSpec spec) {}

    private static List<Shape> shapes() {
        return List.of(
                new Shape(new int[] {2, 3, 7, 9}, new int[] {5, 3, 3, 3}, spec2(1, 1, 1, 1)),
                new Shape(new int[] {1, 4, 9, 8}, new int[] {6, 2, 3, 3}, spec2(2, 1, 1, 2)),
                new Shape(new int[] {2, 4, 9, 7}, new int[] {4, 2, 3, 3}, spec2(1, 2, 2, 2)),
                new Shape(new int[] {2, 6, 7, 5}, new int[] {6, 1, 3, 3}, spec2(1, 1, 1, 6)),
                new Shape(new int[] {2, 8, 5, 6}, new int[] {3, 8, 1, 1}, spec2(1, 0, 1, 1)),
                new Shape(new int[] {1, 4, 7, 7}, new int[] {5, 4, 1, 1}, spec2(2, 0, 1, 1)),
                new Shape(new int[] {2, 6, 23}, new int[] {6, 6, 9}, new ConvSpec(new int[] {1}, new int[] {4}, new int[] {1}, 1)),
                new Shape(new int[] {1, 4, 17}, new int[] {4, 1, 3}, new ConvSpec(new int[] {2}, new int[] {1}, new int[] {2}, 4)),
                // several images, split unevenly across threads for the weight gradient (one partial per thread)
                new Shape(new int[] {5, 4, 6, 5}, new int[] {6, 2, 3, 3}, spec2(1, 1, 1, 2)),
                new Shape(new int[] {3, 5, 4, 6}, new int[] {7, 5, 1, 1}, spec2(1, 0, 1, 1)));
    }

    private static ConvSpec spec2(int s, int p, int d, int g) {
        return new ConvSpec(new int[] {s, s}, new int[] {p, p}, new int[] {d, d}, g);
    }

    private static void checkAgainstOracle(CpuConv cpu, String plan) {
        for (Shape sh : shapes()) {
            try (Scope scope = Scope.open()) {
                SplittableRandom r = new SplittableRandom(42);
                Tensor x = Init.randn(r, DType.F32, sh.x());
                Tensor w = Init.randn(r, DType.F32, sh.w());
                Tensor b = Init.randn(r, DType.F32, sh.w()[0]);
                Geometry g = Geometry.of(sh.x(), sh.w(), sh.spec());
                int[] os = g.outShape(sh.w().length - 2);
                Tensor go = Init.randn(r, DType.F32, os);
                String what = plan + " x" + java.util.Arrays.toString(sh.x()) + " w" + java.util.Arrays.toString(sh.w()) + " " + sh.spec();
                Tensor want = Tensor.empty(DType.F32, os), got = Tensor.full(DType.F32, Double.NaN, os);
                ORACLE.conv(x, w, b, sh.spec(), want);
                cpu.conv(x, w, b, sh.spec(), got);
                Compare.assertClose(what + " forward", want, got, 1e-4, 1e-4);
                Tensor gxWant = Tensor.empty(DType.F32, sh.x()), gxGot = Tensor.full(DType.F32, Double.NaN, sh.x());
                ORACLE.convBackwardInput(go, w, sh.spec(), gxWant);
                cpu.convBackwardInput(go, w, sh.spec(), gxGot);
                Compare.assertClose(what + " backward input", gxWant, gxGot, 1e-4, 1e-4);
                Tensor gwWant = Tensor.empty(DType.F32, sh.w()), gwGot = Tensor.full(DType.F32, Double.NaN, sh.w());
                Tensor gbWant = Tensor.empty(DType.F32, sh.w()[0]), gbGot = Tensor.full(DType.F32, Double.NaN, sh.w()[0]);
                ORACLE.convBackwardWeight(go, x, sh.spec(), gwWant, gbWant);
                cpu.convBackwardWeight(go, x, sh.spec(), gwGot, gbGot);
                Compare.assertClose(what + " backward weight", gwWant, gwGot, 1e-4, 1e-4);
                Compare.assertClose(what + " backward bias", gbWant, gbGot, 1e-4, 1e-4);
            }
        }
    }

    @Test
    void defaultPlan() { checkAgainstOracle(new CpuConv(ORACLE), "default"); }

    @Test
    void serialJobsWithTilesSplittingRows() {
        // 100 floats: tiles of 1..12 columns, narrower than a row for most shapes, so tiles start mid-row
        checkAgainstOracle(new CpuConv(ORACLE, 100, 0), "serial, tiny tiles");
        checkAgainstOracle(new CpuConv(ORACLE, 1, 0), "serial, 1-column tiles");
    }

    @Test
    void parallelJobsWithTiles() {
        checkAgainstOracle(new CpuConv(ORACLE, 300, Long.MAX_VALUE), "parallel jobs, small tiles");
        checkAgainstOracle(new CpuConv(ORACLE, Long.MAX_VALUE / 4, Long.MAX_VALUE), "parallel jobs, whole planes");
    }

    /**
     * Forward (implicit GEMM) at sizes the small shapes miss: reductions deeper than one GEMM k-slice
     * (the bias lands after the last one), more output channels than a micro-tile, rows wider than a
     * panel and not a multiple of the vector length (vectors straddle output rows), more positions than
     * one packed B block, strided and dilated taps, and a 1×1 conv; batches put side by side in one GEMM
     * (default budget), one image per GEMM (tileFloats 1) and runs of a few images (2000 floats).
     */
    @Test
    void forwardAtGemmBlockingSizes() {
        List<Shape> wide = List.of(
                new Shape(new int[] {1, 30, 13, 41}, new int[] {20, 30, 3, 3}, spec2(1, 1, 1, 1)),
                new Shape(new int[] {1, 3, 50, 50}, new int[] {13, 3, 3, 3}, spec2(1, 1, 1, 1)),
                new Shape(new int[] {2, 8, 11, 70}, new int[] {7, 8, 3, 3}, spec2(2, 1, 1, 1)),
                new Shape(new int[] {1, 12, 9, 37}, new int[] {14, 6, 3, 3}, spec2(1, 2, 2, 2)),
                new Shape(new int[] {1, 300, 5, 21}, new int[] {17, 300, 1, 1}, spec2(1, 0, 1, 1)),
                new Shape(new int[] {1, 4, 21, 21}, new int[] {3, 4, 3, 3}, spec2(1, 0, 1, 1)),
                // images side by side in one GEMM: vectors and panels straddle images (P = 63, 15, 36, 49)
                new Shape(new int[] {3, 5, 9, 7}, new int[] {9, 5, 3, 3}, spec2(1, 1, 1, 1)),
                new Shape(new int[] {5, 40, 5, 3}, new int[] {7, 40, 1, 1}, spec2(1, 0, 1, 1)),
                new Shape(new int[] {4, 6, 13, 13}, new int[] {8, 6, 3, 3}, spec2(2, 0, 1, 1)),
                new Shape(new int[] {3, 8, 7, 7}, new int[] {8, 4, 3, 3}, spec2(1, 1, 1, 2)));
        for (CpuConv cpu : List.of(new CpuConv(ORACLE), new CpuConv(ORACLE, 1, Long.MAX_VALUE), new CpuConv(ORACLE, 2000, 0))) {
            for (Shape sh : wide) {
                try (Scope scope = Scope.open()) {
                    SplittableRandom r = new SplittableRandom(7);
                    Tensor x = Init.randn(r, DType.F32, sh.x());
                    Tensor w = Init.randn(r, DType.F32, sh.w());
                    Tensor b = Init.randn(r, DType.F32, sh.w()[0]);
                    int[] os = Geometry.of(sh.x(), sh.w(), sh.spec()).outShape(sh.w().length - 2);
                    Tensor want = Tensor.empty(DType.F32, os), got = Tensor.full(DType.F32, Double.NaN, os);
                    ORACLE.conv(x, w, b, sh.spec(), want);
                    cpu.conv(x, w, b, sh.spec(), got);
                    Compare.assertClose("x" + java.util.Arrays.toString(sh.x()) + " w" + java.util.Arrays.toString(sh.w()) + " " + sh.spec(),
                            want, got, 1e-4, 1e-4);
                }
            }
        }
    }

    @Test
    void otherDtypesAndLayoutsGoToTheReference() {
        SplittableRandom r = new SplittableRandom(1);
        Tensor x = Init.randn(r, DType.F64, 1, 2, 5, 5), w = Init.randn(r, DType.F64, 3, 2, 3, 3);
        ConvSpec spec = spec2(1, 1, 1, 1);
        Tensor want = Tensor.empty(DType.F64, 1, 3, 5, 5), got = Tensor.empty(DType.F64, 1, 3, 5, 5);
        ORACLE.conv(x, w, null, spec, want);
        new CpuConv(ORACLE).conv(x, w, null, spec, got);
        assertArrayEquals(want.toDoubleArray(), got.toDoubleArray(), "F64 delegates to the oracle bit for bit");
        Tensor xt = Init.randn(r, DType.F32, 1, 2, 5, 5).transpose(2, 3);
        Tensor wf = w.to(DType.F32);
        Tensor want32 = Tensor.empty(DType.F32, 1, 3, 5, 5), got32 = Tensor.empty(DType.F32, 1, 3, 5, 5);
        ORACLE.conv(xt, wf, null, spec, want32);
        new CpuConv(ORACLE).conv(xt, wf, null, spec, got32);
        Compare.assertClose("non-contiguous x", want32, got32, 1e-5, 1e-5);
    }
}
