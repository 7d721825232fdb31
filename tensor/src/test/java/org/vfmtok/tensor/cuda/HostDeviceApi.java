package org.vfmtok.tensor.cuda;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.vfmtok.tensor.NativeMemory;

/**
 * A fake GPU in host memory for testing the allocator and staging logic. Asynchrony is simulated
 * faithfully: copies and memsets are queued per stream and only run when the host waits (an event,
 * the stream, the device), so code that reuses a buffer before waiting reads stale data here exactly
 * as it would on a GPU. {@link #capacity} bounds "device" memory to test out-of-memory handling.
 */
final class HostDeviceApi implements DeviceApi {
    private final Map<Long, ArrayDeque<Runnable>> queues = new HashMap<>();
    private final Map<Long, Long> eventPos = new HashMap<>();   // event -> ticket it waits for
    private final Map<Long, Long> eventStream = new HashMap<>();
    private final Map<Long, Long> issued = new HashMap<>();      // stream -> tickets issued
    private final Map<Long, Long> done = new HashMap<>();        // stream -> tickets completed
    private final Map<Long, MemorySegment> device = new HashMap<>();
    private final Set<Long> host = new HashSet<>();
    private long nextEvent = 1;
    long capacity = Long.MAX_VALUE;
    long used;
    int mallocs, frees, hostMallocs, deviceSyncs;

    @Override
    public long malloc(long bytes) {
        if (used + bytes > capacity) throw new DeviceOutOfMemoryException("fake device full");
        MemorySegment s = NativeMemory.allocate(bytes);
        device.put(s.address(), s);
        used += bytes;
        mallocs++;
        return s.address();
    }

    @Override
    public void free(long ptr) {
        MemorySegment s = device.remove(ptr);
        if (s == null) throw new IllegalStateException("free of unknown device pointer");
        used -= s.byteSize();
        NativeMemory.free(s);
        frees++;
    }

    @Override
    public long mallocHost(long bytes) {
        long p = NativeMemory.allocate(bytes).address();
        host.add(p);
        hostMallocs++;
        return p;
    }

    @Override
    public void freeHost(long ptr) {
        if (!host.remove(ptr)) throw new IllegalStateException("freeHost of unknown pointer");
    }

    private MemorySegment at(long address, long bytes) { return MemorySegment.ofAddress(address).reinterpret(bytes); }

    private void enqueue(long stream, Runnable r) {
        queues.computeIfAbsent(stream, k -> new ArrayDeque<>()).add(r);
        issued.merge(stream, 1L, Long::sum);
    }

    @Override
    public void copyAsync(long dst, long src, long bytes, int kind, long stream) {
        enqueue(stream, () -> MemorySegment.copy(at(src, bytes), 0, at(dst, bytes), 0, bytes));
    }

    @Override
    public void memsetAsync(long ptr, int value, long bytes, long stream) {
        enqueue(stream, () -> at(ptr, bytes).fill((byte) value));
    }

    /** Runs queued work of a stream up to ticket {@code upTo}. */
    private void runUntil(long stream, long upTo) {
        ArrayDeque<Runnable> q = queues.computeIfAbsent(stream, k -> new ArrayDeque<>());
        while (done.getOrDefault(stream, 0L) < upTo) {
            q.poll().run();
            done.merge(stream, 1L, Long::sum);
        }
    }

    @Override public long createEvent() { return nextEvent++; }

    @Override
    public void recordEvent(long event, long stream) {
        eventPos.put(event, issued.getOrDefault(stream, 0L));
        eventStream.put(event, stream);
    }

    @Override
    public boolean eventDone(long event) {
        Long s = eventStream.get(event);
        return s == null || done.getOrDefault(s, 0L) >= eventPos.get(event);
    }

    /** Makes the work behind an event complete "in the background" (as a GPU would, eventually). */
    void progress() { for (long s : queues.keySet()) runUntil(s, issued.getOrDefault(s, 0L)); }

    @Override
    public void waitEvent(long event) {
        Long s = eventStream.get(event);
        if (s != null) runUntil(s, eventPos.get(event));
    }

    @Override public void destroyEvent(long event) {
        eventPos.remove(event);
        eventStream.remove(event);
    }

    @Override public void synchronize(long stream) { runUntil(stream, issued.getOrDefault(stream, 0L)); }

    @Override
    public void synchronizeDevice() {
        deviceSyncs++;
        progress();
    }

    MemorySegment deviceSegment(long ptr, long bytes) { return at(ptr, bytes); }
}
