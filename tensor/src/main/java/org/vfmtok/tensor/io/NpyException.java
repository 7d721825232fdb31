package org.vfmtok.tensor.io;

import java.io.IOException;
import java.nio.file.Path;

/** A {@code .npy} file that cannot be read or written; the message names the file. */
public class NpyException extends IOException {
    private final transient Path file;

    public NpyException(Path file, String problem) {
        this(file, problem, null);
    }

    public NpyException(Path file, String problem, Throwable cause) {
        super((file == null ? "<no file>" : file.toString()) + ": " + problem, cause);
        this.file = file;
    }

    public Path file() { return file; }
}
