package org.vfmtok.tensor.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * What a path is, in words, for error messages: "no such file" is only true of a missing path; a folder,
 * a FIFO or a device given where a file was expected deserves its own message.
 */
public final class FileKinds {
    private FileKinds() {}

    /**
     * "does not exist", "is a folder", "is a symbolic link to T", "is a FIFO (named pipe)", "is a device or
     * socket", "is a regular file" (for a phrase such as {@code path + " " + describe(path)}).
     */
    public static String describe(Path p) {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return Files.exists(p, LinkOption.NOFOLLOW_LINKS) ? "cannot be read (" + e.getMessage() + ")" : "does not exist";
        }
        if (a.isRegularFile()) return "is a regular file";
        if (a.isDirectory()) return "is a folder";
        if (a.isSymbolicLink()) {
            try {
                return "is a symbolic link to " + Files.readSymbolicLink(p);
            } catch (IOException e) {
                return "is a symbolic link";
            }
        }
        Object kind = null;
        try {
            kind = Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // no unix view: fall through to the generic words
        }
        if (kind instanceof Integer mode) {
            switch (mode & 0xF000) {
                case 0x1000: return "is a FIFO (named pipe)";
                case 0x2000: return "is a character device";
                case 0x6000: return "is a block device";
                case 0xC000: return "is a socket";
                default: break;
            }
        }
        return "is a special file (device, FIFO or socket)";
    }

    /**
     * Returns {@code file} if it is a regular file (symbolic links followed, as for any input), else throws
     * an IOException saying what it is: "F: no such file", "F: is a folder, not a file", ...
     */
    public static Path requireRegularFile(Path file) throws IOException {
        if (Files.isRegularFile(file)) return file;
        if (!Files.exists(file)) {
            throw new IOException(file + ": no such file" + (Files.exists(file, LinkOption.NOFOLLOW_LINKS) ? " (a broken symbolic link)" : ""));
        }
        Path real = file.toRealPath();
        String what = describe(real);
        throw new IOException(file + ": " + what + (real.equals(file.toAbsolutePath()) ? "" : " (" + real + ")") + ", not a regular file");
    }
}
