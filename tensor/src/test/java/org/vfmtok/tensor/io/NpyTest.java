package org.vfmtok.tensor.io;

import static org.junit.jupiter.api.Assertions.*;
import static org.vfmtok.tensor.io.IoTestSupport.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;

/** .npy files: fixtures written by numpy.save (tools/fixtures/make_npy_fixture.py), round trips, rejections. */
class NpyTest {
    @TempDir
    Path dir;

    private static Path fixture(String name) { return resource("/fixtures/npy/" + name + ".npy"); }

    private static double pattern(int i) { return SafetensorsFixtureTest.pattern(i); }

    @Test
    void readsArraysWrittenByNumpy() throws IOException {
        try (Scope s = Scope.open()) {
            Tensor f4 = Npy.read(fixture("f4_2x3"));
            assertEquals(DType.F32, f4.dtype());
            assertArrayEquals(new int[] {2, 3}, f4.shape());
            for (int i = 0; i < 6; i++) assertEquals(pattern(i), f4.getDouble(i / 3, i % 3));
            Tensor v2 = Npy.read(fixture("f4_v2_2x3"));
            assertSameTensor("v2", f4, v2);

            Tensor f8 = Npy.read(fixture("f8_4"));
            assertEquals(DType.F64, f8.dtype());
            for (int i = 0; i < 4; i++) assertEquals(pattern(i), f8.getDouble(i));
            Tensor f2 = Npy.read(fixture("f2_5"));
            assertEquals(DType.F16, f2.dtype());
            for (int i = 0; i < 5; i++) assertEquals(pattern(i), f2.getDouble(i));

            Tensor i4 = Npy.read(fixture("i4_2x2"));
            assertEquals(DType.I32, i4.dtype());
            assertArrayEquals(new int[] {-3, 70000, Integer.MAX_VALUE, Integer.MIN_VALUE}, i4.toIntArray());
            Tensor i8 = Npy.read(fixture("i8_3"));
            assertArrayEquals(new long[] {-(1L << 40), 5, 1L << 62}, i8.toLongArray());
            Tensor u1 = Npy.read(fixture("u1_4"));
            assertEquals(DType.U8, u1.dtype());
            assertArrayEquals(new double[] {0, 1, 128, 255}, u1.toDoubleArray());
            Tensor b1 = Npy.read(fixture("b1_3"));
            assertEquals(DType.BOOL, b1.dtype());
            assertArrayEquals(new double[] {1, 0, 1}, b1.toDoubleArray());

            Tensor scalar = Npy.read(fixture("f4_scalar"));
            assertEquals(0, scalar.dim());
            assertEquals(2.5, scalar.item());
            Tensor empty = Npy.read(fixture("f4_empty_0x3"));
            assertArrayEquals(new int[] {0, 3}, empty.shape());
            assertArrayEquals(new int[] {1, 2, 1, 2}, Npy.read(fixture("f4_1x2x1x2")).shape());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"f4_2x3", "f8_4", "f2_5", "i4_2x2", "i8_3", "u1_4", "b1_3", "f4_scalar", "f4_empty_0x3", "f4_1x2x1x2"})
    void writesTheSameBytesAsNumpySave(String name) throws IOException {
        Path out = dir.resolve(name + ".npy");
        try (Scope s = Scope.open()) {
            Npy.write(out, Npy.read(fixture(name)));
        }
        assertArrayEquals(Files.readAllBytes(fixture(name)), Files.readAllBytes(out), name);
    }

    @Test
    void everyDtypeAndLayoutRoundTrips() throws IOException {
        var rng = new SplittableRandom(11);
        try (Scope s = Scope.open()) {
            for (DType t : DType.values()) {
                if (t == DType.BF16) continue;
                for (var e : layouts(t, rng).entrySet()) {
                    Path p = dir.resolve(e.getKey() + ".npy");
                    Npy.write(p, e.getValue());
                    long size = Files.size(p);
                    assertEquals(e.getValue().numel() * t.byteSize(), size - headerEnd(p), e.getKey() + ": data size");
                    assertEquals(0, headerEnd(p) % 64, e.getKey() + ": data 64-byte aligned");
                    assertSameTensor(e.getKey(), e.getValue(), Npy.read(p));
                }
            }
        }
    }

    @Test
    void largeHeaderSwitchesToVersion2() throws IOException {
        // numpy moves to format 2.0 when the header exceeds 65535 bytes; a rank-25000 shape (75 000 header characters) forces it.
        int[] shape = new int[25000];
        Arrays.fill(shape, 1);
        Path p = dir.resolve("v2.npy");
        try (Scope s = Scope.open()) {
            Tensor t = Tensor.of(new float[] {4.5f}).view(shape);
            Npy.write(p, t);
            byte[] b = Files.readAllBytes(p);
            assertEquals(2, b[6], "major version");
            Tensor back = Npy.read(p);
            assertArrayEquals(shape, back.shape());
            assertEquals(4.5, back.item());
        }
    }

    @Test
    void rejectsFortranOrderAndBigEndian() {
        NpyException ex = assertThrows(NpyException.class, () -> Npy.read(fixture("f4_fortran_2x3")));
        assertMessageContains(ex, "f4_fortran_2x3.npy", "Fortran-order", "np.ascontiguousarray");
        ex = assertThrows(NpyException.class, () -> Npy.read(fixture("f4_bigendian_3")));
        assertMessageContains(ex, "f4_bigendian_3.npy", "big-endian dtype '>f4'", "astype('<f4')");
    }

    @Test
    void rejectsBf16OnWrite() {
        Path p = dir.resolve("bf.npy");
        NpyException ex = assertThrows(NpyException.class, () -> Npy.write(p, Tensor.zeros(DType.BF16, 2)));
        assertMessageContains(ex, "bf.npy", "BF16", "to(DType.F32)");
        assertFalse(Files.exists(p));
    }

    /** A v1 file with an arbitrary header text and data section. */
    private Path craft(String name, String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(10 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) h.length).put(h);
        Path p = dir.resolve(name + ".npy");
        Files.write(p, b.array());
        return p;
    }

    private void rejects(Path p, String... fragments) {
        NpyException ex = assertFailsCheaply(NpyException.class, 32 << 20, () -> Npy.read(p));
        assertMessageContains(ex, p.toString());
        assertMessageContains(ex, fragments);
    }

    @Test
    void rejectsHostileOrUnsupportedFiles() throws IOException {
        String ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n";
        assertArrayEquals(new float[] {0, 0}, Npy.read(craft("ok", ok, 8)).toFloatArray()); // the crafting is sound
        rejects(craft("truncated", ok, 7), "needs 8 bytes", "has 7", "truncated");
        rejects(craft("trailing", ok, 9), "1 unexpected trailing bytes");
        rejects(craft("huge", "{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000, 100000), }", 8),
                "needs 4000000000000000 bytes", "has 8");
        rejects(craft("overflow", "{'descr': '<f8', 'fortran_order': False, 'shape': (2147483647, 2147483647, 2147483647), }", 0),
                "more bytes than fit in 64 bits");
        rejects(craft("negative", "{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 2), }", 0), "shape entry 0 is -1");
        rejects(craft("i2", "{'descr': '<i2', 'fortran_order': False, 'shape': (2,), }", 4), "unsupported dtype '<i2'");
        rejects(craft("object", "{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", 16), "unsupported dtype '|O'");
        rejects(craft("structured", "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", 8), "structured");
        rejects(craft("native", "{'descr': '=f4', 'fortran_order': False, 'shape': (2,), }", 8), "byte order '='");
        rejects(craft("keys", "{'descr': '<f4', 'shape': (2,), }", 8), "header keys");
        rejects(craft("syntax", "{'descr': '<f4', 'fortran_order': False, 'shape': (2 3), }", 8), "malformed header");
        rejects(craft("code", "{'descr': __import__('os'), 'fortran_order': False, 'shape': (2,), }", 8), "malformed header");
        rejects(craft("deep", "{'descr': '<f4', 'fortran_order': False, 'shape': " + "(".repeat(1000) + "), }", 8), "malformed header");

        Path magic = dir.resolve("magic.npy");
        Files.write(magic, "PK\u0003\u0004 not numpy at all".getBytes(StandardCharsets.ISO_8859_1));
        rejects(magic, "bad magic");
        Path shortFile = dir.resolve("short.npy");
        Files.write(shortFile, new byte[] {(byte) 0x93, 'N', 'U'});
        rejects(shortFile, "too short");
        // declared v2 header length of 4 GB in a 12-byte file
        Path hugeHeader = dir.resolve("hugeheader.npy");
        Files.write(hugeHeader, new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, -1, -1, -1, -1});
        rejects(hugeHeader, "header length 4294967295 exceeds");
        Path pastEnd = dir.resolve("pastend.npy");
        Files.write(pastEnd, new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, -1, -1, '{'});
        rejects(pastEnd, "65535", "runs past the end");
        Path version = dir.resolve("v9.npy");
        Files.write(version, new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 9, 0, 0, 0});
        rejects(version, "version 9.0");
    }

    @Test
    void failedWriteLeavesTargetUntouched() throws IOException {
        Path p = dir.resolve("x.npy");
        Files.writeString(p, "old");
        Tensor freed;
        try (Scope s = Scope.open()) {
            freed = Tensor.zeros(3);
        }
        NpyException ex = assertThrows(NpyException.class, () -> Npy.write(p, freed));
        assertMessageContains(ex, "x.npy", "scope closed");
        assertEquals("old", Files.readString(p));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(p), files.toList());
        }
    }

    private static long headerEnd(Path p) throws IOException {
        byte[] b = Files.readAllBytes(p);
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        return b[6] == 1 ? 10 + (bb.getShort(8) & 0xFFFF) : 12 + (bb.getInt(8) & 0xFFFFFFFFL);
    }
}
