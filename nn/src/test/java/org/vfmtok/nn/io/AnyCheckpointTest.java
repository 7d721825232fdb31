package org.vfmtok.nn.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.io.Npy;
import org.vfmtok.tensor.io.Safetensors;

/** One reader for every supported format, chosen by content rather than by file name. */
class AnyCheckpointTest {
    @Test
    void readsEveryFormatByContent(@TempDir Path dir) throws Exception {
        try (Scope s = Scope.open()) {
            Path st = dir.resolve("weights.bin"); // misleading extension on purpose
            Safetensors.save(st, Map.of("a.b", Tensor.of(new float[] {1, 2, 3}, 3)), Map.of("step", "7"));
            try (AnyCheckpoint c = AnyCheckpoint.open(st)) {
                assertEquals(AnyCheckpoint.Kind.SAFETENSORS, c.kind());
                assertArrayEquals(new float[] {1, 2, 3}, c.tensors("a").get("b").toFloatArray());
                assertEquals("7", c.entries().get("__metadata__.step"));
            }
            // a header length with the low byte 0x80 (like a pickle PROTO opcode) is still safetensors
            Path st80 = dir.resolve("w80.safetensors");
            for (int len = 1; len < 400; len++) {
                Safetensors.save(st80, Map.of("k", Tensor.zeros(len)), Map.of("pad", "x".repeat(len)));
                byte[] head = Files.readAllBytes(st80);
                if ((head[0] & 0xFF) >= 0x80) break;
            }
            assertTrue((Files.readAllBytes(st80)[0] & 0xFF) >= 0x80, "found a header length with the high bit set");
            try (AnyCheckpoint c = AnyCheckpoint.open(st80)) {
                assertEquals(AnyCheckpoint.Kind.SAFETENSORS, c.kind());
            }
            Path npy = dir.resolve("codes.npy");
            Npy.write(npy, Tensor.ofLongs(new long[] {4, 5}, 2));
            try (AnyCheckpoint c = AnyCheckpoint.open(npy)) {
                assertEquals(AnyCheckpoint.Kind.NPY, c.kind());
                assertArrayEquals(new long[] {4, 5}, ((Tensor) c.entries().get("codes")).toLongArray());
            }
            Path pt = Path.of(getClass().getResource("/fixtures/torch/nested.pt").toURI());
            try (AnyCheckpoint c = AnyCheckpoint.open(pt)) {
                assertEquals(AnyCheckpoint.Kind.TORCH, c.kind());
                assertTrue(c.tensors("model").containsKey("decoder.conv_in.weight"));
            }
        }
    }

    @Test
    void unknownContentIsAClearError(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("notes.txt");
        Files.writeString(f, "hello, not a checkpoint");
        IOException e = assertThrows(IOException.class, () -> AnyCheckpoint.open(f));
        assertTrue(e.getMessage().contains("notes.txt") && e.getMessage().contains("not a safetensors"), e.getMessage());
        assertThrows(IOException.class, () -> AnyCheckpoint.open(dir.resolve("missing.pt")));
    }
}
