package org.vfmtok.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Turns the status codes of the binding wrappers into {@link CudaException}s whose message names the
 * call, the status name and the library's own description, e.g.
 * {@code cudaMalloc(1073741824 bytes) failed: cudaErrorMemoryAllocation (out of memory)}.
 */
public final class CudaCheck {
    private CudaCheck() {}

    /** CUDA runtime status. */
    public static void cuda(int status, String what) {
        if (status == CudaRuntime.cudaSuccess) return;
        throw new CudaException("cuda", status, what + " failed: " + runtimeErrorName(status) + " ("
                + Native.string(CudaRuntime.cudaGetErrorString(status)) + ")");
    }

    /** The runtime's name for a status ("cudaErrorNoDevice"). */
    public static String runtimeErrorName(int status) {
        return Native.string(CudaRuntime.cudaGetErrorName(status));
    }

    /** CUDA driver status. */
    public static void cu(int status, String what) {
        if (status == CudaDriver.CUDA_SUCCESS) return;
        String name = "CUresult " + status, text = "";
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ValueLayout.ADDRESS);
            if (CudaDriver.cuGetErrorName(status, p) == 0) name = Native.string(p.get(ValueLayout.ADDRESS, 0));
            if (CudaDriver.cuGetErrorString(status, p) == 0) text = " (" + Native.string(p.get(ValueLayout.ADDRESS, 0)) + ")";
        }
        throw new CudaException("cu", status, what + " failed: " + name + text);
    }

    public static void cublas(int status, String what) {
        if (status == Cublas.CUBLAS_STATUS_SUCCESS) return;
        throw new CudaException("cublas", status, what + " failed: " + Native.string(Cublas.cublasGetStatusName(status))
                + " (" + Native.string(Cublas.cublasGetStatusString(status)) + ")");
    }

    /** cuBLASLt shares cuBLAS's status type; its names come from libcublas when that is loaded. */
    public static void cublasLt(int status, String what) {
        if (status == Cublas.CUBLAS_STATUS_SUCCESS) return;
        String name = Cublas.LIB.isAvailable() ? Native.string(Cublas.cublasGetStatusName(status)) : "cublasStatus_t " + status;
        throw new CudaException("cublasLt", status, what + " failed: " + name);
    }

    public static void cudnn(int status, String what) {
        if (status == Cudnn.CUDNN_STATUS_SUCCESS) return;
        throw new CudaException("cudnn", status, what + " failed: " + Native.string(Cudnn.cudnnGetErrorString(status))
                + " (cudnnStatus_t " + status + ")");
    }

    public static void nccl(int status, String what) {
        if (status == Nccl.ncclSuccess) return;
        throw new CudaException("nccl", status, what + " failed: " + Native.string(Nccl.ncclGetErrorString(status))
                + " (ncclResult_t " + status + ")");
    }

    /** A C string returned by a library. */
    public static String string(MemorySegment p) { return Native.string(p); }
}
