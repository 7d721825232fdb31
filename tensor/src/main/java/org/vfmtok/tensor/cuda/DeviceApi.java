package org.vfmtok.tensor.cuda;

import java.lang.foreign.MemorySegment;

/**
 * The device operations the allocator and the copy paths need, as plain addresses ({@code long}).
 * {@link RuntimeDeviceApi} implements them with the CUDA runtime; tests substitute a host-memory
 * version so that the caching and staging logic runs on machines without a GPU. Copies and memsets
 * are asynchronous on the given stream; events order the host against a stream.
 */
public interface DeviceApi {
    /** cudaMemcpyKind values. */
    int HOST_TO_DEVICE = 1, DEVICE_TO_HOST = 2, DEVICE_TO_DEVICE = 3;

    /** Device memory; throws {@link DeviceOutOfMemoryException} when the device is full. */
    long malloc(long bytes);

    void free(long ptr);

    /** Page-locked host memory (the staging buffers of host/device copies). */
    long mallocHost(long bytes);

    void freeHost(long ptr);

    /** Host view of page-locked memory from {@link #mallocHost}. */
    default MemorySegment hostSegment(long ptr, long bytes) { return MemorySegment.ofAddress(ptr).reinterpret(bytes); }

    void copyAsync(long dst, long src, long bytes, int kind, long stream);

    void memsetAsync(long ptr, int value, long bytes, long stream);

    long createEvent();

    void recordEvent(long event, long stream);

    /** True when all work captured by the event has finished (cudaEventQuery). */
    boolean eventDone(long event);

    /** Blocks the host until the event has completed. */
    void waitEvent(long event);

    void destroyEvent(long event);

    /** Blocks the host until all work on the stream has finished. */
    void synchronize(long stream);

    /** Blocks the host until all work on the device has finished. */
    void synchronizeDevice();

    /** The device cannot satisfy an allocation (cudaErrorMemoryAllocation). */
    final class DeviceOutOfMemoryException extends RuntimeException {
        public DeviceOutOfMemoryException(String message) { super(message); }
    }
}
