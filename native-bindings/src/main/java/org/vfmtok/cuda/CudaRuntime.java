package org.vfmtok.cuda;

import static org.vfmtok.cuda.CTypes.*;

import java.lang.foreign.*;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * The CUDA runtime API (libcudart): devices, memory, copies, streams, events. Hand-written in jextract's
 * form: one {@code FunctionDescriptor} ({@code name$DESC}, named C types), a lazily created handle
 * (nested holder class: the library loads on the first call) and a static wrapper per function.
 * Wrappers return the raw {@code cudaError_t}; {@link CudaCheck} turns it into exceptions.
 */
@SuppressWarnings({"unused", "checkstyle:MethodName"})
public final class CudaRuntime {
    private CudaRuntime() {}

    public static final NativeLibrary LIB = CudaLibraries.CUDART;

    /** What {@link SignatureCheck} compiles these declarations against. */
    public static final CHeader HEADER = new CHeader(LIB, List.of("cuda_runtime_api.h"), List.of("nvidia/cu13/include", "nvidia/cuda_runtime/include"));

    // ------------------------------------------------------------------ C types

    public static final ValueLayout.OfInt cudaError_t = i32("cudaError_t");
    public static final AddressLayout cudaStream_t = ptr("cudaStream_t");
    public static final AddressLayout cudaEvent_t = ptr("cudaEvent_t");

    // ------------------------------------------------------------------ constants (values checked against the headers)

    public static final int cudaSuccess = 0;
    public static final int cudaErrorMemoryAllocation = 2;
    public static final int cudaErrorInsufficientDriver = 35;
    public static final int cudaErrorNoDevice = 100;
    public static final int cudaErrorNotReady = 600;
    public static final int cudaMemcpyHostToHost = 0;
    public static final int cudaMemcpyHostToDevice = 1;
    public static final int cudaMemcpyDeviceToHost = 2;
    public static final int cudaMemcpyDeviceToDevice = 3;
    public static final int cudaMemcpyDefault = 4;
    public static final int cudaStreamNonBlocking = 0x01;
    public static final int cudaEventDefault = 0x00;
    public static final int cudaEventDisableTiming = 0x02;
    public static final int cudaDevAttrMaxThreadsPerBlock = 1;
    public static final int cudaDevAttrMaxGridDimX = 5;
    public static final int cudaDevAttrMaxSharedMemoryPerBlock = 8;
    public static final int cudaDevAttrWarpSize = 10;
    public static final int cudaDevAttrMultiProcessorCount = 16;
    public static final int cudaDevAttrComputeCapabilityMajor = 75;
    public static final int cudaDevAttrComputeCapabilityMinor = 76;
    public static final int cudaDevAttrMaxSharedMemoryPerBlockOptin = 97;

    // ------------------------------------------------------------------ functions

    public static final FunctionDescriptor cudaGetErrorString$DESC = FunctionDescriptor.of(CONST_CHAR_P, cudaError_t);

    private static final class cudaGetErrorString$H {
        static final MethodHandle H = LIB.downcall("cudaGetErrorString", cudaGetErrorString$DESC);
    }

    /** {@code const char* cudaGetErrorString(cudaError_t error)} */
    public static MemorySegment cudaGetErrorString(int error) {
        try {
            return (MemorySegment) cudaGetErrorString$H.H.invokeExact(error);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudaGetErrorName$DESC = FunctionDescriptor.of(CONST_CHAR_P, cudaError_t);

    private static final class cudaGetErrorName$H {
        static final MethodHandle H = LIB.downcall("cudaGetErrorName", cudaGetErrorName$DESC);
    }

    /** {@code const char* cudaGetErrorName(cudaError_t error)} */
    public static MemorySegment cudaGetErrorName(int error) {
        try {
            return (MemorySegment) cudaGetErrorName$H.H.invokeExact(error);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudaGetLastError$DESC = FunctionDescriptor.of(cudaError_t);

    private static final class cudaGetLastError$H {
        static final MethodHandle H = LIB.downcall("cudaGetLastError", cudaGetLastError$DESC);
    }

    /** {@code cudaError_t cudaGetLastError()} */
    public static int cudaGetLastError() {
        try {
            return (int) cudaGetLastError$H.H.invokeExact();
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudaRuntimeGetVersion$DESC = FunctionDescriptor.of(cudaError_t, INT_P);

    private static final class cudaRuntimeGetVersion$H {
        static final MethodHandle H = LIB.downcall("cudaRuntimeGetVersion", cudaRuntimeGetVersion$DESC);
    }

    /** {@code cudaError_t cudaRuntimeGetVersion(int* runtimeVersion)} */
    public static int cudaRuntimeGetVersion(MemorySegment runtimeVersion) {
        try {
            return (int) cudaRuntimeGetVersion$H.H.invokeExact(runtimeVersion);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudaDriverGetVersion$DESC = FunctionDescriptor.of(cudaError_t, INT_P);

    private static final class cudaDriverGetVersion$H {
        static final MethodHandle H = LIB.downcall("cudaDriverGetVersion", cudaDriverGetVersion$DESC);
    }

    /** {@code cudaError_t cudaDriverGetVersion(int* driverVersion)} */
    public static int cudaDriverGetVersion(MemorySegment driverVersion) {
        try {
            return (int) cudaDriverGetVersion$H.H.invokeExact(driverVersion);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudaGetDeviceCount$DESC = FunctionDescriptor.of(cudaError_t, INT_P);

    private static final class cudaGetDeviceCount$H {
        static final MethodHandle H = LIB.downcall("cudaGetDeviceCount", cudaGetDeviceCount$DESC);
    }

    /** {@code cudaError_t cudaGetDeviceCount(int* count)} */
    public static int cudaGetDeviceCount(MemorySegment count) {
        try {
            return (int) cudaGetDeviceCount$H.H.invokeExact(count);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudaSetDevice$DESC = FunctionDescriptor.of(cudaError_t, INT);

    private static final class cudaSetDevice$H {
        static final MethodHandle H = LIB.downcall("cudaSetDevice", cudaSetDevice$DESC);
    }

    /** {@code cudaError_t cudaSetDevice(int device)} */
    public static int cudaSetDevice(int device) {
        try {
            return (int) cudaSetDevice$H.H.invokeExact(device);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudaGetDevice$DESC = FunctionDescriptor.of(cudaError_t, INT_P);

    private static final class cudaGetDevice$H {
        static final MethodHandle H = LIB.downcall("cudaGetDevice", cudaGetDevice$DESC);
    }

    /** {@code cudaError_t cudaGetDevice(int* device)} */
    public static int cudaGetDevice(MemorySegment device) {
        try {
            return (int) cudaGetDevice$H.H.invokeExact(device);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudaDeviceGetAttribute$DESC = FunctionDescriptor.of(cudaError_t, INT_P, i32("enum cudaDeviceAttr"), INT);

    private static final class cudaDeviceGetAttribute$H {
        static final MethodHandle H = LIB.downcall("cudaDeviceGetAttribute", cudaDeviceGetAttribute$DESC);
    }

    /** {@code cudaError_t cudaDeviceGetAttribute(int* value, enum cudaDeviceAttr attr, int device)} */
    public static int cudaDeviceGetAttribute(MemorySegment value, int attr, int device) {
        try {
            return (int) cudaDeviceGetAttribute$H.H.invokeExact(value, attr, device);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudaDeviceSynchronize$DESC = FunctionDescriptor.of(cudaError_t);

    private static final class cudaDeviceSynchronize$H {
        static final MethodHandle H = LIB.downcall("cudaDeviceSynchronize", cudaDeviceSynchronize$DESC);
    }

    /** {@code cudaError_t cudaDeviceSynchronize()} */
    public static int cudaDeviceSynchronize() {
        try {
            return (int) cudaDeviceSynchronize$H.H.invokeExact();
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudaDeviceCanAccessPeer$DESC = FunctionDescriptor.of(cudaError_t, INT_P, INT, INT);

    private static final class cudaDeviceCanAccessPeer$H {
        static final MethodHandle H = LIB.downcall("cudaDeviceCanAccessPeer", cudaDeviceCanAccessPeer$DESC);
    }

    /** {@code cudaError_t cudaDeviceCanAccessPeer(int* canAccessPeer, int device, int peerDevice)} */
    public static int cudaDeviceCanAccessPeer(MemorySegment canAccessPeer, int device, int peerDevice) {
        try {
            return (int) cudaDeviceCanAccessPeer$H.H.invokeExact(canAccessPeer, device, peerDevice);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudaDeviceEnablePeerAccess$DESC = FunctionDescriptor.of(cudaError_t, INT, UINT);

    private static final class cudaDeviceEnablePeerAccess$H {
        static final MethodHandle H = LIB.downcall("cudaDeviceEnablePeerAccess", cudaDeviceEnablePeerAccess$DESC);
    }

    /** {@code cudaError_t cudaDeviceEnablePeerAccess(int peerDevice, unsigned int flags)} */
    public static int cudaDeviceEnablePeerAccess(int peerDevice, int flags) {
        try {
            return (int) cudaDeviceEnablePeerAccess$H.H.invokeExact(peerDevice, flags);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudaMemGetInfo$DESC = FunctionDescriptor.of(cudaError_t, SIZE_T_P, SIZE_T_P);

    private static final class cudaMemGetInfo$H {
        static final MethodHandle H = LIB.downcall("cudaMemGetInfo", cudaMemGetInfo$DESC);
    }

    /** {@code cudaError_t cudaMemGetInfo(size_t* free, size_t* total)} */
    public static int cudaMemGetInfo(MemorySegment free, MemorySegment total) {
        try {
            return (int) cudaMemGetInfo$H.H.invokeExact(free, total);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudaMalloc$DESC = FunctionDescriptor.of(cudaError_t, VOID_PP, SIZE_T);

    private static final class cudaMalloc$H {
        static final MethodHandle H = LIB.downcall("cudaMalloc", cudaMalloc$DESC);
    }

    /** {@code cudaError_t cudaMalloc(void** devPtr, size_t size)} */
    public static int cudaMalloc(MemorySegment devPtr, long size) {
        try {
            return (int) cudaMalloc$H.H.invokeExact(devPtr, size);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudaFree$DESC = FunctionDescriptor.of(cudaError_t, VOID_P);

    private static final class cudaFree$H {
        static final MethodHandle H = LIB.downcall("cudaFree", cudaFree$DESC);
    }

    /** {@code cudaError_t cudaFree(void* devPtr)} */
    public static int cudaFree(MemorySegment devPtr) {
        try {
            return (int) cudaFree$H.H.invokeExact(devPtr);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudaMallocHost$DESC = FunctionDescriptor.of(cudaError_t, VOID_PP, SIZE_T);

    private static final class cudaMallocHost$H {
        static final MethodHandle H = LIB.downcall("cudaMallocHost", cudaMallocHost$DESC);
    }

    /** {@code cudaError_t cudaMallocHost(void** ptr, size_t size)} */
    public static int cudaMallocHost(MemorySegment ptr, long size) {
        try {
            return (int) cudaMallocHost$H.H.invokeExact(ptr, size);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudaFreeHost$DESC = FunctionDescriptor.of(cudaError_t, VOID_P);

    private static final class cudaFreeHost$H {
        static final MethodHandle H = LIB.downcall("cudaFreeHost", cudaFreeHost$DESC);
    }

    /** {@code cudaError_t cudaFreeHost(void* ptr)} */
    public static int cudaFreeHost(MemorySegment ptr) {
        try {
            return (int) cudaFreeHost$H.H.invokeExact(ptr);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudaMemcpy$DESC = FunctionDescriptor.of(cudaError_t, VOID_P, CONST_VOID_P, SIZE_T, i32("enum cudaMemcpyKind"));

    private static final class cudaMemcpy$H {
        static final MethodHandle H = LIB.downcall("cudaMemcpy", cudaMemcpy$DESC);
    }

    /** {@code cudaError_t cudaMemcpy(void* dst, const void* src, size_t count, enum cudaMemcpyKind kind)} */
    public static int cudaMemcpy(MemorySegment dst, MemorySegment src, long count, int kind) {
        try {
            return (int) cudaMemcpy$H.H.invokeExact(dst, src, count, kind);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudaMemcpyAsync$DESC = FunctionDescriptor.of(cudaError_t, VOID_P, CONST_VOID_P, SIZE_T, i32("enum cudaMemcpyKind"), cudaStream_t);

    private static final class cudaMemcpyAsync$H {
        static final MethodHandle H = LIB.downcall("cudaMemcpyAsync", cudaMemcpyAsync$DESC);
    }

    /** {@code cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t count, enum cudaMemcpyKind kind, cudaStream_t stream)} */
    public static int cudaMemcpyAsync(MemorySegment dst, MemorySegment src, long count, int kind, MemorySegment stream) {
        try {
            return (int) cudaMemcpyAsync$H.H.invokeExact(dst, src, count, kind, stream);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudaMemcpyPeerAsync$DESC = FunctionDescriptor.of(cudaError_t, VOID_P, INT, CONST_VOID_P, INT, SIZE_T, cudaStream_t);

    private static final class cudaMemcpyPeerAsync$H {
        static final MethodHandle H = LIB.downcall("cudaMemcpyPeerAsync", cudaMemcpyPeerAsync$DESC);
    }

    /** {@code cudaError_t cudaMemcpyPeerAsync(void* dst, int dstDevice, const void* src, int srcDevice, size_t count, cudaStream_t stream)} */
    public static int cudaMemcpyPeerAsync(MemorySegment dst, int dstDevice, MemorySegment src, int srcDevice, long count, MemorySegment stream) {
        try {
            return (int) cudaMemcpyPeerAsync$H.H.invokeExact(dst, dstDevice, src, srcDevice, count, stream);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudaMemsetAsync$DESC = FunctionDescriptor.of(cudaError_t, VOID_P, INT, SIZE_T, cudaStream_t);

    private static final class cudaMemsetAsync$H {
        static final MethodHandle H = LIB.downcall("cudaMemsetAsync", cudaMemsetAsync$DESC);
    }

    /** {@code cudaError_t cudaMemsetAsync(void* devPtr, int value, size_t count, cudaStream_t stream)} */
    public static int cudaMemsetAsync(MemorySegment devPtr, int value, long count, MemorySegment stream) {
        try {
            return (int) cudaMemsetAsync$H.H.invokeExact(devPtr, value, count, stream);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudaStreamCreateWithFlags$DESC = FunctionDescriptor.of(cudaError_t, ptr("cudaStream_t*"), UINT);

    private static final class cudaStreamCreateWithFlags$H {
        static final MethodHandle H = LIB.downcall("cudaStreamCreateWithFlags", cudaStreamCreateWithFlags$DESC);
    }

    /** {@code cudaError_t cudaStreamCreateWithFlags(cudaStream_t* pStream, unsigned int flags)} */
    public static int cudaStreamCreateWithFlags(MemorySegment pStream, int flags) {
        try {
            return (int) cudaStreamCreateWithFlags$H.H.invokeExact(pStream, flags);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudaStreamDestroy$DESC = FunctionDescriptor.of(cudaError_t, cudaStream_t);

    private static final class cudaStreamDestroy$H {
        static final MethodHandle H = LIB.downcall("cudaStreamDestroy", cudaStreamDestroy$DESC);
    }

    /** {@code cudaError_t cudaStreamDestroy(cudaStream_t stream)} */
    public static int cudaStreamDestroy(MemorySegment stream) {
        try {
            return (int) cudaStreamDestroy$H.H.invokeExact(stream);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudaStreamSynchronize$DESC = FunctionDescriptor.of(cudaError_t, cudaStream_t);

    private static final class cudaStreamSynchronize$H {
        static final MethodHandle H = LIB.downcall("cudaStreamSynchronize", cudaStreamSynchronize$DESC);
    }

    /** {@code cudaError_t cudaStreamSynchronize(cudaStream_t stream)} */
    public static int cudaStreamSynchronize(MemorySegment stream) {
        try {
            return (int) cudaStreamSynchronize$H.H.invokeExact(stream);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudaStreamWaitEvent$DESC = FunctionDescriptor.of(cudaError_t, cudaStream_t, cudaEvent_t, UINT);

    private static final class cudaStreamWaitEvent$H {
        static final MethodHandle H = LIB.downcall("cudaStreamWaitEvent", cudaStreamWaitEvent$DESC);
    }

    /** {@code cudaError_t cudaStreamWaitEvent(cudaStream_t stream, cudaEvent_t event, unsigned int flags)} */
    public static int cudaStreamWaitEvent(MemorySegment stream, MemorySegment event, int flags) {
        try {
            return (int) cudaStreamWaitEvent$H.H.invokeExact(stream, event, flags);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudaEventCreateWithFlags$DESC = FunctionDescriptor.of(cudaError_t, ptr("cudaEvent_t*"), UINT);

    private static final class cudaEventCreateWithFlags$H {
        static final MethodHandle H = LIB.downcall("cudaEventCreateWithFlags", cudaEventCreateWithFlags$DESC);
    }

    /** {@code cudaError_t cudaEventCreateWithFlags(cudaEvent_t* event, unsigned int flags)} */
    public static int cudaEventCreateWithFlags(MemorySegment event, int flags) {
        try {
            return (int) cudaEventCreateWithFlags$H.H.invokeExact(event, flags);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudaEventDestroy$DESC = FunctionDescriptor.of(cudaError_t, cudaEvent_t);

    private static final class cudaEventDestroy$H {
        static final MethodHandle H = LIB.downcall("cudaEventDestroy", cudaEventDestroy$DESC);
    }

    /** {@code cudaError_t cudaEventDestroy(cudaEvent_t event)} */
    public static int cudaEventDestroy(MemorySegment event) {
        try {
            return (int) cudaEventDestroy$H.H.invokeExact(event);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudaEventRecord$DESC = FunctionDescriptor.of(cudaError_t, cudaEvent_t, cudaStream_t);

    private static final class cudaEventRecord$H {
        static final MethodHandle H = LIB.downcall("cudaEventRecord", cudaEventRecord$DESC);
    }

    /** {@code cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream)} */
    public static int cudaEventRecord(MemorySegment event, MemorySegment stream) {
        try {
            return (int) cudaEventRecord$H.H.invokeExact(event, stream);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudaEventQuery$DESC = FunctionDescriptor.of(cudaError_t, cudaEvent_t);

    private static final class cudaEventQuery$H {
        static final MethodHandle H = LIB.downcall("cudaEventQuery", cudaEventQuery$DESC);
    }

    /** {@code cudaError_t cudaEventQuery(cudaEvent_t event)} */
    public static int cudaEventQuery(MemorySegment event) {
        try {
            return (int) cudaEventQuery$H.H.invokeExact(event);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudaEventSynchronize$DESC = FunctionDescriptor.of(cudaError_t, cudaEvent_t);

    private static final class cudaEventSynchronize$H {
        static final MethodHandle H = LIB.downcall("cudaEventSynchronize", cudaEventSynchronize$DESC);
    }

    /** {@code cudaError_t cudaEventSynchronize(cudaEvent_t event)} */
    public static int cudaEventSynchronize(MemorySegment event) {
        try {
            return (int) cudaEventSynchronize$H.H.invokeExact(event);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudaEventElapsedTime$DESC = FunctionDescriptor.of(cudaError_t, FLOAT_P, cudaEvent_t, cudaEvent_t);

    private static final class cudaEventElapsedTime$H {
        static final MethodHandle H = LIB.downcall("cudaEventElapsedTime", cudaEventElapsedTime$DESC);
    }

    /** {@code cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t start, cudaEvent_t end)} */
    public static int cudaEventElapsedTime(MemorySegment ms, MemorySegment start, MemorySegment end) {
        try {
            return (int) cudaEventElapsedTime$H.H.invokeExact(ms, start, end);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

}
