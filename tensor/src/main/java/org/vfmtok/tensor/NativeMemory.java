package org.vfmtok.tensor;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Host memory from the C allocator, 64-byte aligned and freed explicitly. Segments returned here are
 * global-scoped (readable from every worker thread with no arena handshake); their lifetime is
 * enforced by {@link Storage}, which refuses access after it has been freed.
 *
 * <p>Live and peak byte counters make leaks visible to tests and benchmarks.
 *
 * <p>Freed large blocks (1 MiB and up) are kept for reuse in size classes an eighth of an octave apart,
 * up to {@code -Dvfmtok.memory.cacheBytes} (default a quarter of the physical memory, at least 2 GiB; 0
 * disables). Without that the C allocator
 * hands every large block back to the kernel on free (mmap/munmap above its threshold) and the next
 * activation of the same size is page-faulted and zeroed again: on the pixel decoder (58 MB per
 * activation at 336², 128 channels) that was over half of the run time. When full, the cache drops its
 * longest-held blocks first (a stage with other shapes must not lock the next one out). Cached blocks do
 * not count as live; an allocation that fails releases them and retries.
 *
 * <p>Blocks of {@link #HUGE_MIN} and more are advised to the kernel as transparent huge pages
 * ({@code madvise(MADV_HUGEPAGE)} on Linux, where the default THP mode is "madvise"; elsewhere nothing):
 * a decode step streams every weight once, and with 4 KiB pages that is a TLB miss per page (GPT-L's
 * 1.4 GB of F32 weights: 335 000 page walks a step). {@code -Dvfmtok.memory.hugePages=false} turns the
 * advice off. It is advice on this process's own mappings only; nothing else changes.
 *
 * <p>The cache lives only while something uses it: loaded models hold an {@link Owner} (see
 * {@link #openOwner}), and when the last one closes the cache is emptied and the C allocator is asked to
 * return its free memory to the operating system ({@link #trim}). A host can call {@link #trim} itself
 * at any time.
 */
public final class NativeMemory {
    public static final long ALIGNMENT = 64;

    private static final MethodHandle ALIGNED_ALLOC;
    private static final MethodHandle FREE;
    private static final AtomicLong LIVE = new AtomicLong();
    private static final AtomicLong PEAK = new AtomicLong();

    /** Smallest block advised as huge pages: two 2 MiB pages, so that at least one aligned huge page lies inside. */
    static final long HUGE_MIN = 4L << 20;
    private static final boolean HUGE_PAGES = Boolean.parseBoolean(System.getProperty("vfmtok.memory.hugePages", "true"))
            && System.getProperty("os.name", "").startsWith("Linux");
    private static final int MADV_HUGEPAGE = 14;
    private static final long PAGE = 4096;

    static {
        Linker linker = Linker.nativeLinker();
        var lookup = linker.defaultLookup();
        ALIGNED_ALLOC = linker.downcallHandle(lookup.find("aligned_alloc").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
        FREE = linker.downcallHandle(lookup.find("free").orElseThrow(),
                FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
        // glibc keeps freed memory in its arenas; malloc_trim(0) gives it back. Absent elsewhere (musl, macOS).
        MADVISE = HUGE_PAGES ? lookup.find("madvise")
                .map(a -> linker.downcallHandle(a, FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT)))
                .orElse(null) : null;
        MALLOC_TRIM = lookup.find("malloc_trim")
                .map(a -> linker.downcallHandle(a, FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG)))
                .orElse(null);
    }

    private static final MethodHandle MALLOC_TRIM;
    private static final MethodHandle MADVISE;
    private static final AtomicLong OWNERS = new AtomicLong();

    private static final long CACHE_MIN = 1L << 20;
    private static final long CACHE_MAX = Long.getLong("vfmtok.memory.cacheBytes", defaultCacheBytes());
    /** Cached blocks by size class, most recently freed last; {@link #ORDER}: all of them, oldest first. */
    private static final HashMap<Long, ArrayDeque<MemorySegment>> POOL = new HashMap<>();
    private static final ArrayDeque<MemorySegment> ORDER = new ArrayDeque<>();
    private static long cached; // bytes in POOL, guarded by POOL

    private NativeMemory() {}

    /** Allocates {@code bytes} (uninitialised), aligned to 64 bytes. */
    public static MemorySegment allocate(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("negative allocation: " + bytes);
        long rounded = Math.max(ALIGNMENT, (bytes + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT);
        boolean cacheable = cacheable(rounded);
        long block = cacheable ? sizeClass(rounded) : rounded;
        MemorySegment p = cacheable ? takeCached(block) : null;
        if (p == null) {
            p = alignedAlloc(block);
            if (p.address() == 0) {
                releaseCached();
                p = alignedAlloc(block);
            }
        }
        if (p.address() != 0 && block >= HUGE_MIN) adviseHugePages(p.address(), block);
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
        if (!cacheable(rounded) || !keep(segment, sizeClass(rounded))) cFree(segment);
    }

    /** Returns every cached block to the C allocator. */
    public static void releaseCached() {
        synchronized (POOL) {
            while (!ORDER.isEmpty()) evictOldest();
        }
    }

    /**
     * Empties the free-block cache and asks the C allocator to return free memory to the operating system
     * ({@code malloc_trim(0)} where the C library has it, else nothing more). Live memory is untouched.
     */
    public static void trim() {
        releaseCached();
        if (MALLOC_TRIM != null) {
            try {
                int ignored = (int) MALLOC_TRIM.invokeExact(0L);
            } catch (Throwable t) {
                throw new IllegalStateException("malloc_trim failed", t);
            }
        }
    }

    /** Bytes held in the free-block cache (not live, not yet returned to the C allocator). */
    public static long cachedBytes() {
        synchronized (POOL) {
            return cached;
        }
    }

    /** The cache's cap in bytes ({@code -Dvfmtok.memory.cacheBytes}). */
    public static long cacheLimit() { return CACHE_MAX; }

    /**
     * Registers a user of native memory (a loaded model, a generator); when the last open owner closes,
     * {@link #trim} runs, so a host that closed every model is back to its own footprint.
     */
    public static Owner openOwner() {
        OWNERS.incrementAndGet();
        return new Owner();
    }

    /** Open owners (see {@link #openOwner}). */
    public static long openOwners() { return OWNERS.get(); }

    /** A registration of {@link #openOwner}; closing it is idempotent. */
    public static final class Owner implements AutoCloseable {
        private final java.util.concurrent.atomic.AtomicBoolean open = new java.util.concurrent.atomic.AtomicBoolean(true);

        private Owner() {}

        @Override
        public void close() {
            if (open.compareAndSet(true, false) && OWNERS.decrementAndGet() == 0) trim();
        }
    }

    private static MemorySegment takeCached(long block) {
        synchronized (POOL) {
            ArrayDeque<MemorySegment> q = POOL.get(block);
            MemorySegment p = q == null ? null : q.pollLast();
            if (p != null) {
                ORDER.removeFirstOccurrence(p);
                cached -= block;
            }
            return p;
        }
    }

    /** Files a freed block, evicting the longest-cached ones to stay under the cap; false: too big to keep. */
    private static boolean keep(MemorySegment segment, long block) {
        if (block > CACHE_MAX) return false;
        synchronized (POOL) {
            while (cached + block > CACHE_MAX) evictOldest();
            POOL.computeIfAbsent(block, b -> new ArrayDeque<>()).addLast(segment);
            ORDER.addLast(segment);
            cached += block;
            return true;
        }
    }

    private static void evictOldest() {
        MemorySegment p = ORDER.pollFirst();
        long block = sizeClass(p.byteSize());
        POOL.get(block).removeFirstOccurrence(p);
        cached -= block;
        cFree(p);
    }

    /**
     * A quarter of the physical memory, at least 2 GiB: batch-8 decoding at 336² frees hundreds of MB of
     * activations of several sizes, and a 2 GiB cap is too small to keep them: decoding went back to
     * page-faulting.
     * The cap only matters while a model is open: the cache is emptied when the last owner closes.
     */
    private static long defaultCacheBytes() {
        long total = 0;
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            total = os.getTotalMemorySize();
        }
        return Math.max(2L << 30, total / 4);
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

    /** madvise(MADV_HUGEPAGE) over the whole pages of [address, address + bytes); a refusal is ignored (it is advice). */
    private static void adviseHugePages(long address, long bytes) {
        if (MADVISE == null) return;
        long start = (address + PAGE - 1) / PAGE * PAGE, end = (address + bytes) / PAGE * PAGE;
        if (end <= start) return;
        try {
            int ignored = (int) MADVISE.invokeExact(MemorySegment.ofAddress(start), end - start, MADV_HUGEPAGE);
        } catch (Throwable t) {
            throw new IllegalStateException("madvise failed", t);
        }
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
