package org.vfmtok.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfmtok.nn.io.TorchWriter;
import org.vfmtok.tensor.Tensor;

/**
 * {@code inspect}'s statistics cost at most the tensor's storage (a 750-byte file may hold a legal
 * stride-0 view of [2^31-1, 2^31-1]), and keys from files are escaped.
 */
class InspectCommandTest {
    @TempDir
    Path dir;

    /** A checkpoint of {@code key -> values}, whose pickle has {@code from} (hex) replaced by {@code to}: a hand-made view. */
    private Path viewCheckpoint(String key, float[] values, String from, String to) throws Exception {
        Path plain = dir.resolve("plain.pt");
        TorchWriter.save(plain, Map.of(key, Tensor.of(values, values.length)));
        Map<String, byte[]> records = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(plain))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) records.put(e.getName(), in.readAllBytes());
        }
        String pkl = HexFormat.of().formatHex(records.get("archive/data.pkl"));
        assertEquals(pkl.indexOf(from), pkl.lastIndexOf(from), "one shape/stride pair to replace");
        assertTrue(pkl.contains(from), from);
        records.put("archive/data.pkl", HexFormat.of().parseHex(pkl.replace(from, to)));
        Path out = dir.resolve("view.pt");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(out))) {
            for (var r : records.entrySet()) {
                zip.putNextEntry(new ZipEntry(r.getKey()));
                zip.write(r.getValue());
                zip.closeEntry();
            }
        }
        return out;
    }

    private static String inspect(Path file) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, Main.commandLine().execute("inspect", file.toString()));
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void strideZeroViewOfHugeShapeCostsItsStorageOnly() throws Exception {
        // shape (4,) stride (1,)  ->  shape (2^31-1, 2^31-1) stride (0, 0)
        Path file = viewCheckpoint("v", new float[] {3, 4, 0, 0}, "284b0474284b0174", "284affffff7f4affffff7f74284b004b0074");
        assertTrue(Files.size(file) < 2000);
        String out = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> inspect(file));
        assertEquals("v F32 [2147483647,2147483647] 3.00000 3.00000 (statistics over the 1 elements left once the stride-0 dimensions, "
                + "which repeat them, are dropped)\n", out);
    }

    @Test
    void overlappingViewIsSummarisedOverTheStorageItSpans() throws Exception {
        // shape (3,) stride (1,)  ->  shape (2, 2) stride (1, 1): elements 0,1,1,2 of a 3-element storage
        Path file = viewCheckpoint("v", new float[] {1, 2, 3}, "284b0374284b0174", "284b024b0274284b014b0174");
        assertEquals("v F32 [2,2] 6.00000 3.74166 (statistics over the 3 stored elements the overlapping view spans, not its 4 logical ones)\n",
                inspect(file));
    }

    @Test
    void keysAndStringsFromTheFileAreEscaped() throws Exception {
        String evil = "w\nvfm: \u001b[31mforged";
        assertEquals("w\\nvfm: \\x1b[31mforged F32 [2] 3.00000 2.23607", InspectCommand.line(evil, Tensor.of(new float[] {1, 2}, 2)));
        assertEquals("args.name = 'a\\rb\\x1b[0m'", InspectCommand.line("args.name", "a\rb\u001b[0m"));
        Path file = dir.resolve("evil.pt");
        TorchWriter.save(file, Map.of(evil, Tensor.of(new float[] {1, 2}, 2)));
        String out = inspect(file);
        assertEquals(1, out.lines().count(), out);
        assertFalse(out.contains("\u001b"), out);
    }
}
