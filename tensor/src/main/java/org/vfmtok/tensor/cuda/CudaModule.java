package org.vfmtok.tensor.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.vfmtok.cuda.CudaCheck;
import org.vfmtok.cuda.CudaDriver;

/**
 * A kernel module (one .cu file) loaded with cuModuleLoadData: the sm_90 cubin on compute capability
 * 9.0 when present, otherwise the PTX, which the driver compiles for the GPU at hand. The PTX's entry
 * headers are parsed on load, and every launch checks its arguments against them (see {@link Launch}).
 */
final class CudaModule {
    final String name;
    final Map<String, List<PtxEntries.PtxParam>> entries;
    private final MemorySegment module;
    private final String loadedFrom;
    private final Map<String, MemorySegment> functions = new ConcurrentHashMap<>();
    private final Map<String, Integer> sharedSet = new ConcurrentHashMap<>();

    private CudaModule(String name, Map<String, List<PtxEntries.PtxParam>> entries, MemorySegment module, String loadedFrom) {
        this.name = name;
        this.entries = entries;
        this.module = module;
        this.loadedFrom = loadedFrom;
    }

    static byte[] resource(String path) {
        try (InputStream in = CudaModule.class.getResourceAsStream(path)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read resource " + path, e);
        }
    }

    static CudaModule load(CudaDevice dev, String name) {
        byte[] ptx = resource("/cuda/" + name + ".ptx");
        if (ptx == null) throw new IllegalStateException("CUDA kernels /cuda/" + name + ".ptx are missing from the class path (run tools/build-cuda-kernels.sh)");
        Map<String, List<PtxEntries.PtxParam>> entries = PtxEntries.parse(new String(ptx, StandardCharsets.US_ASCII));
        dev.activate();
        String cubinPath = "/cuda/" + name + ".sm_" + dev.ccMajor + dev.ccMinor + ".cubin";
        byte[] cubin = resource(cubinPath);
        if (cubin != null) {
            MemorySegment m = tryLoad(cubin, false);
            if (m != null) return new CudaModule(name, entries, m, cubinPath);
        }
        MemorySegment m = tryLoad(ptx, true);
        if (m == null) {
            // load again to get the driver's error
            try (Arena a = Arena.ofConfined()) {
                MemorySegment out = a.allocate(ValueLayout.ADDRESS);
                CudaCheck.cu(CudaDriver.cuModuleLoadData(out, image(a, ptx, true)), "cuModuleLoadData(/cuda/" + name + ".ptx) on " + dev.device);
            }
        }
        return new CudaModule(name, entries, m, "/cuda/" + name + ".ptx");
    }

    private static MemorySegment image(Arena a, byte[] bytes, boolean text) {
        MemorySegment img = a.allocate(bytes.length + (text ? 1 : 0), 16);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, img, 0, bytes.length);
        if (text) img.set(ValueLayout.JAVA_BYTE, bytes.length, (byte) 0); // PTX is a NUL-terminated string
        return img;
    }

    private static MemorySegment tryLoad(byte[] bytes, boolean text) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            int st = CudaDriver.cuModuleLoadData(out, image(a, bytes, text)); // the driver copies the image
            return st == CudaDriver.CUDA_SUCCESS ? out.get(ValueLayout.ADDRESS, 0) : null;
        }
    }

    MemorySegment function(String entry) {
        return functions.computeIfAbsent(entry, e -> {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment out = a.allocate(ValueLayout.ADDRESS);
                CudaCheck.cu(CudaDriver.cuModuleGetFunction(out, module, a.allocateFrom(e)), "cuModuleGetFunction(" + e + ") in " + loadedFrom);
                return out.get(ValueLayout.ADDRESS, 0);
            }
        });
    }

    /** Raises a function's dynamic shared memory limit when a launch needs more than the default 48 KiB. */
    void ensureShared(String entry, int bytes) {
        if (bytes <= 48 * 1024 || sharedSet.getOrDefault(entry, 0) >= bytes) return;
        CudaCheck.cu(CudaDriver.cuFuncSetAttribute(function(entry), CudaDriver.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes),
                "cuFuncSetAttribute(" + entry + ", max dynamic shared " + bytes + ")");
        sharedSet.merge(entry, bytes, Math::max);
    }

    @Override
    public String toString() { return name + " (" + loadedFrom + ")"; }
}
