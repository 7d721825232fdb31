package org.vfmtok.tensor.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The one way the project writes a file. Readers see either the old content or the complete new one: the
 * body writes a temporary file in the target's directory, which is flushed to disk and then renamed over
 * the target with an atomic move; the directory is synced so the rename itself survives a crash. On any
 * failure (a full disk included) the temporary file is deleted and the target is left untouched.
 *
 * <p>Only a new path or an existing regular file is replaced: a directory, a symbolic link (whose target
 * the caller may not have meant to replace), a FIFO, a device node or a socket is refused with an
 * {@link IOException} naming the path and what it is, before anything is written. (A rename over
 * {@code /dev/null} would otherwise replace the device node itself when run as root.)
 */
public final class AtomicFiles {
    /** Writes the new content to a channel positioned at 0 of an empty temporary file. */
    @FunctionalInterface
    public interface Body {
        void write(FileChannel out) throws IOException;
    }

    /** Writes the new content to a stream; the stream is flushed by the caller and must not be closed by the body. */
    @FunctionalInterface
    public interface StreamBody {
        void write(OutputStream out) throws IOException;
    }

    private AtomicFiles() {}

    /** Replaces (or creates) {@code target} with the UTF-8 bytes of {@code text}. */
    public static void writeString(Path target, String text) throws IOException {
        writeBytes(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Replaces (or creates) {@code target} with {@code bytes}. */
    public static void writeBytes(Path target, byte[] bytes) throws IOException {
        write(target, ch -> {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) ch.write(b);
        });
    }

    /** Replaces (or creates) {@code target} with what {@code body} writes to a buffered stream. */
    public static void writeStream(Path target, StreamBody body) throws IOException {
        write(target, ch -> {
            OutputStream raw = Channels.newOutputStream(ch);
            BufferedOutputStream out = new BufferedOutputStream(new OutputStream() {
                // The channel stream's close would close the channel before it is forced to disk.
                @Override public void write(int b) throws IOException { raw.write(b); }

                @Override public void write(byte[] b, int off, int len) throws IOException { raw.write(b, off, len); }
            }, 1 << 16);
            body.write(out);
            out.flush();
        });
    }

    /** Replaces (or creates) {@code target} with what {@code body} writes; see the class comment. */
    public static void write(Path target, Body body) throws IOException {
        Path abs = target.toAbsolutePath();
        checkReplaceable(abs);
        Path dir = abs.getParent();
        Path tmp;
        try {
            tmp = createTemp(dir, abs.getFileName().toString());
        } catch (IOException e) {
            // the error names the temporary file, which the user never asked for: name the target
            String why = e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
                    : e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            throw new IOException("cannot write " + abs + ": " + why + " (creating a temporary file in " + dir + ")", e);
        }
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                body.write(ch);
                ch.force(true);
            } catch (IOException e) {
                throw withPath(e, abs);
            }
            // Checked again just before the rename: the time between the two checks is the body's own.
            checkReplaceable(abs);
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot atomically replace " + abs + ": the file system does not support atomic rename", e);
            }
            moved = true;
            syncDirectory(dir);
        } finally {
            if (!moved) Files.deleteIfExists(tmp);
        }
    }

    /**
     * Refuses a path that exists and is not a regular file (not following a symbolic link), and a path whose
     * folder is missing or is no folder; says nothing for a new path or a regular file.
     */
    public static void checkReplaceable(Path target) throws IOException {
        Path abs = target.toAbsolutePath();
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(abs, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            Path dir = abs.getParent();
            if (dir != null && !Files.isDirectory(dir)) {
                throw new IOException("cannot write " + abs + ": " + (Files.exists(dir) ? dir + " is not a folder" : "the folder " + dir + " does not exist"));
            }
            return;
        }
        if (a.isRegularFile()) return;
        throw new IOException("refusing to write " + abs + ": it " + FileKinds.describe(abs) + ", not a regular file (give a new path or a regular file)");
    }

    /** An I/O error that names the file (a bare "No space left on device" does not say where). */
    private static IOException withPath(IOException e, Path target) {
        String m = e.getMessage();
        // Subclasses (NpyException, FileSystemException...) already say which file; a plain one may not.
        if (e.getClass() != IOException.class || m != null && m.contains(target.toString())) return e;
        return new IOException("writing " + target + ": " + (m == null ? e.getClass().getSimpleName() : m), e);
    }

    /**
     * A fresh file next to the target. Not Files.createTempFile: that one is created with owner-only
     * permissions, which the rename would carry over to the final file.
     */
    private static Path createTemp(Path dir, String name) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve("." + name + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
            try {
                Files.newByteChannel(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return tmp;
            } catch (FileAlreadyExistsException e) {
                if (attempt == 10) throw e;
            }
        }
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // Some platforms cannot open or sync a directory; the data itself is already on disk.
        }
    }
}
