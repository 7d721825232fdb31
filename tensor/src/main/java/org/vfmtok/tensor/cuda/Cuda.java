package org.vfmtok.tensor.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.vfmtok.cuda.CudaCheck;
import org.vfmtok.cuda.CudaLibraries;
import org.vfmtok.cuda.CudaRuntime;
import org.vfmtok.tensor.Device;
import org.vfmtok.tensor.Storage;
import org.vfmtok.tensor.backend.Backends;

/**
 * Entry point of the CUDA backend. Nothing here runs until a CUDA device is first asked for
 * ({@code Tensor.empty(dtype, Device.cuda(0), ...)}, {@code t.to(Device.cuda(0))}): then the CUDA runtime
 * is loaded, the device opened and the backend registered with {@link Backends}, with the host/device
 * transfer and the device-memory release hook. Without a GPU the CPU path never touches this class, and
 * asking for a CUDA device fails with the reason (library not found, no device, driver too old...).
 */
public final class Cuda {
    private static CudaBackend[] backends;
    private static String unavailable;

    private Cuda() {}

    /** Number of GPUs, or 0 when the runtime or a device is missing (see {@link #status()}). */
    public static synchronized int deviceCount() {
        init();
        return backends == null ? 0 : backends.length;
    }

    /** One line: the devices, or why there are none. */
    public static synchronized String status() {
        init();
        if (backends == null) return "unavailable: " + unavailable;
        StringBuilder sb = new StringBuilder(backends.length + " device(s), runtime " + CudaLibraries.CUDART.location());
        for (int i = 0; i < backends.length; i++) {
            sb.append("; cuda:").append(i).append(backends[i] == null ? " (not opened yet)" : " " + backends[i].dev.describe());
        }
        return sb.toString();
    }

    /** The backend of {@code d}, opening the device on first use; throws with the reason when unavailable. */
    public static synchronized CudaBackend backend(Device d) {
        if (d.kind() != Device.Kind.CUDA) throw new IllegalArgumentException(d + " is not a CUDA device");
        init();
        if (backends == null) throw new IllegalStateException("no backend for " + d + ": CUDA is unavailable: " + unavailable);
        if (d.index() < 0 || d.index() >= backends.length) {
            throw new IllegalStateException(d + " does not exist: this machine has " + backends.length + " CUDA device(s)");
        }
        if (backends[d.index()] == null) backends[d.index()] = new CudaBackend(CudaDevice.open(d.index()));
        return backends[d.index()];
    }

    private static void init() {
        if (backends != null || unavailable != null) return;
        if (!CudaLibraries.CUDART.isAvailable()) {
            unavailable = CudaLibraries.CUDART.failure();
            return;
        }
        int count;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment n = a.allocate(ValueLayout.JAVA_INT);
            int st = CudaRuntime.cudaGetDeviceCount(n);
            if (st != CudaRuntime.cudaSuccess) {
                unavailable = "cudaGetDeviceCount: " + CudaCheck.runtimeErrorName(st) + " (" + CudaCheck.string(CudaRuntime.cudaGetErrorString(st)) + ")";
                return;
            }
            count = n.get(ValueLayout.JAVA_INT, 0);
        }
        if (count == 0) {
            unavailable = "the CUDA runtime sees no device";
            return;
        }
        backends = new CudaBackend[count];
        Backends.register(d -> d.kind() == Device.Kind.CUDA && d.index() >= 0 && d.index() < backends.length ? backend(d) : null,
                CudaTransfer::copy);
        Storage.DeviceMemory.install(s -> backend(s.device()).release(s));
    }
}
