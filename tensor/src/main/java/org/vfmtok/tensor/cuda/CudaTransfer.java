package org.vfmtok.tensor.cuda;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.vfmtok.cuda.CudaCheck;
import org.vfmtok.cuda.CudaRuntime;
import org.vfmtok.tensor.Device;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;
import org.vfmtok.tensor.backend.Backends;

/**
 * Copies between the CPU and GPUs (installed as {@link Backends}' transfer hook). The bytes cross as one
 * contiguous block in the source dtype, through {@link PinnedStaging}; layout and dtype changes happen on
 * the side that has the kernels for them: a non-contiguous CPU source is packed on the CPU first, a
 * strided or converting GPU destination is filled by the copy kernel from a contiguous device buffer, and
 * the reverse for downloads. Downloads return when the data is in host memory.
 */
final class CudaTransfer {
    private CudaTransfer() {}

    static void copy(Tensor src, Tensor dst) {
        if (!Arrays.equals(src.shape(), dst.shape())) {
            throw new IllegalArgumentException("copy from " + src.device() + " " + Arrays.toString(src.shape()) + " to " + dst.device() + " "
                    + Arrays.toString(dst.shape()) + ": shapes differ");
        }
        if (src.numel() == 0) return;
        try (Grad.Mode ng = Grad.noGrad(); Scope tmp = Scope.open("cuda-transfer")) {
            Device s = src.device(), d = dst.device();
            if (s.isCpu()) upload(src, dst);
            else if (d.isCpu()) download(src, dst);
            else peer(src, dst);
        }
    }

    private static CudaBackend backend(Device d) { return (CudaBackend) Backends.forDevice(d); }

    /** A contiguous copy of {@code t} on its own device (t itself when already contiguous). */
    private static Tensor packed(Tensor t) {
        if (t.isContiguous()) return t;
        Tensor c = Tensor.empty(t.dtype(), t.device(), t.shape());
        t.backend().copy(t, c);
        return c;
    }

    private static void upload(Tensor src, Tensor dst) {
        CudaBackend be = backend(dst.device());
        Tensor host = packed(src);
        boolean direct = dst.isContiguous() && dst.dtype() == src.dtype();
        Tensor target = direct ? dst : Tensor.empty(src.dtype(), dst.device(), src.shape());
        be.dev.staging.upload(host.segment(), host.byteOffset(), CudaBackend.addr(target), src.numel() * src.dtype().byteSize(), be.dev.stream);
        if (!direct) be.copy(target, dst);
    }

    private static void download(Tensor src, Tensor dst) {
        CudaBackend be = backend(src.device());
        Tensor dev = packed(src);
        boolean direct = dst.isContiguous() && dst.dtype() == src.dtype();
        Tensor target = direct ? dst : Tensor.empty(src.dtype(), Device.CPU, src.shape());
        be.dev.staging.download(CudaBackend.addr(dev), target.segment(), target.byteOffset(), src.numel() * src.dtype().byteSize(), be.dev.stream);
        if (!direct) dst.backend().copy(target, dst);
    }

    /** GPU to GPU: the source's queued work finishes first, then a peer copy on the destination's stream. */
    private static void peer(Tensor src, Tensor dst) {
        CudaBackend from = backend(src.device()), to = backend(dst.device());
        Tensor packedSrc = packed(src);
        from.dev.synchronize();
        boolean direct = dst.isContiguous() && dst.dtype() == src.dtype();
        Tensor target = direct ? dst : Tensor.empty(src.dtype(), dst.device(), src.shape());
        to.dev.activate();
        CudaCheck.cuda(CudaRuntime.cudaMemcpyPeerAsync(MemorySegment.ofAddress(CudaBackend.addr(target)), to.dev.index,
                MemorySegment.ofAddress(CudaBackend.addr(packedSrc)), from.dev.index, src.numel() * src.dtype().byteSize(),
                MemorySegment.ofAddress(to.dev.stream)), "cudaMemcpyPeerAsync " + src.device() + " -> " + dst.device());
        if (!direct) to.copy(target, dst);
        to.dev.synchronize(); // the source buffer may be freed (and reused on its own stream) once we return
    }
}
