package org.vfmtok.tensor.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A header of millions of zero-size tensors is legal JSON and tiles an empty data section, but parsing
 * it costs about 2 KB of heap per entry (a 99 MB header took 3.5 GB): the entries are counted on the raw
 * bytes and refused above {@link InputLimits#safetensorsEntries()} before anything is parsed.
 */
class SafetensorsEntryLimitTest {
    @TempDir
    Path dir;

    /** {@code n} empty F32 tensors; a key containing '{', ':' or '"' must not confuse the count. */
    private Path emptyTensors(int n) throws IOException {
        StringBuilder json = new StringBuilder("{\"__metadata__\":{\"a:b\":\"{x:y}\"}");
        for (int i = 0; i < n; i++) json.append(",\"t").append(i).append(":{\\\"\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
        json.append('}');
        byte[] h = json.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        return Files.write(dir.resolve("empty" + n + ".safetensors"), b.array());
    }

    @Test
    void headerWithTooManyEntriesIsRefusedBeforeParsing() throws Exception {
        Path file = emptyTensors(250_000);
        long before = IoTestSupport.threadAllocatedBytes();
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(file).close());
        long used = IoTestSupport.threadAllocatedBytes() - before;
        assertTrue(used < 3L * Files.size(file) + (16 << 20), "heap allocated while refusing: " + used + " for a " + Files.size(file) + "-byte file");
        assertEquals(file + ": header with 250001 entries exceeds the limit of 200000 entries (a hostile or corrupt file?); if the file is "
                + "genuine, raise it with -D" + InputLimits.SAFETENSORS_ENTRIES + "=N (./vfm: VFM_JAVA_OPTS=-D" + InputLimits.SAFETENSORS_ENTRIES
                + "=N)", e.getMessage());
    }

    @Test
    void entryLimitCountsExactlyAndCanBeRaised() throws Exception {
        Path file = emptyTensors(1000);
        byte[] bytes = Files.readAllBytes(file);
        assertEquals(1001, SafetensorsHeader.countEntries(java.util.Arrays.copyOfRange(bytes, 8, bytes.length)), "1000 tensors and __metadata__");
        String old = System.getProperty(InputLimits.SAFETENSORS_ENTRIES);
        try {
            System.setProperty(InputLimits.SAFETENSORS_ENTRIES, "1000");
            SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(file).close());
            assertTrue(e.getMessage().contains("header with 1001 entries exceeds the limit of 1000 entries"), e.getMessage());
            System.setProperty(InputLimits.SAFETENSORS_ENTRIES, "1001");
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                assertEquals(1000, f.names().size());
            }
            System.setProperty(InputLimits.SAFETENSORS_ENTRIES, "lots");
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> SafetensorsFile.open(file).close());
            assertEquals("-D" + InputLimits.SAFETENSORS_ENTRIES + "=lots is not a positive whole number", bad.getMessage());
        } finally {
            if (old == null) System.clearProperty(InputLimits.SAFETENSORS_ENTRIES);
            else System.setProperty(InputLimits.SAFETENSORS_ENTRIES, old);
        }
    }
}
