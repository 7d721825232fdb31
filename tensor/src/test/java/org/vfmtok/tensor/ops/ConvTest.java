package org.vfmtok.tensor.ops;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.Backend;
import org.vfmtok.tensor.backend.Backends;
import org.vfmtok.tensor.backend.ConvKernels.ConvSpec;
import org.vfmtok.tensor.ops.Conv.PaddingMode;
import org.vfmtok.tensor.testing.Compare;
import org.vfmtok.tensor.testing.GradCheck;

class ConvTest {
    /** One convolution: x (N, Cin, *S), w (Cout, Cin/groups, *K); {@code transposedX} feeds x as a non-contiguous view. */
    record Case(String name, int[] x, int[] w, boolean bias, int[] stride, int[] padding, int[] dilation, int groups,
                PaddingMode mode, boolean transposedX) {
        ConvSpec spec() { return new ConvSpec(stride, padding, dilation, groups); }

        @Override public String toString() {
            return name + " x" + Arrays.toString(x) + " w" + Arrays.toString(w) + " " + spec() + " " + mode + (transposedX ? " (x transposed view)" : "");
        }
    }

    static Case c2(String name, int[] x, int[] w, int s, int p, int d, int g, PaddingMode mode) {
        return new Case(name, x, w, true, new int[] {s, s}, new int[] {p, p}, new int[] {d, d}, g, mode, false);
    }

    static Case c1(String name, int[] x, int[] w, int s, int p, int d, int g, PaddingMode mode) {
        return new Case(name, x, w, true, new int[] {s}, new int[] {p}, new int[] {d}, g, mode, false);
    }

    static final PaddingMode Z = PaddingMode.ZEROS, C = PaddingMode.CIRCULAR;

    static List<Case> namedCases() {
        List<Case> l = new ArrayList<>();
        l.add(c2("3x3 pad1", new int[] {2, 3, 7, 9}, new int[] {5, 3, 3, 3}, 1, 1, 1, 1, Z));
        l.add(c2("3x3 pad0", new int[] {1, 4, 6, 5}, new int[] {3, 4, 3, 3}, 1, 0, 1, 1, Z));
        l.add(c2("3x3 stride2", new int[] {1, 4, 9, 8}, new int[] {6, 4, 3, 3}, 2, 1, 1, 1, Z));
        l.add(c2("3x3 dil2 pad2 groups2", new int[] {2, 4, 9, 7}, new int[] {4, 2, 3, 3}, 1, 2, 2, 2, Z));
        l.add(c2("depthwise 3x3", new int[] {1, 6, 7, 7}, new int[] {6, 1, 3, 3}, 1, 1, 1, 6, Z));
        l.add(new Case("depthwise x2 3x5 s(2,1) p(1,2)", new int[] {2, 3, 8, 9}, new int[] {6, 1, 3, 5}, true,
                new int[] {2, 1}, new int[] {1, 2}, new int[] {1, 1}, 3, Z, false));
        l.add(c2("1x1", new int[] {2, 8, 5, 6}, new int[] {3, 8, 1, 1}, 1, 0, 1, 1, Z));
        l.add(c2("1x1 stride2", new int[] {1, 4, 7, 7}, new int[] {5, 4, 1, 1}, 2, 0, 1, 1, Z));
        l.add(c2("1x1 pad1", new int[] {1, 3, 4, 5}, new int[] {2, 3, 1, 1}, 1, 1, 1, 1, Z));
        l.add(c2("3x3 circular", new int[] {1, 3, 6, 5}, new int[] {4, 3, 3, 3}, 1, 1, 1, 1, C));
        l.add(c2("5x5 circular pad2 stride2", new int[] {2, 2, 7, 6}, new int[] {3, 2, 5, 5}, 2, 2, 1, 1, C));
        l.add(c2("patch embed 4/4", new int[] {1, 3, 12, 12}, new int[] {8, 3, 4, 4}, 4, 0, 1, 1, Z));
        l.add(new Case("3x3 transposed x", new int[] {2, 3, 6, 7}, new int[] {4, 3, 3, 3}, false,
                new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1, Z, true));
        l.add(c1("conv1d k9 circular", new int[] {2, 6, 20}, new int[] {6, 6, 9}, 1, 4, 1, 1, C));
        l.add(c1("conv1d k1 circular", new int[] {2, 6, 11}, new int[] {5, 6, 1}, 1, 0, 1, 1, C));
        l.add(c1("conv1d s2 d2 groups2", new int[] {1, 4, 17}, new int[] {4, 2, 3}, 2, 1, 2, 2, Z));
        l.add(c1("conv1d depthwise", new int[] {2, 5, 13}, new int[] {5, 1, 4}, 1, 2, 1, 5, Z));
        return l;
    }

    /** Random small configurations, odd sizes included; every one has a non-empty output. */
    static List<Case> randomCases(int count, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Case> l = new ArrayList<>();
        while (l.size() < count) {
            int sd = r.nextInt(2) + 1;
            int kind = r.nextInt(4); // 0: groups 1, 1: groups 2, 2: groups 3, 3: depthwise
            int groups = kind == 3 ? r.nextInt(2, 6) : kind + 1;
            int cinG = kind == 3 ? 1 : r.nextInt(1, 4), coutG = kind == 3 ? r.nextInt(1, 3) : r.nextInt(1, 4);
            int n = r.nextInt(1, 3);
            int[] size = new int[sd], k = new int[sd], s = new int[sd], p = new int[sd], d = new int[sd];
            boolean ok = true;
            PaddingMode mode = r.nextInt(4) == 0 ? C : Z;
            for (int i = 0; i < sd; i++) {
                size[i] = r.nextInt(1, 12);
                k[i] = sd == 1 ? r.nextInt(1, 10) : r.nextInt(1, 5);
                s[i] = r.nextInt(1, 3);
                p[i] = r.nextInt(0, 3);
                d[i] = r.nextInt(1, 3);
                if (mode == C && p[i] > size[i]) ok = false;
                if (size[i] + 2 * p[i] - d[i] * (k[i] - 1) - 1 < 0) ok = false;
            }
            if (!ok) continue;
            int[] xs = new int[sd + 2], ws = new int[sd + 2];
            xs[0] = n;
            xs[1] = groups * cinG;
            ws[0] = groups * coutG;
            ws[1] = cinG;
            for (int i = 0; i < sd; i++) {
                xs[2 + i] = size[i];
                ws[2 + i] = k[i];
            }
            l.add(new Case("random " + l.size(), xs, ws, r.nextBoolean(), s, p, d, groups, mode, sd == 2 && r.nextInt(4) == 0));
        }
        return l;
    }

    /** out, gx, gw, gb (gb null without bias) of one case on one backend, all from the same seeded data. */
    static Tensor[] forwardBackward(Case c, Backend backend, DType dtype) {
        return Backends.using(backend, () -> {
            SplittableRandom r = new SplittableRandom(c.toString().hashCode());
            Tensor x;
            Tensor xLeaf;
            if (c.transposedX()) {
                int[] ts = c.x().clone();
                ts[2] = c.x()[3];
                ts[3] = c.x()[2];
                xLeaf = Init.randn(r, dtype, ts).requiresGrad(true);
                x = xLeaf.transpose(2, 3);
            } else {
                xLeaf = Init.randn(r, dtype, c.x()).requiresGrad(true);
                x = xLeaf;
            }
            Tensor w = Init.normal(Tensor.empty(dtype, c.w()), r, 0, 0.5).requiresGrad(true);
            Tensor b = c.bias() ? Init.randn(r, dtype, c.w()[0]).requiresGrad(true) : null;
            Tensor out = Conv.conv(x, w, b, c.spec(), c.mode());
            Tensor gout = Init.randn(r, dtype, out.shape());
            out.backward(gout);
            return new Tensor[] {out.detach(), xLeaf.grad(), w.grad(), b == null ? null : b.grad()};
        });
    }

    static void assertCpuMatchesScalar(Case c) {
        try (Scope s = Scope.open()) {
            Tensor[] want = forwardBackward(c, Backends.scalar(), DType.F32);
            Tensor[] got = forwardBackward(c, Compare.fast(), DType.F32);
            String[] names = {"out", "grad x", "grad w", "grad bias"};
            for (int i = 0; i < 4; i++) {
                if (want[i] == null) continue;
                Compare.assertClose(c + ": " + names[i], want[i], got[i], 1e-4, 1e-4);
            }
        }
    }

    @Test
    void cpuMatchesScalarOnNamedCases() {
        for (Case c : namedCases()) assertCpuMatchesScalar(c);
    }

    @Test
    void cpuMatchesScalarOnRandomCases() {
        for (Case c : randomCases(40, 11)) assertCpuMatchesScalar(c);
    }

    @Test
    void outputShapesFollowPytorch() {
        Tensor x = Tensor.zeros(2, 3, 10, 11);
        Tensor w = Tensor.zeros(4, 3, 3, 3);
        assertArrayEquals(new int[] {2, 4, 5, 6}, Conv.conv2d(x, w, null, 2, 1).shape());
        assertArrayEquals(new int[] {2, 4, 6, 7}, Conv.conv2d(x, w, null, new int[] {1, 1}, new int[] {0, 0}, new int[] {2, 2}, 1, Z).shape());
        assertArrayEquals(new int[] {2, 4, 10, 11}, Conv.conv2d(x, w, null, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1, C).shape());
        assertArrayEquals(new int[] {4, 10, 11}, Conv.conv2d(x.select(0, 0), w, null, 1, 1).shape(), "unbatched input");
        Tensor x1 = Tensor.zeros(2, 12, 30);
        Tensor w1 = Tensor.zeros(12, 12, 9);
        assertArrayEquals(new int[] {2, 12, 30}, Conv.conv1d(x1, w1, null, 1, 4, 1, 1, C).shape());
    }

    @Test
    void knownValues() {
        // 1 input channel 3x3 of 1..9, a kernel of ones: each output is the sum of the window
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3);
        Tensor w = Tensor.ones(1, 1, 2, 2);
        assertArrayEquals(new float[] {12, 16, 24, 28}, Conv.conv2d(x, w, null).toFloatArray());
        // zero padding 1, stride 2: windows at the corners
        assertArrayEquals(new float[] {1, 5, 11, 28}, Conv.conv2d(x, w, null, 2, 1).narrow(2, 0, 2).narrow(3, 0, 2).toFloatArray());
        // circular conv1d: [1 2 3 4] with k=3 of ones and circular padding 1 → neighbours wrap
        Tensor s = Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 4);
        assertArrayEquals(new float[] {7, 6, 9, 8},
                Conv.conv1d(s, Tensor.ones(1, 1, 3), Tensor.of(new float[] {0}, 1), 1, 1, 1, 1, C).toFloatArray());
    }

    @Test
    void badShapesNameTheProblem() {
        Tensor x = Tensor.zeros(1, 4, 5, 5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Conv.conv2d(x, Tensor.zeros(2, 3, 3, 3), null));
        assertTrue(e.getMessage().contains("[2, 3, 3, 3]") && e.getMessage().contains("input channels"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Conv.conv2d(x, Tensor.zeros(2, 4, 7, 7), null));
        assertTrue(e.getMessage().contains("smaller than the (dilated) kernel"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Conv.conv2d(x, Tensor.zeros(3, 2, 3, 3), null, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 2, Z));
        assertTrue(e.getMessage().contains("not divisible by groups"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Conv.conv2d(x, Tensor.zeros(DType.F64, 2, 4, 3, 3), null));
        assertTrue(e.getMessage().contains("dtypes differ"), e.getMessage());
    }

    // ------------------------------------------------------------------ gradient checks (double precision)

    @Test
    void gradCheckConv2d() {
        SplittableRandom r = new SplittableRandom(3);
        GradCheck.check("conv2d groups2 pad1", in -> Conv.conv2d(in[0], in[1], in[2], new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 2, Z),
                GradCheck.leaf(r, 2, 4, 5, 4), GradCheck.leaf(r, 4, 2, 3, 3), GradCheck.leaf(r, 4));
        GradCheck.check("conv2d circular s(2,1) d(1,2)", in -> Conv.conv2d(in[0], in[1], in[2], new int[] {2, 1}, new int[] {1, 2}, new int[] {1, 2}, 1, C),
                GradCheck.leaf(r, 1, 2, 4, 5), GradCheck.leaf(r, 3, 2, 3, 2), GradCheck.leaf(r, 3));
        GradCheck.check("conv2d depthwise stride2", in -> Conv.conv2d(in[0], in[1], in[2], new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, 3, Z),
                GradCheck.leaf(r, 2, 3, 5, 5), GradCheck.leaf(r, 3, 1, 3, 3), GradCheck.leaf(r, 3));
        GradCheck.check("conv2d 1x1", in -> Conv.conv2d(in[0], in[1], in[2]),
                GradCheck.leaf(r, 2, 3, 3, 2), GradCheck.leaf(r, 2, 3, 1, 1), GradCheck.leaf(r, 2));
    }

    @Test
    void gradCheckConv1d() {
        SplittableRandom r = new SplittableRandom(4);
        GradCheck.check("conv1d k5 circular", in -> Conv.conv1d(in[0], in[1], in[2], 1, 2, 1, 1, C),
                GradCheck.leaf(r, 2, 3, 7), GradCheck.leaf(r, 3, 3, 5), GradCheck.leaf(r, 3));
        GradCheck.check("conv1d groups3 s2 d2", in -> Conv.conv1d(in[0], in[1], in[2], 2, 1, 2, 3, Z),
                GradCheck.leaf(r, 2, 6, 9), GradCheck.leaf(r, 3, 2, 3), GradCheck.leaf(r, 3));
        GradCheck.check("conv1d unbatched, no bias", in -> Conv.conv1d(in[0], in[1], null, 1, 1, 1, 1, C),
                GradCheck.leaf(r, 2, 6), GradCheck.leaf(r, 3, 2, 3));
        Tensor frozenW = Init.randn(r, DType.F64, 3, 2, 3);
        GradCheck.check("conv1d bias only", in -> Conv.conv1d(in[0], frozenW, in[1], 1, 0, 1, 1, Z),
                GradCheck.leaf(r, 2, 2, 6), GradCheck.leaf(r, 3));
    }

    // ------------------------------------------------------------------ parity with torch 1.13

    @Test
    @SuppressWarnings("unchecked")
    void matchesTorchFixtures() throws IOException {
        Map<String, Object> root = (Map<String, Object>) parseJson(new String(resource("cases.json"), StandardCharsets.UTF_8));
        List<Object> cases = (List<Object>) root.get("cases");
        assertFalse(cases.isEmpty());
        for (Object o : cases) {
            Map<String, Object> c = (Map<String, Object>) o;
            String name = (String) c.get("name");
            Map<String, Object> shapes = (Map<String, Object>) c.get("shapes");
            ConvSpec spec = new ConvSpec(ints(c.get("stride")), ints(c.get("padding")), ints(c.get("dilation")), ((Number) c.get("groups")).intValue());
            PaddingMode mode = "circular".equals(c.get("padding_mode")) ? C : Z;
            for (Backend backend : List.of(Compare.fast(), Backends.scalar())) {
                try (Scope s = Scope.open()) {
                    Backends.using(backend, () -> {
                        Tensor x = load(name, "x", shapes).requiresGrad(true);
                        Tensor w = load(name, "w", shapes).requiresGrad(true);
                        Tensor b = shapes.containsKey("b") ? load(name, "b", shapes).requiresGrad(true) : null;
                        Tensor out = Conv.conv(x, w, b, spec, mode);
                        String what = name + " on " + backend.name() + ": ";
                        Compare.assertClose(what + "out", load(name, "out", shapes), out, 1e-4, 1e-4);
                        out.backward(load(name, "gout", shapes));
                        Compare.assertClose(what + "grad x", load(name, "gx", shapes), x.grad(), 1e-4, 1e-4);
                        Compare.assertClose(what + "grad w", load(name, "gw", shapes), w.grad(), 1e-4, 1e-4);
                        if (b != null) Compare.assertClose(what + "grad b", load(name, "gb", shapes), b.grad(), 1e-4, 1e-4);
                        return null;
                    });
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static int[] ints(Object list) {
        return ((List<Object>) list).stream().mapToInt(v -> ((Number) v).intValue()).toArray();
    }

    private static Tensor load(String name, String key, Map<String, Object> shapes) {
        byte[] bytes = resource(name + "_" + key + ".bin");
        float[] v = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return Tensor.of(v, ints(shapes.get(key)));
    }

    private static byte[] resource(String file) {
        try (InputStream in = ConvTest.class.getResourceAsStream("/fixtures/conv/" + file)) {
            if (in == null) throw new IllegalStateException("missing fixture " + file + " (run tools/fixtures/make_conv_fixtures.py)");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object parseJson(String text) {
        try {
            return org.vfmtok.tensor.io.Json.parse(text);
        } catch (org.vfmtok.tensor.io.Json.JsonException e) {
            throw new IllegalStateException("bad fixture index: " + e.getMessage(), e);
        }
    }
}
