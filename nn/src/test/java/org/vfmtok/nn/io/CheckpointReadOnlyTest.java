package org.vfmtok.nn.io;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfmtok.tensor.Tensor;

/** Loading a checkpoint opens it read-only: a read-only file loads, and no file changes (watchers see nothing). */
class CheckpointReadOnlyTest {
    private static final FileTime OLD = FileTime.fromMillis(1_600_000_000_000L);

    private static void checkLoads(Path f) throws Exception {
        try (TorchCheckpoint c = TorchCheckpoint.open(f)) {
            Map<String, Tensor> t = c.tensors("model");
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, t.get("layer.weight").toFloatArray());
            // the tensors map the file read-only (a private writable mapping needs the file opened for writing)
            assertTrue(t.get("layer.weight").segment().isReadOnly(), "checkpoint tensors are read-only views of the file");
        }
        assertEquals(OLD, Files.getLastModifiedTime(f), "loading does not touch the file");
    }

    @Test
    void aWritableCheckpointIsOpenedReadOnly(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("ckpt.pt");
        TorchWriter.save(f, TorchWriterTest.sample());
        Files.setLastModifiedTime(f, OLD);
        checkLoads(f);
    }

    @Test
    void aReadOnlyCheckpointLoads(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("ckpt.pt");
        TorchWriter.save(f, TorchWriterTest.sample());
        Files.setLastModifiedTime(f, OLD);
        assertTrue(f.toFile().setWritable(false, false));
        try {
            checkLoads(f);
            try (AnyCheckpoint c = AnyCheckpoint.open(f)) {
                assertFalse(c.tensors("model").isEmpty());
            }
            assertEquals(OLD, Files.getLastModifiedTime(f));
        } finally {
            f.toFile().setWritable(true);
        }
    }
}
