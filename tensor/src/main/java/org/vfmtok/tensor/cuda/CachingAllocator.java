package org.vfmtok.tensor.cuda;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A caching device allocator in the style of PyTorch's: cudaMalloc/cudaFree synchronise the device and
 * are slow, so freed blocks are kept in free lists and handed out again.
 *
 * <ul>
 *   <li><b>Size classes.</b> Requests are rounded up: to 512 bytes up to 1 MiB, then to one of eight
 *       steps per power of two (at most 12.5% waste) up to 64 MiB, then to 2 MiB. A request is served
 *       by a cached block of its class or of a slightly larger one (at most 25% larger).</li>
 *   <li><b>Streams.</b> A block belongs to the stream it was allocated for and is reused only for that
 *       stream: work on one stream runs in order, so a block freed on the host while kernels that use
 *       it are still queued can be handed to the next allocation at once. A block also used on other
 *       streams ({@link #recordStream}) waits, after its free, for an event recorded on each of those
 *       streams before it returns to the free list.</li>
 *   <li><b>Out of memory.</b> When cudaMalloc fails, every cached block is released (after a device
 *       synchronisation) and the allocation is retried once; a second failure reports the request and
 *       the allocator's state.</li>
 * </ul>
 * Thread-safe. All sizes in bytes.
 */
public final class CachingAllocator {
    static final long SMALL = 1L << 20;
    static final long MEDIUM = 64L << 20;
    static final long LARGE_STEP = 2L << 20;

    private record Block(long ptr, long size, long stream) {}

    private record Pending(Block block, List<Long> events) {}

    private final DeviceApi api;
    private final String device;
    /** stream → size class → cached blocks */
    private final Map<Long, TreeMap<Long, ArrayDeque<Block>>> free = new HashMap<>();
    private final Map<Long, Block> live = new HashMap<>();
    private final Map<Long, Set<Long>> otherStreams = new HashMap<>();
    private final List<Pending> pending = new ArrayList<>();

    private long allocated, cached, peakAllocated, mallocs, hits;

    public CachingAllocator(DeviceApi api, String device) {
        this.api = api;
        this.device = device;
    }

    /** The size class of a request (always >= 512 bytes, and >= bytes). */
    public static long roundUp(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("negative allocation: " + bytes);
        if (bytes <= SMALL) return Math.max(512, (bytes + 511) / 512 * 512);
        if (bytes <= MEDIUM) {
            int shift = 63 - Long.numberOfLeadingZeros(bytes - 1) - 3; // 8 steps between powers of two
            long step = 1L << shift;
            return (bytes + step - 1) / step * step;
        }
        return (bytes + LARGE_STEP - 1) / LARGE_STEP * LARGE_STEP;
    }

    /** Device memory of at least {@code bytes} for use on {@code stream}. */
    public synchronized long allocate(long bytes, long stream) {
        long size = roundUp(bytes);
        collectPending();
        Block b = takeCached(size, stream);
        if (b != null) {
            hits++;
        } else {
            long ptr;
            try {
                ptr = api.malloc(size);
            } catch (DeviceApi.DeviceOutOfMemoryException first) {
                releaseCached();
                try {
                    ptr = api.malloc(size);
                } catch (DeviceApi.DeviceOutOfMemoryException second) {
                    throw new DeviceApi.DeviceOutOfMemoryException(device + ": out of memory allocating " + bytes + " bytes (class "
                            + size + "): " + allocated + " bytes in use by tensors, all cached blocks released; free tensors"
                            + " (close their Scope) or use smaller batches");
                }
            }
            mallocs++;
            b = new Block(ptr, size, stream);
        }
        live.put(b.ptr(), b);
        allocated += b.size();
        peakAllocated = Math.max(peakAllocated, allocated);
        return b.ptr();
    }

    /** Marks a live block as used on another stream: its reuse will wait for that stream's work. */
    public synchronized void recordStream(long ptr, long stream) {
        Block b = live.get(ptr);
        if (b == null) throw new IllegalArgumentException("recordStream of an address that is not allocated: 0x" + Long.toHexString(ptr));
        if (stream != b.stream()) otherStreams.computeIfAbsent(ptr, k -> new HashSet<>()).add(stream);
    }

    /** Returns a block to the cache (never to the device; see {@link #releaseCached}). */
    public synchronized void free(long ptr) {
        Block b = live.remove(ptr);
        if (b == null) throw new IllegalArgumentException("free of an address that is not allocated: 0x" + Long.toHexString(ptr));
        allocated -= b.size();
        cached += b.size();
        Set<Long> others = otherStreams.remove(ptr);
        if (others == null || others.isEmpty()) {
            cache(b);
            return;
        }
        List<Long> events = new ArrayList<>();
        for (long s : others) {
            long e = api.createEvent();
            api.recordEvent(e, s);
            events.add(e);
        }
        pending.add(new Pending(b, events));
    }

    /** Gives every cached block back to the device (after waiting for all work on it). */
    public synchronized void releaseCached() {
        api.synchronizeDevice();
        collectPending();
        for (TreeMap<Long, ArrayDeque<Block>> bySize : free.values()) {
            for (ArrayDeque<Block> q : bySize.values()) {
                for (Block b : q) {
                    api.free(b.ptr());
                    cached -= b.size();
                }
            }
        }
        free.clear();
    }

    /** Bytes in blocks handed out and not yet freed. */
    public synchronized long allocatedBytes() { return allocated; }

    /** Bytes held in the cache (freed by tensors, still owned by the allocator). */
    public synchronized long cachedBytes() { return cached; }

    public synchronized long peakAllocatedBytes() { return peakAllocated; }

    /** cudaMalloc calls so far. */
    public synchronized long mallocCount() { return mallocs; }

    /** Allocations served from the cache. */
    public synchronized long cacheHits() { return hits; }

    @Override
    public synchronized String toString() {
        return device + " allocator: " + allocated + " B in use (peak " + peakAllocated + "), " + cached + " B cached, " + mallocs
                + " cudaMalloc, " + hits + " cache hits";
    }

    private Block takeCached(long size, long stream) {
        TreeMap<Long, ArrayDeque<Block>> bySize = free.get(stream);
        if (bySize == null) return null;
        var e = bySize.ceilingEntry(size);
        if (e == null || e.getKey() > size + size / 4) return null;
        Block b = e.getValue().poll();
        if (e.getValue().isEmpty()) bySize.remove(e.getKey());
        cached -= b.size();
        return b;
    }

    private void cache(Block b) {
        free.computeIfAbsent(b.stream(), k -> new TreeMap<>()).computeIfAbsent(b.size(), k -> new ArrayDeque<>()).push(b);
    }

    /** Moves pending blocks whose events have all completed into the free lists. */
    private void collectPending() {
        for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            boolean done = true;
            for (long e : p.events()) done &= api.eventDone(e);
            if (!done) continue;
            for (long e : p.events()) api.destroyEvent(e);
            cache(p.block());
            it.remove();
        }
    }
}
