package org.vfmtok.cuda;

/** A CUDA library could not be found or loaded, or lacks a symbol; the message says where it looked. */
public final class CudaLibraryException extends RuntimeException {
    public CudaLibraryException(String message) { super(message); }

    public CudaLibraryException(String message, Throwable cause) { super(message, cause); }
}
