package org.vfmtok.tensor.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.vfmtok.cuda.CudaCheck;
import org.vfmtok.cuda.CudaDriver;
import org.vfmtok.cuda.CudaRuntime;
import org.vfmtok.tensor.Device;

/**
 * One GPU as the backend uses it: its compute stream (every kernel, copy and library call of the
 * backend goes to this one stream, so they run in the order issued), the caching allocator, the pinned
 * staging buffers, the loaded kernel modules and the cuBLAS/cuDNN handles (created on first use).
 */
public final class CudaDevice {
    /** The device each thread last made current (cudaSetDevice is per thread). */
    private static final ThreadLocal<int[]> CURRENT = ThreadLocal.withInitial(() -> new int[] {-1});

    /** Default threads per block of the elementwise kernels. */
    static final int THREADS = 256;
    static final long STAGING_CHUNK = 8L << 20;

    final int index;
    final Device device;
    final DeviceApi api;
    final CachingAllocator allocator;
    final PinnedStaging staging;
    final long stream;
    final String name;
    final int ccMajor, ccMinor, smCount, maxSharedOptin;
    final long totalMemory;
    private final Map<String, CudaModule> modules = new ConcurrentHashMap<>();
    private volatile CublasContext blas;
    private volatile CudnnContext dnn;

    private CudaDevice(int index) {
        this.index = index;
        this.device = Device.cuda(index);
        makeCurrent(index);
        CudaCheck.cuda(CudaRuntime.cudaFree(MemorySegment.NULL), "initialising cuda:" + index); // creates the primary context
        CudaCheck.cu(CudaDriver.cuInit(0), "cuInit");
        this.ccMajor = attribute(CudaRuntime.cudaDevAttrComputeCapabilityMajor);
        this.ccMinor = attribute(CudaRuntime.cudaDevAttrComputeCapabilityMinor);
        this.smCount = attribute(CudaRuntime.cudaDevAttrMultiProcessorCount);
        this.maxSharedOptin = attribute(CudaRuntime.cudaDevAttrMaxSharedMemoryPerBlockOptin);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment free = a.allocate(ValueLayout.JAVA_LONG), total = a.allocate(ValueLayout.JAVA_LONG);
            CudaCheck.cuda(CudaRuntime.cudaMemGetInfo(free, total), "cudaMemGetInfo");
            this.totalMemory = total.get(ValueLayout.JAVA_LONG, 0);
            MemorySegment nm = a.allocate(256);
            MemorySegment dev = a.allocate(ValueLayout.JAVA_INT);
            CudaCheck.cu(CudaDriver.cuDeviceGet(dev, index), "cuDeviceGet");
            CudaCheck.cu(CudaDriver.cuDeviceGetName(nm, 256, dev.get(ValueLayout.JAVA_INT, 0)), "cuDeviceGetName");
            this.name = nm.getString(0);
            MemorySegment s = a.allocate(ValueLayout.ADDRESS);
            CudaCheck.cuda(CudaRuntime.cudaStreamCreateWithFlags(s, CudaRuntime.cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
            this.stream = s.get(ValueLayout.ADDRESS, 0).address();
        }
        this.api = new RuntimeDeviceApi(index);
        this.allocator = new CachingAllocator(api, device.toString());
        this.staging = new PinnedStaging(api, STAGING_CHUNK);
    }

    static CudaDevice open(int index) { return new CudaDevice(index); }

    /** Makes {@code device} current for the calling thread (cheap when it already is). */
    static void makeCurrent(int device) {
        int[] cur = CURRENT.get();
        if (cur[0] == device) return;
        CudaCheck.cuda(CudaRuntime.cudaSetDevice(device), "cudaSetDevice(" + device + ")");
        cur[0] = device;
    }

    /** Makes this device current for the calling thread (libraries such as NCCL use the current device). */
    public void activate() { makeCurrent(index); }

    /** The compute stream (a cudaStream_t) every operation of this device is queued on. */
    public long stream() { return stream; }

    private int attribute(int attr) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(ValueLayout.JAVA_INT);
            CudaCheck.cuda(CudaRuntime.cudaDeviceGetAttribute(v, attr, index), "cudaDeviceGetAttribute(" + attr + ")");
            return v.get(ValueLayout.JAVA_INT, 0);
        }
    }

    /** Blocks of {@link #THREADS} for a grid-stride loop over n elements: enough to fill the GPU, no more. */
    long gridFor(long n) { return Math.max(1, Math.min((n + THREADS - 1) / THREADS, (long) smCount * 16)); }

    /** Blocks for kernels with one block per row (grid-stride over rows). */
    long blocksForRows(long rows) { return Math.max(1, Math.min(rows, (long) smCount * 64)); }

    CudaModule module(String name) { return modules.computeIfAbsent(name, n -> CudaModule.load(this, n)); }

    /** Starts a kernel launch (set its parameters, then {@link Launch#launch}). */
    Launch launch(KernelSpec spec) { return new Launch(this, spec); }

    /** Waits for all work queued on the compute stream. */
    public void synchronize() { api.synchronize(stream); }

    CublasContext blas() {
        CublasContext b = blas;
        if (b != null) return b;
        synchronized (this) {
            if (blas == null) blas = new CublasContext(this);
            return blas;
        }
    }

    CudnnContext dnn() {
        CudnnContext d = dnn;
        if (d != null) return d;
        synchronized (this) {
            if (dnn == null) dnn = new CudnnContext(this);
            return dnn;
        }
    }

    public CachingAllocator allocator() { return allocator; }

    public Device device() { return device; }

    public String name() { return name; }

    /** "NVIDIA H200, sm_90, 132 SMs, 140 GiB". */
    public String describe() {
        return name + ", sm_" + ccMajor + ccMinor + ", " + smCount + " SMs, " + (totalMemory >> 30) + " GiB";
    }
}
