package org.vfmtok.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading, caching and the "not found" message, with libraries that cannot exist. */
class NativeLibraryTest {
    @TempDir Path root;

    private LibrarySearch.Env env(Map<String, String> props, Map<String, String> envs) {
        return new LibrarySearch.Env() {
            @Override public String property(String key) { return props.get(key); }
            @Override public String env(String key) { return envs.get(key); }
            @Override public Path root() { return root; }
        };
    }

    private static NativeLibrary.Spec spec(String file) {
        return new NativeLibrary.Spec("nope", "libnope", "vfmtok.cuda.nope", "VFM_NOPE", List.of(file, "libnope.so"),
                List.of("nvidia/nope/lib"), true, List.of());
    }

    @Test
    void missingLibraryListsEveryPlaceLooked() throws IOException {
        Path site = root.resolve("usr/lib/python3/dist-packages/nvidia/nope/lib");
        Files.createDirectories(site);
        Files.createDirectories(root.resolve("usr/local/cuda-13.0/lib64"));
        NativeLibrary lib = new NativeLibrary(spec("libnope.so.1"), env(Map.of(), Map.of()));
        assertFalse(lib.isAvailable());
        CudaLibraryException e = assertThrows(CudaLibraryException.class, lib::lookup);
        String m = e.getMessage();
        assertTrue(m.startsWith("libnope (libnope.so.1) could not be loaded. Looked in:"), m);
        assertTrue(m.contains(site.resolve("libnope.so.1") + " (missing)"), m);
        assertTrue(m.contains(root.resolve("usr/local/cuda-13.0/lib64/libnope.so.1") + " (missing)"), m);
        assertTrue(m.contains("system loader: libnope.so.1"), m);
        assertTrue(m.contains("system loader: libnope.so"), m);
        assertTrue(m.contains("-Dvfmtok.cuda.nope=") && m.contains("VFM_NOPE="), m);
        assertEquals(m, lib.failure());
        // the failure is cached: same message, no second search
        assertEquals(m, assertThrows(CudaLibraryException.class, lib::lookup).getMessage());
        assertThrows(CudaLibraryException.class, () -> lib.find("x"));
    }

    @Test
    void aFileThatIsNotALibrarySaysWhyItFailed() throws IOException {
        Path bogus = root.resolve("bogus.so");
        Files.writeString(bogus, "not an ELF file");
        NativeLibrary lib = new NativeLibrary(spec("libnope.so.1"), env(Map.of("vfmtok.cuda.nope", bogus.toString()), Map.of()));
        String m = assertThrows(CudaLibraryException.class, lib::lookup).getMessage();
        assertTrue(m.contains("-Dvfmtok.cuda.nope=" + bogus + ": " + bogus + ": "), m);
        assertFalse(m.contains("system loader"), "an explicit override is not second-guessed: " + m);
    }

    @Test
    void aLibraryThatLoadsReportsMissingSymbolsClearly() {
        // libc is always there: it stands in for a library of the wrong version
        NativeLibrary libc = new NativeLibrary(new NativeLibrary.Spec("c", "libc", "vfmtok.cuda.c", "VFM_C",
                List.of("libc.so.6"), List.of(), false, List.of()), env(Map.of(), Map.of()));
        assertTrue(libc.isAvailable());
        assertNotNull(libc.find("strlen"));
        String m = assertThrows(CudaLibraryException.class, () -> libc.find("cudaMalloc")).getMessage();
        assertTrue(m.contains("has no symbol 'cudaMalloc'"), m);
    }
}
