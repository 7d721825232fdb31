package org.vfmtok.tensor.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.ResampleKernels.Mode;
import org.vfmtok.tensor.testing.Compare;
import org.vfmtok.tensor.testing.GradCheck;

/** Fast CPU kernels against the scalar oracle, gradient checks and invariants of {@link Resample#interpolate}. */
class ResampleTest {
    private Scope scope;

    @BeforeEach
    void open() { scope = Scope.open("resample-test"); }

    @AfterEach
    void close() { scope.close(); }

    /** One interpolate configuration: a size map when {@code scale} is null. */
    private record Cfg(Mode mode, boolean ac, boolean aa, int[] size, double[] scale) {
        Tensor apply(Tensor x) {
            return size != null ? Resample.interpolate(x, size, mode, ac, aa) : Resample.interpolate(x, scale, mode, ac, aa);
        }

        @Override
        public String toString() {
            return mode + (ac ? " ac" : "") + (aa ? " aa" : "") + (size != null ? " size " + size[0] + "x" + size[1] : " scale " + scale[0] + "x" + scale[1]);
        }
    }

    private static Cfg[] configs(int h, int w, SplittableRandom rng) {
        java.util.List<Cfg> out = new java.util.ArrayList<>();
        int[][] sizes = {{h * 2 + 1, w + 3}, {Math.max(1, h / 3), Math.max(1, w / 2 - 1)}, {h + 4, Math.max(1, w - 5)}, {1, w}};
        double[][] scales = {{1.7, 0.63}, {0.31, 2.5}, {21.1 / 24, 21.1 / 24}};
        for (Mode m : Mode.values()) {
            for (boolean ac : new boolean[] {false, true}) {
                if (m == Mode.NEAREST && ac) continue;
                for (boolean aa : new boolean[] {false, true}) {
                    if (m == Mode.NEAREST && aa) continue;
                    out.add(new Cfg(m, ac, aa, sizes[rng.nextInt(sizes.length)], null));
                    double[] sc = scales[rng.nextInt(scales.length)];
                    if (Math.floor(h * sc[0]) < 1 || Math.floor(w * sc[1]) < 1) sc = scales[0];
                    out.add(new Cfg(m, ac, aa, null, sc));
                }
            }
        }
        return out.toArray(Cfg[]::new);
    }

    @Test
    void fastMatchesOracleOnRandomShapes() {
        SplittableRandom rng = new SplittableRandom(11);
        int[][] shapes = {{1, 1, 7, 5}, {2, 3, 13, 17}, {1, 2, 37, 37}, {3, 1, 9, 40}, {1, 1, 40, 67}, {2, 5, 3, 2}};
        for (int[] shape : shapes) {
            Tensor x = Init.randn(rng, DType.F32, shape);
            Tensor g = null;
            for (Cfg c : configs(shape[2], shape[3], rng)) {
                String what = c + " on " + java.util.Arrays.toString(shape);
                Compare.backends(what, () -> c.apply(x), 1e-5, 1e-5);
                int[] os = c.apply(x).shape();
                g = Init.randn(rng, DType.F32, os);
                Tensor gg = g;
                Compare.backends(what + " backward", () -> gradOf(c::apply, x, gg), 2e-5, 1e-5);
            }
        }
    }

    @Test
    void largeDownscaleAndUpscaleUseVectorTails() {
        SplittableRandom rng = new SplittableRandom(12);
        Tensor x = Init.randn(rng, DType.F32, 1, 2, 45, 53);
        for (Mode m : new Mode[] {Mode.BILINEAR, Mode.BICUBIC}) {
            for (int[] size : new int[][] {{7, 9}, {100, 37}, {4, 70}}) {
                Cfg c = new Cfg(m, false, true, size, null);
                Compare.backends(c.toString(), () -> c.apply(x), 1e-5, 1e-5);
                Tensor g = Init.randn(rng, DType.F32, 1, 2, size[0], size[1]);
                Compare.backends(c + " backward", () -> gradOf(c::apply, x, g), 5e-5, 1e-5);
            }
        }
    }

    @Test
    void nonContiguousInputsAndOtherDtypes() {
        SplittableRandom rng = new SplittableRandom(13);
        Tensor base = Init.randn(rng, DType.F32, 2, 9, 3, 11);
        Tensor view = base.permute(0, 2, 3, 1).narrow(3, 1, 7); // (2, 3, 11, 7), strided
        Cfg c = new Cfg(Mode.BICUBIC, false, false, null, new double[] {1.5, 0.8});
        Tensor viaView = c.apply(view);
        Tensor viaCopy = c.apply(view.contiguous());
        Compare.assertClose("strided input", viaCopy, viaView, 0, 0);
        Compare.backends("strided input", () -> c.apply(view), 1e-5, 1e-5);
        // F64 goes to the reference from the fast backend and must agree with F32
        Tensor y64 = c.apply(view.to(DType.F64));
        assertEquals(DType.F64, y64.dtype());
        Compare.assertClose("F64 vs F32", y64, viaView, 1e-5, 1e-5);
    }

    @Test
    void gradientsInDoublePrecision() {
        SplittableRandom rng = new SplittableRandom(14);
        Tensor x = GradCheck.leaf(rng, 1, 2, 5, 6);
        Cfg[] cfgs = {
            new Cfg(Mode.NEAREST, false, false, new int[] {7, 4}, null),
            new Cfg(Mode.NEAREST, false, false, null, new double[] {1.37, 2.04}),
            new Cfg(Mode.BILINEAR, false, false, new int[] {8, 3}, null),
            new Cfg(Mode.BILINEAR, true, false, new int[] {3, 9}, null),
            new Cfg(Mode.BILINEAR, false, false, null, new double[] {1.7, 0.6}),
            new Cfg(Mode.BICUBIC, false, false, new int[] {9, 4}, null),
            new Cfg(Mode.BICUBIC, true, false, new int[] {4, 8}, null),
            new Cfg(Mode.BICUBIC, false, false, null, new double[] {21.1 / 24, 1.3}),
            new Cfg(Mode.BILINEAR, false, true, new int[] {2, 4}, null),
            new Cfg(Mode.BICUBIC, false, true, new int[] {3, 2}, null),
            new Cfg(Mode.BICUBIC, true, true, new int[] {7, 3}, null),
            new Cfg(Mode.BICUBIC, false, true, null, new double[] {0.55, 1.4}),
        };
        for (Cfg c : cfgs) GradCheck.check("interpolate " + c, in -> c.apply(in[0]), x);
    }

    @Test
    void constantsArePreservedAndCornersAligned() {
        Tensor ones = Tensor.full(DType.F32, 3.25, 1, 2, 11, 9);
        for (Cfg c : new Cfg[] {
            new Cfg(Mode.BICUBIC, false, false, new int[] {5, 17}, null),
            new Cfg(Mode.BICUBIC, false, true, new int[] {4, 3}, null),
            new Cfg(Mode.BILINEAR, false, true, null, new double[] {0.3, 0.41}),
            new Cfg(Mode.BICUBIC, true, false, null, new double[] {2.5, 1.5})}) {
            for (float v : c.apply(ones).toFloatArray()) assertEquals(3.25f, v, 1e-5f, c.toString());
        }
        SplittableRandom rng = new SplittableRandom(16);
        Tensor x = Init.randn(rng, DType.F32, 1, 1, 4, 5);
        Tensor y = Resample.interpolate(x, new int[] {10, 13}, Mode.BILINEAR, true, false);
        assertEquals(x.getFloat(0, 0, 0, 0), y.getFloat(0, 0, 0, 0), 1e-6f);
        assertEquals(x.getFloat(0, 0, 3, 4), y.getFloat(0, 0, 9, 12), 1e-6f);
        assertEquals(x.getFloat(0, 0, 0, 4), y.getFloat(0, 0, 0, 12), 1e-6f);
    }

    @Test
    void decoderScaleFactorMapDiffersFromSizeMap() {
        // spec §1.6: 24 → scale 21.1/24 gives 21 outputs mapped with 24/21.1, not 24/21
        SplittableRandom rng = new SplittableRandom(17);
        Tensor x = Init.randn(rng, DType.F32, 1, 4, 24, 24);
        Tensor bySf = Resample.interpolate(x, new double[] {21.1 / 24, 21.1 / 24}, Mode.BICUBIC, false, false);
        Tensor bySize = Resample.interpolate(x, new int[] {21, 21}, Mode.BICUBIC, false, false);
        assertArrayEquals(new int[] {1, 4, 21, 21}, bySf.shape());
        float[] a = bySf.toFloatArray(), b = bySize.toFloatArray();
        double maxDiff = 0;
        for (int i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
        assertTrue(maxDiff > 0.05, "scale-factor and size maps should differ, max diff " + maxDiff);
        // nearest ×2 is an exact repeat (decoder upsampling)
        Tensor up = Resample.upsampleNearest(x, 2.0);
        assertEquals(x.getFloat(0, 3, 7, 11), up.getFloat(0, 3, 15, 22));
        assertEquals(x.getFloat(0, 3, 7, 11), up.getFloat(0, 3, 14, 23));
    }

    @Test
    void badArgumentsAreNamed() {
        Tensor x = Tensor.zeros(1, 1, 4, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Resample.interpolate(x, new int[] {8, 8}, Mode.NEAREST, true, false));
        assertTrue(e.getMessage().contains("align_corners"));
        assertThrows(IllegalArgumentException.class, () -> Resample.interpolate(x, new int[] {8, 8}, Mode.NEAREST, false, true));
        e = assertThrows(IllegalArgumentException.class, () -> Resample.interpolate(x, new double[] {0.1, 1}, Mode.BILINEAR, false, false));
        assertTrue(e.getMessage().contains("empty output"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Resample.interpolate(x, new int[] {0, 3}, Mode.BILINEAR, false, false));
        assertThrows(IllegalArgumentException.class, () -> Resample.interpolate(Tensor.zeros(4, 4), new int[] {2, 2}, Mode.BILINEAR, false, false));
    }

    /** d(Σ g·f(x))/dx on the current backend, through autograd. */
    static Tensor gradOf(Function<Tensor, Tensor> f, Tensor x, Tensor g) {
        Tensor leaf = x.detach().requiresGrad(true);
        f.apply(leaf).backward(g);
        return leaf.grad();
    }
}
