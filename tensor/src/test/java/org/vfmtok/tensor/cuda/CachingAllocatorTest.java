package org.vfmtok.tensor.cuda;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** The caching allocator's bookkeeping on a fake device (no GPU needed). */
class CachingAllocatorTest {
    private final HostDeviceApi api = new HostDeviceApi();
    private final CachingAllocator alloc = new CachingAllocator(api, "fake:0");
    private static final long S1 = 11, S2 = 22;

    @Test
    void sizeClasses() {
        assertEquals(512, CachingAllocator.roundUp(0));
        assertEquals(512, CachingAllocator.roundUp(1));
        assertEquals(1024, CachingAllocator.roundUp(513));
        assertEquals(1L << 20, CachingAllocator.roundUp(1L << 20));
        // eight steps per power of two above 1 MiB: at most 12.5% waste
        for (long b : new long[] {(1L << 20) + 1, 3_000_000, 7_777_777, 33_554_433, 64L << 20}) {
            long c = CachingAllocator.roundUp(b);
            assertTrue(c >= b && c <= b + b / 8 + 1, b + " -> " + c);
        }
        assertEquals(66L << 20, CachingAllocator.roundUp((64L << 20) + 1)); // 2 MiB steps beyond 64 MiB
        assertThrows(IllegalArgumentException.class, () -> CachingAllocator.roundUp(-1));
    }

    @Test
    void freedBlocksAreReusedOnTheSameStreamOnly() {
        long a = alloc.allocate(1000, S1);
        assertEquals(1, api.mallocs);
        assertEquals(1024, alloc.allocatedBytes());
        alloc.free(a);
        assertEquals(0, alloc.allocatedBytes());
        assertEquals(1024, alloc.cachedBytes());
        long b = alloc.allocate(1024, S1);
        assertEquals(a, b, "same class, same stream: the cached block comes back");
        assertEquals(1, api.mallocs);
        assertEquals(1, alloc.cacheHits());
        alloc.free(b);
        long c = alloc.allocate(1000, S2);
        assertNotEquals(a, c, "another stream never gets a block still in the first stream's order");
        assertEquals(2, api.mallocs);
    }

    @Test
    void aSlightlyLargerCachedBlockServesButNotAMuchLargerOne() {
        long big = alloc.allocate(4L << 20, S1);
        alloc.free(big);
        assertEquals(big, alloc.allocate((4L << 20) - 300_000, S1), "within 25%: reused");
        long big2 = alloc.allocate(8L << 20, S1);
        alloc.free(big2);
        long small = alloc.allocate(1L << 20, S1);
        assertNotEquals(big2, small, "an 8 MiB block is not wasted on a 1 MiB request");
    }

    @Test
    void crossStreamUseDelaysReuseUntilTheOtherStreamIsDone() {
        long a = alloc.allocate(4096, S1);
        api.copyAsync(a, a, 16, DeviceApi.DEVICE_TO_DEVICE, S2); // queued work on S2 that uses the block
        alloc.recordStream(a, S2);
        alloc.free(a);
        long b = alloc.allocate(4096, S1);
        assertNotEquals(a, b, "S2 has not finished with the block");
        alloc.free(b);
        api.progress(); // S2's work completes
        long c = alloc.allocate(4096, S1);
        assertTrue(c == a || c == b, "after the event, the block is back in S1's free list");
    }

    @Test
    void outOfMemoryReleasesTheCacheAndRetriesOnce() {
        api.capacity = 3L << 20;
        long a = alloc.allocate(1L << 20, S1), b = alloc.allocate(1L << 20, S2);
        alloc.free(a);
        alloc.free(b);
        // 2 MiB request: cached blocks are the wrong class; the device is "full" until they go back
        long c = alloc.allocate(2L << 20, S1);
        assertTrue(api.deviceSyncs >= 1, "the cache is released only after the device is idle");
        assertEquals(2, api.frees);
        assertEquals(2L << 20, alloc.allocatedBytes());
        assertEquals(0, alloc.cachedBytes());
        DeviceApi.DeviceOutOfMemoryException e = assertThrows(DeviceApi.DeviceOutOfMemoryException.class, () -> alloc.allocate(2L << 20, S1));
        assertTrue(e.getMessage().contains("out of memory allocating 2097152 bytes") && e.getMessage().contains(" in use by tensors"), e.getMessage());
        alloc.free(c);
    }

    @Test
    void badFreesAreCaught() {
        assertThrows(IllegalArgumentException.class, () -> alloc.free(12345));
        long a = alloc.allocate(10, S1);
        alloc.free(a);
        assertThrows(IllegalArgumentException.class, () -> alloc.free(a), "double free");
        assertThrows(IllegalArgumentException.class, () -> alloc.recordStream(a, S2));
    }

    @Test
    void peakAndReleaseCached() {
        long a = alloc.allocate(1 << 20, S1), b = alloc.allocate(1 << 20, S1);
        assertEquals(2L << 20, alloc.peakAllocatedBytes());
        alloc.free(a);
        alloc.free(b);
        assertEquals(2L << 20, alloc.peakAllocatedBytes());
        alloc.releaseCached();
        assertEquals(0, alloc.cachedBytes());
        assertEquals(0, api.used);
        assertTrue(alloc.toString().contains("0 B in use"), alloc.toString());
    }
}
