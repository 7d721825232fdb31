package org.vfmtok.tensor.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.Backend;
import org.vfmtok.tensor.backend.Backends;
import org.vfmtok.tensor.backend.ResampleKernels.Mode;
import org.vfmtok.tensor.testing.Compare;

/**
 * Outputs and gradients of {@link Resample} against PyTorch 1.13 fixtures
 * (tools/fixtures/make_resample_fixtures.py), on the fast CPU backend and on the scalar oracle.
 * Where torch 1.13's backward is not the adjoint of its own forward (nearest with odd factors, bicubic
 * with out == in; the case carries a "grad_note"), the fixture's input gradient is the adjoint built from
 * torch's forward, which is what a correct gradient must equal.
 */
class ResampleTorchParityTest {
    private static final String DIR = "/fixtures/resample/";
    /** F32 parity bound: |java − torch| ≤ 1e-5 absolute, outputs and gradients alike. */
    private static final double ATOL = 1e-5;

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> cases() throws IOException {
        Map<String, Object> index = (Map<String, Object>) parseJson(new String(resource("index.json"), StandardCharsets.UTF_8));
        return (List<Map<String, Object>>) index.get("cases");
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = ResampleTorchParityTest.class.getResourceAsStream(DIR + name)) {
            assertNotNull(in, "missing fixture " + DIR + name + " (run tools/fixtures/make_resample_fixtures.py)");
            return in.readAllBytes();
        }
    }

    @SuppressWarnings("unchecked")
    private static Tensor load(Map<String, Object> c, String key) {
        Map<String, Object> ref = (Map<String, Object>) c.get(key);
        List<Object> dims = (List<Object>) ref.get("shape");
        int[] shape = dims.stream().mapToInt(d -> ((Number) d).intValue()).toArray();
        try {
            ByteBuffer bb = ByteBuffer.wrap(resource((String) ref.get("file"))).order(ByteOrder.LITTLE_ENDIAN);
            float[] data = new float[bb.remaining() / 4];
            bb.asFloatBuffer().get(data);
            return Tensor.of(data, shape);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static int[] ints(Object list) {
        return list == null || list == org.vfmtok.tensor.io.Json.NULL ? null : ((List<Object>) list).stream().mapToInt(d -> ((Number) d).intValue()).toArray();
    }

    @SuppressWarnings("unchecked")
    private static double[] doubles(Object list) {
        return list == null || list == org.vfmtok.tensor.io.Json.NULL ? null : ((List<Object>) list).stream().mapToDouble(d -> ((Number) d).doubleValue()).toArray();
    }

    @TestFactory
    Stream<DynamicTest> matchesTorch() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Map<String, Object> c : cases()) {
            for (Backend b : List.of(Compare.fast(), Backends.scalar())) {
                tests.add(DynamicTest.dynamicTest(c.get("name") + " [" + b.name() + "]", () -> Backends.using(b, () -> {
                    try (Scope s = Scope.open()) {
                        check(c);
                    }
                    return null;
                })));
            }
        }
        return tests.stream();
    }

    private static void check(Map<String, Object> c) {
        String name = (String) c.get("name");
        boolean ac = (Boolean) c.get("align_corners");
        Tensor x = load(c, "input").requiresGrad(true);
        Tensor y;
        Tensor grid = null;
        if ("grid_sample".equals(c.get("op"))) {
            grid = load(c, "grid").requiresGrad(true);
            y = Resample.gridSample(x, grid, ac);
        } else {
            Mode mode = Mode.valueOf(((String) c.get("mode")).toUpperCase());
            boolean aa = (Boolean) c.get("antialias");
            int[] size = ints(c.get("size"));
            y = size != null ? Resample.interpolate(x, size, mode, ac, aa)
                    : Resample.interpolate(x, doubles(c.get("scale_factor")), mode, ac, aa);
        }
        Compare.assertClose(name + " output", load(c, "output"), y, ATOL, 0);
        y.backward(load(c, "grad_output"));
        Compare.assertClose(name + " grad input", load(c, "grad_input"), x.grad(), ATOL, 0);
        if (grid != null) Compare.assertClose(name + " grad grid", load(c, "grad_grid"), grid.grad(), ATOL, 0);
    }

    /** Guards against a silently empty or stale fixture set. */
    @Test
    void fixtureSetCoversTheModelCases() throws IOException {
        List<String> names = cases().stream().map(c -> (String) c.get("name")).toList();
        assertTrue(names.size() >= 40, "only " + names.size() + " fixture cases");
        for (String must : List.of("dino_pos_aa_bicubic_sf", "decoder_pos_bicubic_sf", "grid_ac0", "grid_ac1", "nearest_sf_odd")) {
            assertTrue(names.contains(must), "fixture case " + must + " missing");
        }
        Map<String, Object> dec = cases().stream().filter(c -> c.get("name").equals("decoder_pos_bicubic_sf")).findFirst().orElseThrow();
        assertEquals(21, ints(((Map<?, ?>) dec.get("output")).get("shape"))[3]);
        long noted = cases().stream().filter(c -> c.containsKey("grad_note")).count();
        assertTrue(noted <= 3, noted + " cases where torch's gradient is not its forward's adjoint; expected at most 3");
    }

    private static Object parseJson(String text) {
        try {
            return org.vfmtok.tensor.io.Json.parse(text);
        } catch (org.vfmtok.tensor.io.Json.JsonException e) {
            throw new IllegalStateException("bad fixture index: " + e.getMessage(), e);
        }
    }
}
