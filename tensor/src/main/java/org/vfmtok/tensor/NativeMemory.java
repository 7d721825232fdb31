package org.vfmtok.tensor;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Host memory from the C allocator, 64-byte aligned and freed explicitly. Segments returned here are
 * global-scoped (readable from every worker thread with no arena handshake); their lifetime is
 * enforced by {@link Storage}, which refuses access after it has been freed.
 *
 * <p>Live and peak byte counters make leaks visible to tests and benchmarks.
 */
public final class NativeMemory {
    public static final long ALIGNMENT = 64;

    private static final MethodHandle ALIGNED_ALLOC;
    private static final MethodHandle FREE;
    private static final AtomicLong LIVE = new AtomicLong();
    private static final AtomicLong PEAK = new AtomicLong();

    static {
        Linker linker = Linker.nativeLinker();
        var lookup = linker.defaultLookup();
        ALIGNED_ALLOC = linker.downcallHandle(lookup.find("aligned_alloc").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
        FREE = linker.downcallHandle(lookup.find("free").orElseThrow(),
                FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
    }

    private NativeMemory() {}

    /** Allocates {@code bytes} (uninitialised), aligned to 64 bytes. */
    public static MemorySegment allocate(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("negative allocation: " + bytes);
        long rounded = Math.max(ALIGNMENT, (bytes + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT);
        MemorySegment p;
        try {
            p = (MemorySegment) ALIGNED_ALLOC.invokeExact(ALIGNMENT, rounded);
        } catch (Throwable t) {
            throw new IllegalStateException("aligned_alloc failed", t);
        }
        if (p.address() == 0) {
            throw new OutOfMemoryError("native allocation of " + bytes + " bytes failed (live: " + LIVE.get() + " bytes)");
        }
        long live = LIVE.addAndGet(rounded);
        PEAK.accumulateAndGet(live, Math::max);
        return p.reinterpret(rounded);
    }

    public static void free(MemorySegment segment) {
        try {
            FREE.invokeExact(segment);
        } catch (Throwable t) {
            throw new IllegalStateException("free failed", t);
        }
        LIVE.addAndGet(-segment.byteSize());
    }

    /** Bytes currently allocated through this class. */
    public static long liveBytes() { return LIVE.get(); }

    /** Highest value {@link #liveBytes()} has reached. */
    public static long peakBytes() { return PEAK.get(); }
}
