package org.vfmtok.tensor.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.vfmtok.cuda.CudaCheck;
import org.vfmtok.cuda.Cublas;
import org.vfmtok.cuda.CublasLt;

/**
 * The cuBLAS and cuBLASLt handles of a device, bound to its stream, with one workspace each (32 MiB,
 * NVIDIA's recommendation for Hopper). Created on the first GEMM.
 */
final class CublasContext {
    static final long WORKSPACE = 32L << 20;

    final MemorySegment handle;
    final long workspace;
    private volatile MemorySegment ltHandle;
    private volatile long ltWorkspace;
    private final CudaDevice dev;

    CublasContext(CudaDevice dev) {
        this.dev = dev;
        dev.activate();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment h = a.allocate(ValueLayout.ADDRESS);
            CudaCheck.cublas(Cublas.cublasCreate_v2(h), "cublasCreate on " + dev.device);
            this.handle = h.get(ValueLayout.ADDRESS, 0);
        }
        CudaCheck.cublas(Cublas.cublasSetStream_v2(handle, MemorySegment.ofAddress(dev.stream)), "cublasSetStream");
        this.workspace = dev.allocator.allocate(WORKSPACE, dev.stream);
        CudaCheck.cublas(Cublas.cublasSetWorkspace_v2(handle, MemorySegment.ofAddress(workspace), WORKSPACE), "cublasSetWorkspace");
        // precision comes from the compute type of each GemmEx call, not from the handle's math mode
        CudaCheck.cublas(Cublas.cublasSetMathMode(handle, Cublas.CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
    }

    MemorySegment lt() {
        MemorySegment h = ltHandle;
        if (h != null) return h;
        synchronized (this) {
            if (ltHandle == null) {
                dev.activate();
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment out = a.allocate(ValueLayout.ADDRESS);
                    CudaCheck.cublasLt(CublasLt.cublasLtCreate(out), "cublasLtCreate on " + dev.device);
                    ltWorkspace = dev.allocator.allocate(WORKSPACE, dev.stream);
                    ltHandle = out.get(ValueLayout.ADDRESS, 0);
                }
            }
            return ltHandle;
        }
    }

    long ltWorkspace() {
        lt();
        return ltWorkspace;
    }
}
