package org.vfmtok.tensor.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.vfmtok.cuda.CudaCheck;
import org.vfmtok.cuda.CudaRuntime;

/** {@link DeviceApi} over the CUDA runtime for one device (every call first makes it current). */
final class RuntimeDeviceApi implements DeviceApi {
    private final int device;

    RuntimeDeviceApi(int device) { this.device = device; }

    private void current() { CudaDevice.makeCurrent(device); }

    private static MemorySegment p(long address) { return MemorySegment.ofAddress(address); }

    @Override
    public long malloc(long bytes) {
        current();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            int st = CudaRuntime.cudaMalloc(out, bytes);
            if (st == CudaRuntime.cudaErrorMemoryAllocation) {
                CudaRuntime.cudaGetLastError(); // clear the sticky-less error state
                throw new DeviceOutOfMemoryException("cudaMalloc of " + bytes + " bytes on cuda:" + device + " failed: out of memory");
            }
            CudaCheck.cuda(st, "cudaMalloc(" + bytes + " bytes) on cuda:" + device);
            return out.get(ValueLayout.ADDRESS, 0).address();
        }
    }

    @Override
    public void free(long ptr) {
        current();
        CudaCheck.cuda(CudaRuntime.cudaFree(p(ptr)), "cudaFree");
    }

    @Override
    public long mallocHost(long bytes) {
        current();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            CudaCheck.cuda(CudaRuntime.cudaMallocHost(out, bytes), "cudaMallocHost(" + bytes + " bytes)");
            return out.get(ValueLayout.ADDRESS, 0).address();
        }
    }

    @Override
    public void freeHost(long ptr) { CudaCheck.cuda(CudaRuntime.cudaFreeHost(p(ptr)), "cudaFreeHost"); }

    @Override
    public void copyAsync(long dst, long src, long bytes, int kind, long stream) {
        current();
        CudaCheck.cuda(CudaRuntime.cudaMemcpyAsync(p(dst), p(src), bytes, kind, p(stream)), "cudaMemcpyAsync(" + bytes + " bytes, kind " + kind + ")");
    }

    @Override
    public void memsetAsync(long ptr, int value, long bytes, long stream) {
        current();
        CudaCheck.cuda(CudaRuntime.cudaMemsetAsync(p(ptr), value, bytes, p(stream)), "cudaMemsetAsync");
    }

    @Override
    public long createEvent() {
        current();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            CudaCheck.cuda(CudaRuntime.cudaEventCreateWithFlags(out, CudaRuntime.cudaEventDisableTiming), "cudaEventCreateWithFlags");
            return out.get(ValueLayout.ADDRESS, 0).address();
        }
    }

    @Override
    public void recordEvent(long event, long stream) {
        current();
        CudaCheck.cuda(CudaRuntime.cudaEventRecord(p(event), p(stream)), "cudaEventRecord");
    }

    @Override
    public boolean eventDone(long event) {
        int st = CudaRuntime.cudaEventQuery(p(event));
        if (st == CudaRuntime.cudaErrorNotReady) return false;
        CudaCheck.cuda(st, "cudaEventQuery");
        return true;
    }

    @Override
    public void waitEvent(long event) { CudaCheck.cuda(CudaRuntime.cudaEventSynchronize(p(event)), "cudaEventSynchronize"); }

    @Override
    public void destroyEvent(long event) { CudaCheck.cuda(CudaRuntime.cudaEventDestroy(p(event)), "cudaEventDestroy"); }

    @Override
    public void synchronize(long stream) {
        current();
        CudaCheck.cuda(CudaRuntime.cudaStreamSynchronize(p(stream)), "cudaStreamSynchronize on cuda:" + device);
    }

    @Override
    public void synchronizeDevice() {
        current();
        CudaCheck.cuda(CudaRuntime.cudaDeviceSynchronize(), "cudaDeviceSynchronize on cuda:" + device);
    }
}
