package org.vfmtok.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One shared library (libcudart, libcublas, ...) loaded lazily, on the first downcall that needs it,
 * never at class initialisation of anything the CPU path touches. The search order is
 * {@link LibrarySearch}'s; a library that cannot be loaded fails with a {@link CudaLibraryException}
 * that lists every place looked and why each failed. The outcome (success or failure) is cached.
 */
public final class NativeLibrary {
    /**
     * @param id          short name used in messages and for the overrides ("cublas")
     * @param title       what users call it ("cuBLAS")
     * @param property    system property naming a file or folder (vfmtok.cuda.cublas)
     * @param envVar      environment variable naming a file or folder (VFM_CUBLAS)
     * @param fileNames   file names to try, preferred first (libcublas.so.13, libcublas.so.12, libcublas.so)
     * @param pythonDirs  folders inside a site-packages holding the pip wheel's copy (nvidia/cu13/lib)
     * @param inToolkit   whether the CUDA toolkit's lib folders may hold it (false for the driver)
     * @param dependsOn   libraries to load first, so that their sonames resolve from the same place
     */
    public record Spec(String id, String title, String property, String envVar, List<String> fileNames,
                       List<String> pythonDirs, boolean inToolkit, List<NativeLibrary> dependsOn) {}

    private final Spec spec;
    private final LibrarySearch.Env env;
    private volatile SymbolLookup lookup;
    private volatile String location;
    private volatile String failure;

    public NativeLibrary(Spec spec) { this(spec, LibrarySearch.Env.system()); }

    NativeLibrary(Spec spec, LibrarySearch.Env env) {
        this.spec = spec;
        this.env = env;
    }

    public Spec spec() { return spec; }

    /** Loads the library if needed; throws a {@link CudaLibraryException} naming every place looked. */
    public SymbolLookup lookup() {
        SymbolLookup l = lookup;
        if (l != null) return l;
        synchronized (this) {
            if (lookup != null) return lookup;
            if (failure != null) throw new CudaLibraryException(failure);
            try {
                lookup = load();
                return lookup;
            } catch (CudaLibraryException e) {
                failure = e.getMessage();
                throw e;
            }
        }
    }

    /** True if the library loads (loading it if needed); never throws for a missing library. */
    public boolean isAvailable() {
        try {
            lookup();
            return true;
        } catch (CudaLibraryException e) {
            return false;
        }
    }

    /** Where the library was loaded from, or null before a successful load. */
    public String location() { return location; }

    /** The load error, or null (before a load attempt, or after a successful one). */
    public String failure() { return failure; }

    /** The address of {@code symbol}; loads the library first. */
    public MemorySegment find(String symbol) {
        return lookup().find(symbol).orElseThrow(() -> new CudaLibraryException(
                spec.title() + " loaded from " + location + " has no symbol '" + symbol + "' (an older or newer major version?)"));
    }

    /** A downcall handle for {@code symbol}; loads the library first. */
    public MethodHandle downcall(String symbol, FunctionDescriptor descriptor) {
        return Linker.nativeLinker().downcallHandle(find(symbol), descriptor);
    }

    private SymbolLookup load() {
        for (NativeLibrary dep : spec.dependsOn()) dep.isAvailable(); // best effort: the real error comes below
        List<String> tried = new ArrayList<>();
        for (LibrarySearch.Candidate c : LibrarySearch.candidates(spec, env)) {
            if (c.isSystemLoader()) {
                try {
                    SymbolLookup l = SymbolLookup.libraryLookup(c.loaderName(), Arena.global());
                    location = c.loaderName() + " (system loader)";
                    return l;
                } catch (IllegalArgumentException e) {
                    tried.add("system loader: " + c.loaderName() + ": " + reason(e));
                }
                continue;
            }
            Path f = c.file();
            if (!Files.exists(f)) {
                tried.add(c.where() + ": " + f + " (missing)");
                continue;
            }
            try {
                SymbolLookup l = SymbolLookup.libraryLookup(f, Arena.global());
                location = f.toString();
                return l;
            } catch (IllegalArgumentException e) {
                tried.add(c.where() + ": " + f + ": " + reason(e));
            }
        }
        StringBuilder sb = new StringBuilder(spec.title() + " (" + spec.fileNames().getFirst() + ") could not be loaded. Looked in:");
        for (int i = 0; i < tried.size(); i++) sb.append("\n  ").append(i + 1).append(". ").append(tried.get(i));
        List<Path> sites = LibrarySearch.pythonSites(env);
        if (sites.isEmpty()) sb.append("\n  (no Python site-packages found for pip's nvidia/* wheels)");
        else sb.append("\n  (Python site-packages searched for ").append(spec.pythonDirs()).append(": ").append(sites).append(")");
        sb.append("\nSet -D").append(spec.property()).append("=/path/to/").append(spec.fileNames().getFirst())
                .append(" or ").append(spec.envVar()).append("=/path/to/folder to choose one.");
        throw new CudaLibraryException(sb.toString());
    }

    private static String reason(IllegalArgumentException e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
