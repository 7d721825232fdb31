package org.vfmtok.tensor;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** The block cache of NativeMemory: reuse within a size class, exact live accounting, release. */
class NativeMemoryTest {
    @Test
    void largeBlocksAreReusedWithinTheirSizeClass() {
        long live = NativeMemory.liveBytes();
        long size = (3L << 20) + 64;
        MemorySegment a = NativeMemory.allocate(size);
        assertEquals(size, a.byteSize(), "the segment has the requested size");
        assertEquals(live + size, NativeMemory.liveBytes());
        long address = a.address();
        a.set(java.lang.foreign.ValueLayout.JAVA_FLOAT, size - 4, 1f);
        NativeMemory.free(a);
        assertEquals(live, NativeMemory.liveBytes(), "a cached block is not live");
        // classes are eighths of an octave (2.25, 2.5, ... 4 MiB): 3 MiB + 200000 bytes shares 3.25 MiB
        MemorySegment b = NativeMemory.allocate((3 << 20) + 200_000);
        assertEquals(address, b.address(), "freed block reused");
        assertEquals((3L << 20) + 200_000, b.byteSize(), "the new request's size");
        b.set(java.lang.foreign.ValueLayout.JAVA_FLOAT, b.byteSize() - 4, 2f); // the whole request is writable
        NativeMemory.free(b);
        NativeMemory.releaseCached();
        assertEquals(live, NativeMemory.liveBytes());
        // small blocks are never cached (the C allocator reuses those itself)
        MemorySegment c = NativeMemory.allocate(1000);
        assertEquals(1024, c.byteSize());
        NativeMemory.free(c);
        assertEquals(live, NativeMemory.liveBytes());
    }

    @Test
    void theCacheIsEmptiedWhenTheLastOwnerCloses() {
        assertEquals(0, NativeMemory.openOwners(), "no model open in the tensor tests");
        NativeMemory.Owner a = NativeMemory.openOwner(), b = NativeMemory.openOwner();
        NativeMemory.free(NativeMemory.allocate(5L << 20));
        assertTrue(NativeMemory.cachedBytes() >= 5L << 20, "a freed large block is cached");
        a.close();
        a.close(); // idempotent: b still counts
        assertEquals(1, NativeMemory.openOwners());
        assertTrue(NativeMemory.cachedBytes() >= 5L << 20, "kept while an owner is open");
        b.close();
        assertEquals(0, NativeMemory.cachedBytes(), "released with the last owner");
        assertTrue(NativeMemory.cacheLimit() > 0);
    }

    @Test
    void trimEmptiesTheCacheAndLeavesLiveMemory() {
        long live = NativeMemory.liveBytes();
        MemorySegment kept = NativeMemory.allocate(2L << 20);
        NativeMemory.free(NativeMemory.allocate(7L << 20));
        assertTrue(NativeMemory.cachedBytes() > 0);
        NativeMemory.trim(); // malloc_trim(0) on glibc, a no-op elsewhere
        assertEquals(0, NativeMemory.cachedBytes());
        kept.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 1);
        NativeMemory.free(kept);
        NativeMemory.trim();
        assertEquals(live, NativeMemory.liveBytes());
    }
}
