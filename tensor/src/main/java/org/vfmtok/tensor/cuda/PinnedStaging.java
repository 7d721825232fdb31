package org.vfmtok.tensor.cuda;

import java.lang.foreign.MemorySegment;

/**
 * Host↔device copies through page-locked ("pinned") staging buffers. Ordinary (pageable) host memory
 * cannot be copied asynchronously by the DMA engines, so data goes through two pinned buffers of
 * {@code chunk} bytes used in turn: while the device copies one chunk, the host fills (or drains) the
 * other. Each buffer carries an event recorded after its last copy; the host waits on it before it
 * touches the buffer again. Both directions return only when the host-side data may be reused (upload)
 * or has arrived (download). One user at a time (synchronized).
 */
final class PinnedStaging implements AutoCloseable {
    private final DeviceApi api;
    private final long chunk;
    private final long[] ptr = new long[2];
    private final MemorySegment[] host = new MemorySegment[2];
    private final long[] event = new long[2];
    private final boolean[] busy = new boolean[2];
    private int next;

    PinnedStaging(DeviceApi api, long chunk) {
        this.api = api;
        this.chunk = chunk;
    }

    private void ensure(int i) {
        if (ptr[i] != 0) return;
        ptr[i] = api.mallocHost(chunk);
        host[i] = api.hostSegment(ptr[i], chunk);
        event[i] = api.createEvent();
    }

    /** Waits until buffer i's previous copy has finished. */
    private void settle(int i) {
        if (busy[i]) {
            api.waitEvent(event[i]);
            busy[i] = false;
        }
    }

    /** Copies {@code bytes} from host {@code src} (at {@code srcOffset}) to device address {@code dst}. */
    synchronized void upload(MemorySegment src, long srcOffset, long dst, long bytes, long stream) {
        for (long done = 0; done < bytes; ) {
            int i = next;
            next ^= 1;
            ensure(i);
            settle(i);
            long n = Math.min(chunk, bytes - done);
            MemorySegment.copy(src, srcOffset + done, host[i], 0, n);
            api.copyAsync(dst + done, ptr[i], n, DeviceApi.HOST_TO_DEVICE, stream);
            api.recordEvent(event[i], stream);
            busy[i] = true;
            done += n;
        }
        // the source may be freed by the caller now: every byte of it is in a pinned buffer or on the device
    }

    /** Copies {@code bytes} from device address {@code src} into host {@code dst} (at {@code dstOffset}). */
    synchronized void download(long src, MemorySegment dst, long dstOffset, long bytes, long stream) {
        long issued = 0, drained = 0;
        int[] owner = new int[2];
        long[] at = new long[2], len = new long[2];
        // keep up to two chunks in flight; drain them in order
        while (drained < bytes) {
            while (issued < bytes && issued - drained < 2 * chunk) {
                int i = next;
                next ^= 1;
                ensure(i);
                settle(i);
                long n = Math.min(chunk, bytes - issued);
                api.copyAsync(ptr[i], src + issued, n, DeviceApi.DEVICE_TO_HOST, stream);
                api.recordEvent(event[i], stream);
                busy[i] = true;
                int slot = (int) ((issued / chunk) & 1);
                owner[slot] = i;
                at[slot] = issued;
                len[slot] = n;
                issued += n;
            }
            int slot = (int) ((drained / chunk) & 1);
            int i = owner[slot];
            settle(i);
            MemorySegment.copy(host[i], 0, dst, dstOffset + at[slot], len[slot]);
            drained += len[slot];
        }
    }

    @Override
    public synchronized void close() {
        for (int i = 0; i < 2; i++) {
            if (ptr[i] == 0) continue;
            settle(i);
            api.destroyEvent(event[i]);
            api.freeHost(ptr[i]);
            ptr[i] = 0;
        }
    }
}
