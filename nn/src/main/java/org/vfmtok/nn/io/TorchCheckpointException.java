package org.vfmtok.nn.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A PyTorch checkpoint could not be read: malformed or truncated file, missing record, forbidden pickle
 * global, tensor outside its storage, ... Thrown by the parts of this package without a file name and
 * rethrown by {@link TorchCheckpoint} with the file name in front (the original stays the cause).
 */
public class TorchCheckpointException extends IOException {
    public TorchCheckpointException(String message) { super(message); }

    public TorchCheckpointException(String message, Throwable cause) { super(message, cause); }

    /** {@code "<file>: <problem>"}, keeping {@code problem} as the cause. */
    public TorchCheckpointException(Path file, Throwable problem) {
        super(file + ": " + (problem.getMessage() != null ? problem.getMessage() : problem.toString()), problem);
    }
}
