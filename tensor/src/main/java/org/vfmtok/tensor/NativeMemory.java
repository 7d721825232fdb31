package org.vfmtok.tensor;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Host memory from the C allocator, 64-byte aligned and freed explicitly. Segments returned here are
 * global-scoped (readable from every worker thread with no arena handshake); their lifetime is
 * enforced by {@link Storage}, which refuses access after it has been freed.
 *
 * <p>Live and peak byte counters make leaks visible to tests and benchmarks.
 *
 * <p>Freed large blocks (1 MiB and up) are kept for reuse in size classes an eighth of an octave apart,
 * up to {@code -Dvfmtok.memory.cacheBytes} (default 2 GiB; 0 disables). Without that the C allocator
 * hands every large block back to the kernel on free (mmap/munmap above its threshold) and the next
 * activation of the same size is page-faulted and zeroed again: on the pixel decoder (58 MB per
 * activation at 336², 128 channels) that was over half of the run time. Cached blocks do not count as
 * live; an allocation that fails releases them and retries.
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

    private static final long CACHE_MIN = 1L << 20;
    private static final long CACHE_MAX = Long.getLong("vfmtok.memory.cacheBytes", 2L << 30);
    private static final AtomicLong CACHED = new AtomicLong();
    private static final ConcurrentHashMap<Long, ConcurrentLinkedDeque<MemorySegment>> POOL = new ConcurrentHashMap<>();

    private NativeMemory() {}

    /** Allocates {@code bytes} (uninitialised), aligned to 64 bytes. */
    public static MemorySegment allocate(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("negative allocation: " + bytes);
        long rounded = Math.max(ALIGNMENT, (bytes + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT);
        boolean cacheable = cacheable(rounded);
        long block = cacheable ? sizeClass(rounded) : rounded;
        MemorySegment p = null;
        if (cacheable) {
            ConcurrentLinkedDeque<MemorySegment> q = POOL.get(block);
            p = q == null ? null : q.pollFirst();
            if (p != null) CACHED.addAndGet(-block);
        }
        if (p == null) {
            p = alignedAlloc(block);
            if (p.address() == 0 && CACHED.get() > 0) {
                releaseCached();
                p = alignedAlloc(block);
            }
        }
        if (p.address() == 0) {
            throw new OutOfMemoryError("native allocation of " + bytes + " bytes failed (live: " + LIVE.get() + " bytes)");
        }
        long live = LIVE.addAndGet(rounded);
        PEAK.accumulateAndGet(live, Math::max);
        return p.reinterpret(rounded);
    }

    public static void free(MemorySegment segment) {
        long rounded = segment.byteSize();
        LIVE.addAndGet(-rounded);
        if (cacheable(rounded)) {
            long block = sizeClass(rounded);
            if (CACHED.addAndGet(block) <= CACHE_MAX) {
                POOL.computeIfAbsent(block, b -> new ConcurrentLinkedDeque<>()).push(segment);
                return;
            }
            CACHED.addAndGet(-block);
        }
        cFree(segment);
    }

    /** Returns every cached block to the C allocator. */
    public static void releaseCached() {
        for (var e : POOL.entrySet()) {
            for (MemorySegment p; (p = e.getValue().pollFirst()) != null; ) {
                CACHED.addAndGet(-e.getKey());
                cFree(p);
            }
        }
    }

    private static boolean cacheable(long rounded) { return rounded >= CACHE_MIN && CACHE_MAX > 0; }

    /**
     * The block size allocated for a cacheable request: the next of eight size classes per octave (at
     * most 12.5% slack). A pure function of the request, so a freed block is filed under the class it
     * was allocated with (its segment carries the request size).
     */
    private static long sizeClass(long rounded) {
        long step = Long.highestOneBit(rounded) >> 3;
        return (rounded + step - 1) / step * step;
    }

    private static MemorySegment alignedAlloc(long bytes) {
        try {
            return (MemorySegment) ALIGNED_ALLOC.invokeExact(ALIGNMENT, bytes);
        } catch (Throwable t) {
            throw new IllegalStateException("aligned_alloc failed", t);
        }
    }

    private static void cFree(MemorySegment segment) {
        try {
            FREE.invokeExact(segment);
        } catch (Throwable t) {
            throw new IllegalStateException("free failed", t);
        }
    }

    /** Bytes currently allocated through this class. */
    public static long liveBytes() { return LIVE.get(); }

    /** Highest value {@link #liveBytes()} has reached. */
    public static long peakBytes() { return PEAK.get(); }
}
