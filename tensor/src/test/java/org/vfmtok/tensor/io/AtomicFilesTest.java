package org.vfmtok.tensor.io;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfmtok.tensor.Tensor;

/** The project's one file writer: refuses what is not a regular file or a new path; a failed write leaves nothing behind. */
class AtomicFilesTest {
    static Path fifo(Path dir, String name) throws Exception {
        Path p = dir.resolve(name);
        Process mk;
        try {
            mk = new ProcessBuilder("mkfifo", p.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "no mkfifo here: " + e.getMessage());
            return null;
        }
        assertTrue(mk.waitFor(10, TimeUnit.SECONDS));
        assumeTrue(mk.exitValue() == 0, "mkfifo failed");
        return p;
    }

    @Test
    void writesNewAndReplacesRegularFiles(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("a.txt");
        AtomicFiles.writeString(f, "one");
        assertEquals("one", Files.readString(f));
        AtomicFiles.writeStream(f, out -> out.write("two".getBytes(StandardCharsets.UTF_8)));
        assertEquals("two", Files.readString(f));
        try (var s = Files.list(dir)) {
            assertEquals(List.of(f), s.toList(), "no temporary file left");
        }
    }

    @Test
    void refusesFifoDirectoryAndSymlink(@TempDir Path dir) throws Exception {
        Path pipe = fifo(dir, "pipe");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.writeString(pipe, "x"));
        assertTrue(e.getMessage().contains(pipe.toString()) && e.getMessage().contains("FIFO"), e.getMessage());
        assertTrue(Files.readAttributes(pipe, "unix:mode", LinkOption.NOFOLLOW_LINKS).get("mode") instanceof Integer m && (m & 0xF000) == 0x1000,
                "the FIFO is still a FIFO");
        // the tensor writers go through the same check
        assertThrows(IOException.class, () -> Npy.write(pipe, Tensor.of(new float[] {1}, 1)));
        assertThrows(IOException.class, () -> Safetensors.save(pipe, Map.of("x", Tensor.of(new float[] {1}, 1))));

        Path sub = Files.createDirectory(dir.resolve("sub"));
        Files.writeString(sub.resolve("inside"), "kept");
        e = assertThrows(IOException.class, () -> AtomicFiles.writeString(sub, "x"));
        assertTrue(e.getMessage().contains("is a folder"), e.getMessage());
        assertEquals("kept", Files.readString(sub.resolve("inside")));

        Path target = dir.resolve("target.txt");
        Files.writeString(target, "target");
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        e = assertThrows(IOException.class, () -> AtomicFiles.writeString(link, "x"));
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        assertTrue(Files.isSymbolicLink(link));
        assertEquals("target", Files.readString(target));

        try (var s = Files.list(dir)) {
            assertEquals(4, s.count(), "no temporary files: pipe, sub, target.txt, link");
        }
    }

    @Test
    void aFailedWriteLeavesTheOldFileAndNoTemporary(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("model.safetensors");
        Files.writeString(f, "old content");
        FileTime before = Files.getLastModifiedTime(f);
        // A full disk as the file system reports it: a plain IOException in the middle of the write.
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(f, ch -> {
            ch.write(java.nio.ByteBuffer.wrap(new byte[4096]));
            throw new IOException("No space left on device");
        }));
        assertTrue(e.getMessage().contains("No space left on device") && e.getMessage().contains(f.toString()), e.getMessage());
        assertEquals("old content", Files.readString(f));
        assertEquals(before, Files.getLastModifiedTime(f));
        e = assertThrows(IOException.class, () -> AtomicFiles.writeStream(dir.resolve("new.png"), out -> {
            out.write(new byte[100_000]);
            throw new IOException("No space left on device");
        }));
        try (var s = Files.list(dir)) {
            assertEquals(List.of(f), s.toList(), "neither a temporary nor a partial new file");
        }
    }

    /** /sys refuses new files even to root: the error names the file asked for, not the temporary one next to it. */
    @Test
    void anUnwritableFolderNamesTheTarget() {
        Path target = Path.of("/sys/vfmtok-unwritable-test.json");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(target.getParent()) && !Files.exists(target), "needs Linux's /sys");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.writeString(target, "{}"));
        assertTrue(e.getMessage().startsWith("cannot write " + target + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("permission denied") || e.getMessage().contains("Read-only"), e.getMessage());
        assertFalse(e.getMessage().contains(".tmp"), e.getMessage());
    }

    @Test
    void aMissingFolderIsNamed(@TempDir Path dir) {
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.writeString(dir.resolve("no/such/f.json"), "{}"));
        assertTrue(e.getMessage().contains("does not exist") && e.getMessage().contains("no" + java.io.File.separator + "such"), e.getMessage());
    }

    @Test
    void inputsThatAreNoFilesSayWhatTheyAre(@TempDir Path dir) throws Exception {
        IOException e = assertThrows(IOException.class, () -> FileKinds.requireRegularFile(dir.resolve("missing")));
        assertTrue(e.getMessage().endsWith(": no such file"), e.getMessage());
        e = assertThrows(IOException.class, () -> FileKinds.requireRegularFile(dir));
        assertTrue(e.getMessage().contains("is a folder") && !e.getMessage().contains("no such file"), e.getMessage());
        Path pipe = fifo(dir, "p");
        e = assertThrows(IOException.class, () -> FileKinds.requireRegularFile(pipe));
        assertTrue(e.getMessage().contains("FIFO") && !e.getMessage().contains("no such file"), e.getMessage());
        Path f = Files.writeString(dir.resolve("f"), "x");
        assertEquals(f, FileKinds.requireRegularFile(f));
    }
}
