package org.vfmtok.tensor;

import java.lang.foreign.MemorySegment;

/**
 * A block of device memory shared by a tensor and its views. Owned memory is released by
 * {@link #free()} (normally when its {@link Scope} closes); borrowed memory (a mapped file, a
 * Java-heap segment) is only forgotten. Any access after release fails with a clear message instead
 * of reading freed memory.
 */
public final class Storage {
    private final MemorySegment segment;
    private final Device device;
    private final boolean owned;
    private volatile boolean released;
    private Scope scope;

    private Storage(MemorySegment segment, Device device, boolean owned) {
        this.segment = segment;
        this.device = device;
        this.owned = owned;
    }

    /** Host memory, uninitialised, registered with {@code scope}. */
    public static Storage allocate(long bytes, Scope scope) {
        Storage s = new Storage(NativeMemory.allocate(bytes), Device.CPU, true);
        scope.register(s);
        return s;
    }

    /** Wraps memory owned by someone else (a mapped file, a pinned buffer); never freed by us. */
    public static Storage borrow(MemorySegment segment, Device device) {
        return new Storage(segment, device, false);
    }

    /** Wraps device memory that a device allocator owns, registered with {@code scope}. */
    public static Storage ofDevice(MemorySegment segment, Device device, Scope scope) {
        Storage s = new Storage(segment, device, true);
        scope.register(s);
        return s;
    }

    public MemorySegment segment() {
        if (released) throw new IllegalStateException("tensor storage was used after its scope closed (" + segment.byteSize() + " bytes)");
        return segment;
    }

    public long byteSize() { return segment.byteSize(); }

    /**
     * The address of the memory, readable after release too: device allocators need it to take the
     * memory back when {@link #free()} runs (device storage is a zero-length segment at the device address).
     */
    public long deviceAddress() { return segment.address(); }

    public Device device() { return device; }

    public boolean isReleased() { return released; }

    public Scope scope() { return scope; }

    void setScope(Scope scope) { this.scope = scope; }

    /** Releases the memory now. Idempotent. */
    public synchronized void free() {
        if (released) return;
        released = true;
        if (owned && device.isCpu()) NativeMemory.free(segment);
        else if (owned) DeviceMemory.release(this);
    }

    /** Hook for device backends: how to give device memory back. */
    public static final class DeviceMemory {
        private static volatile java.util.function.Consumer<Storage> releaser = s -> {};
        public static void install(java.util.function.Consumer<Storage> r) { releaser = r; }
        static void release(Storage s) { releaser.accept(s); }
        private DeviceMemory() {}
    }
}
