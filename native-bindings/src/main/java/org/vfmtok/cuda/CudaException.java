package org.vfmtok.cuda;

/** A CUDA, cuBLAS, cuDNN or NCCL call returned an error; {@link #code()} is the library's status value. */
public final class CudaException extends RuntimeException {
    private final String library;
    private final int code;

    public CudaException(String library, int code, String message) {
        super(message);
        this.library = library;
        this.code = code;
    }

    /** "cuda", "cu" (driver), "cublas", "cublasLt", "cudnn" or "nccl". */
    public String library() { return library; }

    public int code() { return code; }
}
