package org.vfmtok.tensor.io;

import static org.junit.jupiter.api.Assertions.*;
import static org.vfmtok.tensor.io.IoTestSupport.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.vfmtok.tensor.Tensor;

/**
 * Every way a crafted file can lie about its contents must end in a {@link SafetensorsException}
 * naming the file (and the key where there is one), without allocating from the declared size.
 */
class SafetensorsHostileFileTest {
    /**
     * Bound on what opening a tiny file may allocate on the heap (exception, JSON tree, first-use class
     * loading), far below the smallest declared size tested (the 99,999,999-byte header).
     */
    private static final long CHEAP = 32 << 20;

    @TempDir
    Path dir;

    private int counter;

    /** A file with an arbitrary declared header length, header bytes and data section. */
    private Path craft(long declaredLength, byte[] header, int dataBytes) throws IOException {
        Path p = dir.resolve("hostile" + (counter++) + ".safetensors");
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredLength).put(header);
        Files.write(p, b.array());
        return p;
    }

    private Path craft(String json, int dataBytes) throws IOException {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        return craft(h.length, h, dataBytes);
    }

    private SafetensorsException rejects(Path file, String... fragments) {
        SafetensorsException ex = assertFailsCheaply(SafetensorsException.class, CHEAP, () -> SafetensorsFile.open(file).close());
        assertMessageContains(ex, file.toString());
        assertMessageContains(ex, fragments);
        assertEquals(file, ex.file());
        // load goes through the same validation
        assertThrows(SafetensorsException.class, () -> Safetensors.load(file));
        return ex;
    }

    @Test
    void fileShorterThanTheLengthField() throws IOException {
        Path p = dir.resolve("tiny.safetensors");
        Files.write(p, new byte[] {1, 2, 3});
        rejects(p, "3 bytes", "too short");
        Files.write(p, new byte[0]);
        rejects(p, "0 bytes");
    }

    @Test
    void headerLengthLargerThanTheFile() throws IOException {
        rejects(craft(1000, "{}".getBytes(StandardCharsets.UTF_8), 0), "header length 1000", "larger than the rest of the file (2 bytes)");
        // just under the 100 MB cap: must still not allocate it
        rejects(craft(99_999_999, "{}".getBytes(StandardCharsets.UTF_8), 0), "99999999", "truncated");
    }

    @Test
    void absurdHeaderLength() throws IOException {
        rejects(craft(200_000_000, "{}".getBytes(StandardCharsets.UTF_8), 0), "200000000", "exceeds the 100000000-byte limit");
        rejects(craft(-1L, "{}".getBytes(StandardCharsets.UTF_8), 0), "18446744073709551615", "exceeds");
        rejects(craft(Long.MIN_VALUE, "{}".getBytes(StandardCharsets.UTF_8), 0), "9223372036854775808");
        rejects(craft(0, new byte[0], 0), "too small");
    }

    @Test
    void hugeDeclaredTensorInATinyFile() throws IOException {
        // 40 GB declared, 16 bytes present: must fail on the range check, not try to map or copy 40 GB.
        SafetensorsException ex = rejects(craft("{\"big\":{\"dtype\":\"F32\",\"shape\":[100000,100000],\"data_offsets\":[0,40000000000]}}", 16),
                "'big'", "extend past the end of the data section (16 bytes)");
        assertEquals("big", ex.key());
    }

    @Test
    void shapeProductOverflow() throws IOException {
        int max = Integer.MAX_VALUE;
        rejects(craft("{\"w\":{\"dtype\":\"F32\",\"shape\":[" + max + "," + max + "," + max + "],\"data_offsets\":[0,0]}}", 0),
                "'w'", "more elements than fit in 64 bits");
        // numel fits in a long, numel * 8 bytes does not
        rejects(craft("{\"w\":{\"dtype\":\"F64\",\"shape\":[" + max + "," + max + ",2],\"data_offsets\":[0,0]}}", 0),
                "'w'", "more bytes than fit in 64 bits");
        rejects(craft("{\"w\":{\"dtype\":\"U8\",\"shape\":[3000000000],\"data_offsets\":[0,3000000000]}}", 0),
                "'w'", "3000000000", "supported maximum");
        rejects(craft("{\"w\":{\"dtype\":\"U8\",\"shape\":[123456789012345678901234567890],\"data_offsets\":[0,1]}}", 1),
                "'w'", "outside the 64-bit range");
        // a zero dim makes the product 0 whatever the others are: legal and empty
        Path ok = craft("{\"w\":{\"dtype\":\"F32\",\"shape\":[" + max + "," + max + "," + max + ",0],\"data_offsets\":[0,0]}}", 0);
        try (SafetensorsFile f = SafetensorsFile.open(ok)) {
            assertEquals(0, f.tensor("w").numel());
        }
    }

    @Test
    void outOfRangeOffsets() throws IOException {
        rejects(craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[16],\"data_offsets\":[0,64]}}", 32), "'a'", "[0, 64]", "extend past");
        rejects(craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,8]}}", 16), "'a'", "end before they begin");
        rejects(craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}", 8), "'a'", "negative value -8");
        rejects(craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,12]}}", 12), "'a'", "span 12 bytes", "F32[4] needs 16");
    }

    @Test
    void overlappingOffsets() throws IOException {
        SafetensorsException ex = rejects(craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}", 24), "'b'", "overlap tensor 'a'");
        assertEquals("b", ex.key());
        // two tensors sharing the same bytes (an aliasing trick) are overlap too
        rejects(craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"I32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 16), "overlap");
    }

    @Test
    void gapsAndTrailingBytesAreRejectedLikeTheReferenceReader() throws IOException {
        rejects(craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[20,36]}}", 36), "'b'", "gap of 4 unused bytes");
        rejects(craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 20), "4 unaccounted trailing bytes");
    }

    @Test
    void truncatedFile() throws IOException {
        Path p = dir.resolve("t.safetensors");
        Safetensors.save(p, Map.of("w", Tensor.zeros(8, 8), "b", Tensor.zeros(8)), null);
        long size = Files.size(p);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.truncate(size - 1);
        }
        rejects(p, "'w'", "extend past the end", "truncated"); // "w" sorts last
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.truncate(40); // inside the header
        }
        rejects(p, "larger than the rest of the file (32 bytes)");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"a\":",
        "{\"a\" 1}",
        "{\"a\":{\"dtype\":\"F32\",}}",
        "{}  trailing",
        "{\"a\":tru}",
        "{'a':{}}",
        "{\"a\":01}",
        "{\"a\":1.}",
        "{\"a\":\"\\x\"}",
        "{\"a\":\"unterminated}",
        "{\"a\":\"tab\there\"}",
        "{\"a\":{\"dtype\":\"F32\"},}",
        "\u0000{}",
    })
    void malformedJson(String json) throws IOException {
        rejects(craft(json, 0), "malformed JSON header", "at character");
    }

    @Test
    void malformedJsonStructureAndEncoding() throws IOException {
        rejects(craft("[1,2]", 0), "not a JSON object");
        rejects(craft("{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}", 0), "nesting deeper than 64");
        rejects(craft("{\"a\":1," + "1".repeat(1000) + "}", 0), "malformed JSON");
        rejects(craft("{\"a\":" + "9".repeat(1000) + "}", 0), "number longer than");
        byte[] badUtf8 = {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'};
        rejects(craft(badUtf8.length, badUtf8, 0), "not valid UTF-8");
        rejects(craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],"
                + "\"data_offsets\":[4,8]}}", 8), "duplicate key \"a\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"I8", "F8_E4M3", "U64", "Q4_0", "f32", ""})
    void unknownDtype(String dtype) throws IOException {
        SafetensorsException ex = rejects(craft("{\"x\":{\"dtype\":\"" + dtype + "\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1),
                "'x'", "unsupported dtype \"" + dtype + "\"", "supported: F32");
        assertEquals("x", ex.key());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[-1,4],\"data_offsets\":[0,0]}}|negative value -1",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,10]}}|must contain non-negative integers, found 2.5",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,8]}}|found \"2\"",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":2,\"data_offsets\":[0,8]}}|shape must be an array",
        "{\"x\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}|missing field \"shape\"",
        "{\"x\":{\"shape\":[1],\"data_offsets\":[0,4]}}|missing field \"dtype\"",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[1]}}|missing field \"data_offsets\"",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}|must be an array [begin, end]",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":null}}|found null",
        "{\"x\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}}|dtype must be a string",
        "{\"x\":[1,2]}|entry must be an object",
    })
    void invalidTensorEntries(String json, String fragment) throws IOException {
        SafetensorsException ex = rejects(craft(json, 4), "'x'", fragment);
        assertEquals("x", ex.key());
    }

    @Test
    void invalidMetadata() throws IOException {
        rejects(craft("{\"__metadata__\":{\"k\":1}}", 0), "\"__metadata__\" entry \"k\" must be a string, found a number");
        rejects(craft("{\"__metadata__\":[\"k\"]}", 0), "must be an object of strings");
    }

    @Test
    void controlCharactersInKeysAreEscapedInMessages() throws IOException {
        SafetensorsException ex = rejects(craft("{\"a\\nb\\u001b[31m\":{\"dtype\":\"X\",\"shape\":[],\"data_offsets\":[0,0]}}", 0),
                "'a\\nb\\x1b[31m'"); // TerminalText's escapes, as in every CLI message
        assertFalse(ex.getMessage().contains("\n"));
        assertFalse(ex.getMessage().contains("\u001b"));
    }
}
