package org.vfmtok.tensor.io;

import static org.junit.jupiter.api.Assertions.*;
import static org.vfmtok.tensor.io.IoTestSupport.*;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;

/**
 * A file written by Python (tools/fixtures/make_safetensors_fixture.py, BF16 values converted by
 * torch): every value is checked against the script's formulas, and re-saving it from Java must give
 * back the same bytes, i.e. our writer lays files out as the reference writer does.
 */
class SafetensorsFixtureTest {
    private static final Path FIXTURE = resource("/fixtures/safetensors/reference.safetensors");

    @TempDir
    Path dir;

    /** The fixture script's pattern: (i*7 mod 13 - 6) / 4. */
    static double pattern(int i) { return ((i * 7) % 13 - 6) / 4.0; }

    @Test
    void readsEveryTensorWrittenByPython() throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(FIXTURE)) {
            assertEquals(Map.of("format", "pt", "producer", "make_safetensors_fixture.py"), f.metadata());
            assertEquals(List.of("i64.big", "f64.cube", "empty", "f32.matrix", "scalar", "i32.ids", "bf16.weight", "f16.vector",
                    "u8.bytes", "bool.mask"), new ArrayList<>(f.names()));

            Tensor f32 = f.tensor("f32.matrix");
            assertEquals(DType.F32, f32.dtype());
            assertArrayEquals(new int[] {3, 4}, f32.shape());
            for (int i = 0; i < 12; i++) assertEquals(pattern(i), f32.getDouble(i / 4, i % 4), "f32 " + i);

            Tensor f64 = f.tensor("f64.cube");
            assertArrayEquals(new int[] {2, 3, 4}, f64.shape());
            for (int i = 0; i < 24; i++) assertEquals(pattern(i), f64.getDouble(i / 12, i / 4 % 3, i % 4), "f64 " + i);

            Tensor f16 = f.tensor("f16.vector");
            assertEquals(DType.F16, f16.dtype());
            for (int i = 0; i < 5; i++) assertEquals(pattern(i), f16.getDouble(i), "f16 " + i);

            Tensor bf16 = f.tensor("bf16.weight");
            assertEquals(DType.BF16, bf16.dtype());
            assertArrayEquals(new int[] {2, 5}, bf16.shape());
            // torch's float32 -> bfloat16 rounding; 0.1f = 0x3DCCCCCD rounds up to 0x3DCD
            assertEquals((short) 0x3DCD, f.bytes("bf16.weight").get(ValueLayout.JAVA_SHORT_UNALIGNED, 0));
            for (int i = 0; i < 10; i++) {
                float expected = DType.bf16ToFloat(DType.floatToBf16((float) (0.1 * (i + 1))));
                assertEquals(expected, bf16.getFloat(i / 5, i % 5), "bf16 " + i);
            }

            assertArrayEquals(new int[] {-2500, -1500, -500, 500, 1500, 2500}, f.tensor("i32.ids").toIntArray());
            Tensor i64 = f.tensor("i64.big");
            assertArrayEquals(new int[] {2, 2}, i64.shape());
            assertArrayEquals(new long[] {-(1L << 40), (1L << 40) + 1, 7, -1}, i64.toLongArray());
            Tensor u8 = f.tensor("u8.bytes");
            for (int i = 0; i < 7; i++) assertEquals((i * 37) % 256, u8.getDouble(i), "u8 " + i);
            Tensor mask = f.tensor("bool.mask");
            assertEquals(DType.BOOL, mask.dtype());
            assertEquals(1.0, mask.getDouble(0));
            assertEquals(0.0, mask.getDouble(1));
            assertEquals(1.0, mask.getDouble(2));

            Tensor scalar = f.tensor("scalar");
            assertEquals(0, scalar.dim());
            assertEquals(3.5, scalar.item());
            Tensor empty = f.tensor("empty");
            assertArrayEquals(new int[] {0, 3}, empty.shape());
            assertEquals(0, empty.numel());
        }
    }

    @Test
    void resavingFromJavaReproducesThePythonFileByteForByte() throws IOException {
        Path copy = dir.resolve("copy.safetensors");
        try (Scope s = Scope.open()) {
            Map<String, Tensor> loaded = Safetensors.load(FIXTURE);
            Safetensors.save(copy, loaded, Map.of("producer", "make_safetensors_fixture.py", "format", "pt"));
        }
        assertArrayEquals(Files.readAllBytes(FIXTURE), Files.readAllBytes(copy));
        // and straight from the mapping (zero-copy tensors as input)
        try (SafetensorsFile f = SafetensorsFile.open(FIXTURE)) {
            Safetensors.save(copy, f.tensors(), f.metadata());
        }
        assertArrayEquals(Files.readAllBytes(FIXTURE), Files.readAllBytes(copy));
    }
}
