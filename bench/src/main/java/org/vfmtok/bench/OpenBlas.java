package org.vfmtok.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * OpenBLAS through the FFM API (no JNI, same JVM), for benchmarking only: {@code cblas_sgemm} and the
 * thread-count controls. The library is {@code -Dvfmtok.openblas=PATH}, else {@code $VFM_OPENBLAS},
 * else Debian's OpenMP build.
 */
public final class OpenBlas {
    public static final String DEFAULT_PATH = "/usr/lib/x86_64-linux-gnu/openblas-openmp/libopenblas.so.0";
    private static final int ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private static final ValueLayout P = ValueLayout.ADDRESS;

    private final Path path;
    private final MethodHandle sgemm;
    private final MethodHandle setNumThreads;
    private final MethodHandle getConfig;

    private OpenBlas(Path path) {
        this.path = path;
        Linker linker = Linker.nativeLinker();
        SymbolLookup lib = SymbolLookup.libraryLookup(path, Arena.global());
        sgemm = linker.downcallHandle(find(lib, "cblas_sgemm"),
                FunctionDescriptor.ofVoid(I, I, I, I, I, I, F, P, I, P, I, F, P, I));
        setNumThreads = linker.downcallHandle(find(lib, "openblas_set_num_threads"), FunctionDescriptor.ofVoid(I));
        getConfig = linker.downcallHandle(find(lib, "openblas_get_config"), FunctionDescriptor.of(P));
    }

    private static MemorySegment find(SymbolLookup lib, String name) {
        return lib.find(name).orElseThrow(() -> new IllegalStateException("symbol " + name + " missing from the OpenBLAS library"));
    }

    /** Loads the library or fails with a message that says how to install it. */
    public static OpenBlas load() {
        String p = System.getProperty("vfmtok.openblas");
        if (p == null || p.isBlank()) p = System.getenv("VFM_OPENBLAS");
        if (p == null || p.isBlank()) p = DEFAULT_PATH;
        Path path = Path.of(p);
        if (!Files.isReadable(path)) {
            throw new IllegalStateException("OpenBLAS not found at " + path + ": install it with `apt-get install libopenblas0-openmp`"
                    + " or point -Dvfmtok.openblas=/path/to/libopenblas.so (or VFM_OPENBLAS) at another build");
        }
        return new OpenBlas(path);
    }

    public Path path() { return path; }

    /** Row-major C = alpha·op(A)·op(B) + beta·C with op = transpose when the flag is set. */
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, MemorySegment a, int lda,
                      MemorySegment b, int ldb, float beta, MemorySegment c, int ldc) {
        try {
            sgemm.invokeExact(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        } catch (Throwable t) {
            throw new IllegalStateException("cblas_sgemm failed", t);
        }
    }

    public void setThreads(int n) {
        try {
            setNumThreads.invokeExact(n);
        } catch (Throwable t) {
            throw new IllegalStateException("openblas_set_num_threads failed", t);
        }
    }

    /** The build string (target CPU kernel, threading), e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH ... Haswell". */
    public String config() {
        try {
            MemorySegment s = (MemorySegment) getConfig.invokeExact();
            return s.reinterpret(4096).getString(0);
        } catch (Throwable t) {
            throw new IllegalStateException("openblas_get_config failed", t);
        }
    }
}
