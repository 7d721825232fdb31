package org.vfmtok.nn.io;

import static org.junit.jupiter.api.Assertions.*;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;

/** Reads the torch.save fixtures and checks them against what torch itself reported (expected.txt). */
class TorchCheckpointTest {

    @ParameterizedTest
    @ValueSource(strings = {"nested.pt", "dtypes.pt", "shared.pt", "legacy.pt"})
    void everyLeafMatchesTorch(String name) throws Exception {
        List<TorchFixtures.Line> lines = TorchFixtures.expected(name);
        assertFalse(lines.isEmpty(), "no expectations for " + name);
        try (TorchCheckpoint c = TorchCheckpoint.open(TorchFixtures.path(name))) {
            assertEquals(name.equals("legacy.pt") ? TorchCheckpoint.Format.LEGACY : TorchCheckpoint.Format.ZIP, c.format());
            Map<String, Object> flat = c.flatten();
            Set<String> keys = new LinkedHashSet<>();
            for (TorchFixtures.Line l : lines) {
                switch (l.kind()) {
                    case "tensor" -> {
                        keys.add(l.key());
                        checkTensor(l, flat.get(l.key()));
                    }
                    case "value" -> {
                        keys.add(l.key());
                        assertTrue(flat.containsKey(l.key()), l.key());
                        checkValue(l, flat.get(l.key()));
                    }
                    case "share" -> checkShared(l, (Tensor) flat.get(l.key()), (Tensor) flat.get(l.rest().getFirst()));
                    default -> fail("unknown expectation " + l);
                }
            }
            assertEquals(keys, flat.keySet(), "flattened keys of " + name);
        }
    }

    private static void checkTensor(TorchFixtures.Line l, Object o) {
        String what = l.file() + " " + l.key();
        Tensor t = assertInstanceOf(Tensor.class, o, what);
        List<String> r = l.rest();
        assertEquals(DType.valueOf(r.get(0)), t.dtype(), what);
        assertArrayEquals(ints(r.get(1)), t.shape(), what);
        assertArrayEquals(Arrays.stream(ints(r.get(2))).asLongStream().toArray(), t.strides(), what);
        assertEquals(Long.parseLong(r.get(3)), t.offset(), what);
        double[] values = t.toDoubleArray();
        double sum = Arrays.stream(values).sum();
        double want = Double.parseDouble(r.get(4));
        assertEquals(want, sum, 1e-9 * (1 + Math.abs(want)), what + " sum");
        List<String> first = r.subList(5, r.size());
        for (int i = 0; i < first.size(); i++) assertEquals(Double.parseDouble(first.get(i)), values[i], 0.0, what + "[" + i + "]");
    }

    private static void checkValue(TorchFixtures.Line l, Object v) {
        String type = l.rest().get(0), repr = l.rest().get(1), what = l.file() + " " + l.key();
        switch (type) {
            case "None" -> assertNull(v, what);
            case "bool" -> assertEquals(Boolean.valueOf(repr), v, what);
            case "int" -> {
                BigInteger want = new BigInteger(repr);
                assertEquals(want.bitLength() < 64 ? (Object) want.longValue() : want, v, what);
            }
            case "float" -> assertEquals(Double.parseDouble(repr), (Double) v, 0.0, what);
            case "str" -> assertEquals(repr, v, what);
            case "empty" -> assertTrue(repr.equals("dict") ? ((Map<?, ?>) v).isEmpty() : ((List<?>) v).isEmpty(), what);
            default -> fail("unknown value type " + type);
        }
    }

    /** Same Java storage, and a write through one tensor shows in the other. */
    private static void checkShared(TorchFixtures.Line l, Tensor a, Tensor b) {
        assertSame(a.storage(), b.storage(), l.key() + " / " + l.rest().getFirst());
        int[] bi = Arrays.stream(b.shape()).map(s -> s - 1).toArray(); // b's last element
        int[] ai = indexOf(a, element(b, bi));
        assertNotNull(ai, "element shared by " + l.key() + " and " + l.rest().getFirst());
        double old = a.getDouble(ai);
        assertEquals(old, b.getDouble(bi), 0.0);
        if (a.segment().isReadOnly()) return; // mapped from the file read-only: the same storage and element is the proof
        a.setDouble(old + 100, ai);
        assertEquals(old + 100, b.getDouble(bi), 0.0);
        a.setDouble(old, ai);
    }

    private static long element(Tensor t, int[] idx) {
        long e = t.offset();
        for (int d = 0; d < idx.length; d++) e += idx[d] * t.stride(d);
        return e;
    }

    /** A multi-index of {@code t} that addresses storage element {@code target}, or null. */
    private static int[] indexOf(Tensor t, long target) {
        int[] shape = t.shape(), idx = new int[shape.length];
        for (long n = t.numel(); n > 0; n--) {
            if (element(t, idx) == target) return idx;
            for (int d = shape.length - 1; d >= 0 && ++idx[d] == shape[d]; d--) idx[d] = 0;
        }
        return null;
    }

    private static int[] ints(String csv) {
        return csv.isEmpty() ? new int[0] : Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    @Test
    void nestedCheckpointModel() throws Exception {
        try (TorchCheckpoint c = TorchCheckpoint.open(TorchFixtures.path("nested.pt"))) {
            Map<?, ?> root = assertInstanceOf(Map.class, c.root());
            PickledOrderedDict model = assertInstanceOf(PickledOrderedDict.class, root.get("model"));
            assertTrue(model.attributes().containsKey("_metadata"), "state dict keeps its _metadata aside");
            assertFalse(c.flatten().keySet().stream().anyMatch(k -> k.contains("_metadata")));
            Namespace args = assertInstanceOf(Namespace.class, root.get("args"));
            assertEquals(1e-4, args.get("lr"));
            assertEquals("VQ-16", args.get("model"));
            assertEquals(List.of(0.9, 0.95), args.get("betas"));
            Map<?, ?> state = (Map<?, ?>) ((Map<?, ?>) root.get("optimizer")).get("state");
            assertEquals(Set.of(0L, 1L, 2L, 3L, 4L), state.keySet(), "optimizer state is keyed by ints");
            assertEquals(1.0e-4, c.flatten().get("args.lr"));

            Map<String, Tensor> m = c.tensors("model");
            assertEquals(List.of("counts", "decoder.conv_in.weight", "decoder.conv_in.bias", "decoder.norm.weight", "decoder.norm.bias",
                    "codebook.weight"), List.copyOf(m.keySet()));
            assertEquals(6, c.tensors("ema").size());
            assertEquals(c.flatten().values().stream().filter(v -> v instanceof Tensor).count(), c.tensors("").size());
            IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> c.tensors("nope"));
            assertTrue(none.getMessage().contains("model") && none.getMessage().contains("optimizer"), none.getMessage());
            assertArrayEquals(new float[] {0.5f, -2f}, ((Tensor) c.flatten().get("scale")).toFloatArray(), "nn.Parameter");
        }
    }

    @Test
    void stateDictOutlivesItsCheckpoint() throws Exception {
        Map<String, Tensor> sd = TorchCheckpoint.stateDict(TorchFixtures.path("nested.pt"), "ema");
        System.gc();
        try (TorchCheckpoint c = TorchCheckpoint.open(TorchFixtures.path("nested.pt"))) {
            Map<String, Tensor> ema = c.tensors("ema");
            assertEquals(ema.keySet(), sd.keySet());
            for (String k : ema.keySet()) assertArrayEquals(ema.get(k).toDoubleArray(), sd.get(k).toDoubleArray(), 0.0, k);
        }
        TorchCheckpointException e = assertThrows(TorchCheckpointException.class,
                () -> TorchCheckpoint.stateDict(TorchFixtures.path("nested.pt"), "missing"));
        assertTrue(e.getMessage().contains("nested.pt") && e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void storedRecordsAreMappedInPlaceReadOnly() throws Exception {
        Path file = TorchFixtures.path("shared.pt");
        byte[] before = Files.readAllBytes(file);
        Tensor base;
        try (TorchCheckpoint c = TorchCheckpoint.open(file)) {
            base = c.tensors("").get("base");
            assertTrue(base.segment().isMapped(), "zip STORED record must be mapped, not copied");
            assertEquals(0, base.segment().address() % 64, "torch aligns storages to 64 bytes in the file");
            assertTrue(base.segment().isReadOnly(), "the file is mapped read-only (never opened for writing)");
            assertThrows(IllegalArgumentException.class, () -> base.setDouble(-1, 0, 0), "writes into a checkpoint's mapping are refused");
        }
        assertArrayEquals(before, Files.readAllBytes(file), "loading must leave the file untouched");
        assertThrows(IllegalStateException.class, () -> base.getDouble(0, 0), "tensor used after close fails cleanly");

        try (TorchCheckpoint c = TorchCheckpoint.open(TorchFixtures.path("legacy.pt"))) {
            assertTrue(c.tensors("").get("base").segment().isMapped(), "legacy storages are mapped too");
        }
        try (TorchCheckpoint c = TorchCheckpoint.open(TorchFixtures.path("dtypes.pt"))) {
            Tensor i16 = c.tensors("").get("i16");
            assertFalse(i16.segment().isMapped(), "int16 is widened into a copy");
            assertArrayEquals(new int[] {-32768, 5, 32767}, i16.toIntArray());
            assertArrayEquals(new int[] {-128, -1, 127}, c.tensors("").get("i8").toIntArray());
        }
    }

    @Test
    void compressedRecordsAreInflated(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        // torch never compresses, but zip tools re-packing a checkpoint may: rewrite shared.pt deflated
        Path deflated = tmp.resolve("deflated.pt");
        try (var in = new java.util.zip.ZipFile(TorchFixtures.path("shared.pt").toFile());
                var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(deflated))) {
            for (var e : java.util.Collections.list(in.entries())) {
                out.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                out.write(in.getInputStream(e).readAllBytes());
                out.closeEntry();
            }
        }
        try (TorchCheckpoint c = TorchCheckpoint.open(deflated); TorchCheckpoint ref = TorchCheckpoint.open(TorchFixtures.path("shared.pt"))) {
            Map<String, Tensor> got = c.tensors(""), want = ref.tensors("");
            assertEquals(want.keySet(), got.keySet());
            for (String k : want.keySet()) {
                assertArrayEquals(want.get(k).toDoubleArray(), got.get(k).toDoubleArray(), 0.0, k);
                assertArrayEquals(want.get(k).strides(), got.get(k).strides(), k);
            }
            assertFalse(got.get("base").segment().isMapped());
            assertSame(got.get("base").storage(), got.get("view").storage(), "sharing survives inflation");
        }
    }

    @Test
    void flattenRejectsCyclesAndDuplicates() {
        List<Object> self = new java.util.ArrayList<>();
        self.add(self);
        assertTrue(assertThrows(IllegalStateException.class, () -> PyTree.flatten(self)).getMessage().contains("cyclic"));
        Map<Object, Object> dup = new java.util.LinkedHashMap<>();
        dup.put("a.b", 1L);
        dup.put("a", Map.of("b", 2L));
        assertTrue(assertThrows(IllegalStateException.class, () -> PyTree.flatten(dup)).getMessage().contains("a.b"));
        assertEquals(Map.of("x.0", 1L, "x.1", "s"), PyTree.flatten(Map.of("x", List.of(1L, "s"))));
        assertEquals(Map.of("", 5L), PyTree.flatten(5L), "a bare leaf has the empty key");
        assertEquals("a.0.b", PyTree.flatten(Map.of("a", List.of(Map.of("b", true)))).keySet().stream().collect(Collectors.joining()));
    }
}
