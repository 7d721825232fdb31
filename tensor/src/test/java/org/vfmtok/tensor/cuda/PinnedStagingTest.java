package org.vfmtok.tensor.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Chunked, double-buffered host/device copies on the fake device, whose copies only run when the host
 * waits: a buffer reused too early would show up as corrupted data.
 */
class PinnedStagingTest {
    private static final long CHUNK = 64;
    private static final long STREAM = 7;

    @Test
    void dataSurvivesReuseOfBothBuffers() {
        HostDeviceApi api = new HostDeviceApi();
        try (PinnedStaging st = new PinnedStaging(api, CHUNK); Arena arena = Arena.ofConfined()) {
            Random r = new Random(42);
            for (long n : new long[] {0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK + 3, 5 * CHUNK + 17, 33 * CHUNK}) {
                byte[] data = new byte[(int) n];
                r.nextBytes(data);
                MemorySegment src = arena.allocate(n + 5);
                MemorySegment.copy(MemorySegment.ofArray(data), 0, src, 5, n);
                long dev = api.malloc(Math.max(n, 1));
                st.upload(src, 5, dev, n, STREAM);
                src.fill((byte) 0x55); // the caller reuses its buffer at once
                api.synchronize(STREAM);
                assertArrayEquals(data, api.deviceSegment(dev, n).toArray(ValueLayout.JAVA_BYTE), "upload of " + n + " bytes");

                MemorySegment back = arena.allocate(n + 16);
                back.fill((byte) 0x77);
                st.download(dev, back, 3, n, STREAM);
                assertArrayEquals(data, back.asSlice(3, n).toArray(ValueLayout.JAVA_BYTE), "download of " + n + " bytes");
                assertEquals((byte) 0x77, back.get(ValueLayout.JAVA_BYTE, 2), "nothing written before the offset");
                assertEquals((byte) 0x77, back.get(ValueLayout.JAVA_BYTE, 3 + n), "nothing written after the end");
                api.free(dev);
            }
            assertEquals(2, api.hostMallocs, "two pinned buffers, allocated once and reused");
        }
    }
}
