package org.vfmtok.cuda;

import java.lang.foreign.MemorySegment;

/** Small helpers shared by the generated-style binding classes. */
final class Native {
    private Native() {}

    /**
     * Turns what a downcall wrapper caught into the exception to throw. A library that failed to load
     * surfaces first as an {@link ExceptionInInitializerError} of the function's handle holder and then as
     * a {@link NoClassDefFoundError}; both become the library's own {@link CudaLibraryException}.
     */
    static RuntimeException rethrow(Throwable t, NativeLibrary lib) {
        if (t instanceof ExceptionInInitializerError e && e.getCause() instanceof RuntimeException r) return r;
        if (t instanceof NoClassDefFoundError) {
            String f = lib.failure();
            return new CudaLibraryException(f != null ? f : lib.spec().title() + " is unavailable: " + t.getMessage(), t);
        }
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException("downcall into " + lib.spec().title() + " failed", t);
    }

    /** A NUL-terminated C string returned by a library (never freed by us), or "(null)". */
    static String string(MemorySegment p) {
        return p == null || p.address() == 0 ? "(null)" : p.reinterpret(Long.MAX_VALUE).getString(0);
    }
}
