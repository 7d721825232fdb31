package org.vfmtok.tensor.io;

import static org.junit.jupiter.api.Assertions.*;
import static org.vfmtok.tensor.io.IoTestSupport.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.NativeMemory;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;

class SafetensorsRoundTripTest {
    @TempDir
    Path dir;

    @Test
    void everyDtypeAndLayoutRoundTrips() throws IOException {
        var rng = new SplittableRandom(7);
        Map<String, Tensor> in = new LinkedHashMap<>();
        for (DType t : DType.values()) in.putAll(layouts(t, rng));
        Path file = dir.resolve("all.safetensors");
        Safetensors.save(file, in, Map.of("k", "v"));

        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(in.keySet(), f.names());
            for (var e : in.entrySet()) {
                Tensor got = f.tensor(e.getKey());
                assertTrue(got.isContiguous(), e.getKey());
                assertSameTensor(e.getKey(), e.getValue(), got);
                TensorInfo info = f.info(e.getKey());
                assertEquals(e.getValue().numel() * e.getValue().dtype().byteSize(), info.byteSize(), e.getKey());
            }
        }
        Map<String, Tensor> loaded;
        try (Scope s = Scope.open()) {
            loaded = Safetensors.load(file); // copies: usable after the file is closed
            for (var e : in.entrySet()) assertSameTensor(e.getKey(), e.getValue(), loaded.get(e.getKey()));
            assertEquals(DType.F32, loaded.get("f32.scalar").dtype());
            assertEquals(0, loaded.get("f32.scalar").dim());
            assertEquals(in.get("f32.scalar").item(), loaded.get("f32.scalar").item());
        }
    }

    @Test
    void metadataRoundTripsIncludingEscapesAndUnicode() throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("quote\"back\\slash", "line\nbreak\ttab\u0001ctl/slash");
        meta.put("ünïcödé 日本", "emoji \uD83D\uDE00");
        meta.put("", "empty key");
        Map<String, Tensor> tensors = Map.of("weird \"name\"\n\u00e9", Tensor.of(new float[] {1, 2}, 2));
        Path file = dir.resolve("meta.safetensors");
        Safetensors.save(file, tensors, meta);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(meta, f.metadata());
            assertEquals(tensors.keySet(), f.names());
            assertArrayEquals(new float[] {1, 2}, f.tensor("weird \"name\"\n\u00e9").toFloatArray());
        }
        Safetensors.save(file, tensors, null);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(Map.of(), f.metadata());
            assertFalse(headerText(file).contains("__metadata__"));
        }
        Safetensors.save(file, tensors, Map.of());
        assertTrue(headerText(file).startsWith("{\"__metadata__\":{},"));
    }

    /** Byte vectors from the reference implementation's own serialization tests (tensor.rs). */
    @Test
    void bytesMatchReferenceImplementationTestVectors() throws IOException {
        Path file = dir.resolve("ref.safetensors");
        Safetensors.save(file, Map.of("attn.0", Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 1, 2, 3)), null);
        ByteBuffer expected = ByteBuffer.allocate(8 + 64 + 24).order(ByteOrder.LITTLE_ENDIAN);
        expected.putLong(64).put("{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < 6; i++) expected.putFloat(i);
        assertArrayEquals(expected.array(), Files.readAllBytes(file));

        // Shorter name: header padded with spaces to 72 bytes so the F32 data is aligned.
        Safetensors.save(file, Map.of("attn0", Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 1, 1, 2, 3)), null);
        expected = ByteBuffer.allocate(8 + 72 + 24).order(ByteOrder.LITTLE_ENDIAN);
        expected.putLong(72).put("{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}       "
                .getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < 6; i++) expected.putFloat(i);
        assertArrayEquals(expected.array(), Files.readAllBytes(file));

        Safetensors.save(file, Map.of(), null);
        assertArrayEquals(new byte[] {8, 0, 0, 0, 0, 0, 0, 0, '{', '}', ' ', ' ', ' ', ' ', ' ', ' '}, Files.readAllBytes(file));
        Safetensors.save(file, Map.of(), Map.of("framework", "pt"));
        byte[] bytes = Files.readAllBytes(file);
        assertEquals(40, bytes[0]);
        assertEquals("{\"__metadata__\":{\"framework\":\"pt\"}}     ", new String(bytes, 8, 40, StandardCharsets.UTF_8));
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertTrue(f.names().isEmpty());
            assertEquals(Map.of("framework", "pt"), f.metadata());
        }
    }

    @Test
    void layoutIsSortedByAlignmentThenNameAndAligned() throws IOException {
        var rng = new SplittableRandom(3);
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("z.bool", random(DType.BOOL, rng, 3));
        in.put("b.f16", random(DType.F16, rng, 3));
        in.put("a.f16", random(DType.F16, rng, 1));
        in.put("u8", random(DType.U8, rng, 5));
        in.put("f64", random(DType.F64, rng, 2));
        in.put("bf16", random(DType.BF16, rng, 3));
        in.put("i64", random(DType.I64, rng, 1));
        in.put("i32", random(DType.I32, rng, 3));
        in.put("f32", random(DType.F32, rng, 3));
        Path file = dir.resolve("order.safetensors");
        Safetensors.save(file, in, null);
        long n = ByteBuffer.wrap(Files.readAllBytes(file), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8, "header length is a multiple of 8");
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(List.of("i64", "f64", "f32", "i32", "bf16", "a.f16", "b.f16", "u8", "z.bool"), new ArrayList<>(f.names()));
            for (TensorInfo info : f.infos()) {
                assertEquals(0, info.begin() % info.dtype().byteSize(), info.toString());
                assertEquals(0, f.bytes(info.name()).address() % info.dtype().byteSize(), "mapped address aligned: " + info);
            }
        }
    }

    @Test
    void mappedTensorsAreZeroCopyAndDieWithTheFile() throws IOException {
        Path file = dir.resolve("map.safetensors");
        Safetensors.save(file, Map.of("w", Tensor.of(new float[] {1, 2, 3, 4}, 2, 2)), Map.of());
        long nativeBefore = NativeMemory.liveBytes();
        Tensor w;
        SafetensorsFile f = SafetensorsFile.open(file);
        try (f) {
            w = f.tensor("w");
            assertTrue(w.segment().isMapped(), "backed by the file mapping");
            assertTrue(w.segment().isReadOnly());
            assertEquals(3f, w.getFloat(1, 0));
            var readOnly = assertThrows(IllegalArgumentException.class, () -> w.setDouble(9, 1, 0), "mapping is read-only");
            assertMessageContains(readOnly, "read-only");
            assertEquals(Map.of("w", w.numel()), Map.of("w", f.tensors().get("w").numel()));
            assertEquals(nativeBefore, NativeMemory.liveBytes(), "no copy");
            NoSuchElementException missing = assertThrows(NoSuchElementException.class, () -> f.tensor("nope"));
            assertMessageContains(missing, file.toString(), "'nope'", "w");
        }
        assertThrows(IllegalStateException.class, () -> w.getFloat(0, 0));
        assertThrows(IllegalStateException.class, () -> f.tensor("w"));
        f.close(); // idempotent
    }

    @Test
    void saveReplacesAnExistingFileAtomicallyWithNoTempLeft() throws IOException {
        Path file = dir.resolve("model.safetensors");
        Files.writeString(file, "old content");
        Safetensors.save(file, Map.of("a", Tensor.of(new float[] {5}, 1)), null);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(5f, f.tensor("a").getFloat(0));
        }
        assertEquals(List.of(file), listDir());
    }

    @Test
    void failedSaveLeavesTargetUntouchedAndNoTempFile() throws IOException {
        Path file = dir.resolve("model.safetensors");
        byte[] old = "previous checkpoint".getBytes(StandardCharsets.UTF_8);
        Files.write(file, old);
        Tensor freed;
        try (Scope s = Scope.open()) {
            freed = Tensor.of(new float[] {1, 2, 3}, 3);
        }
        Map<String, Tensor> in = new LinkedHashMap<>();
        // "a" sorts before "b" (same dtype): 4 MB of "a" reach the temp file before "b" fails.
        in.put("b", freed);
        in.put("a", Tensor.zeros(1024, 1024));
        SafetensorsException ex = assertThrows(SafetensorsException.class, () -> Safetensors.save(file, in, Map.of("x", "y")));
        assertMessageContains(ex, file.toString(), "'b'", "scope closed");
        assertEquals("b", ex.key());
        assertArrayEquals(old, Files.readAllBytes(file));
        assertEquals(List.of(file), listDir());

        Path fresh = dir.resolve("fresh.safetensors");
        assertThrows(SafetensorsException.class, () -> Safetensors.save(fresh, in, null));
        assertFalse(Files.exists(fresh));
        assertEquals(List.of(file), listDir());
    }

    @Test
    void saveRejectsReservedAndInvalidNames() {
        Path file = dir.resolve("bad.safetensors");
        var ex = assertThrows(SafetensorsException.class,
                () -> Safetensors.save(file, Map.of("__metadata__", Tensor.zeros(1)), null));
        assertMessageContains(ex, "reserved");
        ex = assertThrows(SafetensorsException.class, () -> Safetensors.save(file, Map.of("lone\uD800", Tensor.zeros(1)), null));
        assertMessageContains(ex, "surrogate");
        assertFalse(Files.exists(file));
    }

    private List<Path> listDir() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    static String headerText(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        int n = (int) ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return new String(b, 8, n, StandardCharsets.UTF_8);
    }

}
