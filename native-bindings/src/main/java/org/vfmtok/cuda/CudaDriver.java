package org.vfmtok.cuda;

import static org.vfmtok.cuda.CTypes.*;

import java.lang.foreign.*;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * The CUDA driver API (libcuda), for what the runtime does not offer: loading PTX/cubin modules and
 * launching their kernels ({@code cuModuleLoadData}, {@code cuModuleGetFunction}, {@code cuLaunchKernel}).
 * The project makes the runtime's primary context current (cudaSetDevice) before using these, so both
 * APIs share one context. Versioned symbols ({@code cuDeviceTotalMem_v2}) are bound by their exported
 * names, which is what cuda.h's macros expand to.
 */
@SuppressWarnings({"unused", "checkstyle:MethodName"})
public final class CudaDriver {
    private CudaDriver() {}

    public static final NativeLibrary LIB = CudaLibraries.DRIVER;

    /** What {@link SignatureCheck} compiles these declarations against. */
    public static final CHeader HEADER = new CHeader(LIB, List.of("cuda.h"), List.of("nvidia/cu13/include", "nvidia/cuda_runtime/include"));

    // ------------------------------------------------------------------ C types

    public static final ValueLayout.OfInt CUresult = i32("CUresult");
    public static final ValueLayout.OfInt CUdevice = i32("CUdevice");
    public static final AddressLayout CUcontext = ptr("CUcontext");
    public static final AddressLayout CUmodule = ptr("CUmodule");
    public static final AddressLayout CUfunction = ptr("CUfunction");
    public static final ValueLayout.OfInt CUfunction_attribute = i32("CUfunction_attribute");
    public static final AddressLayout CUstream = ptr("CUstream");

    // ------------------------------------------------------------------ constants (values checked against the headers)

    public static final int CUDA_SUCCESS = 0;
    public static final int CUDA_ERROR_NOT_INITIALIZED = 3;
    public static final int CUDA_ERROR_NO_DEVICE = 100;
    public static final int CUDA_ERROR_NOT_FOUND = 500;
    public static final int CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8;

    // ------------------------------------------------------------------ functions

    public static final FunctionDescriptor cuInit$DESC = FunctionDescriptor.of(CUresult, UINT);

    private static final class cuInit$H {
        static final MethodHandle H = LIB.downcall("cuInit", cuInit$DESC);
    }

    /** {@code CUresult cuInit(unsigned int Flags)} */
    public static int cuInit(int Flags) {
        try {
            return (int) cuInit$H.H.invokeExact(Flags);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cuDriverGetVersion$DESC = FunctionDescriptor.of(CUresult, INT_P);

    private static final class cuDriverGetVersion$H {
        static final MethodHandle H = LIB.downcall("cuDriverGetVersion", cuDriverGetVersion$DESC);
    }

    /** {@code CUresult cuDriverGetVersion(int* driverVersion)} */
    public static int cuDriverGetVersion(MemorySegment driverVersion) {
        try {
            return (int) cuDriverGetVersion$H.H.invokeExact(driverVersion);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cuDeviceGet$DESC = FunctionDescriptor.of(CUresult, ptr("CUdevice*"), INT);

    private static final class cuDeviceGet$H {
        static final MethodHandle H = LIB.downcall("cuDeviceGet", cuDeviceGet$DESC);
    }

    /** {@code CUresult cuDeviceGet(CUdevice* device, int ordinal)} */
    public static int cuDeviceGet(MemorySegment device, int ordinal) {
        try {
            return (int) cuDeviceGet$H.H.invokeExact(device, ordinal);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cuDeviceGetCount$DESC = FunctionDescriptor.of(CUresult, INT_P);

    private static final class cuDeviceGetCount$H {
        static final MethodHandle H = LIB.downcall("cuDeviceGetCount", cuDeviceGetCount$DESC);
    }

    /** {@code CUresult cuDeviceGetCount(int* count)} */
    public static int cuDeviceGetCount(MemorySegment count) {
        try {
            return (int) cuDeviceGetCount$H.H.invokeExact(count);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cuDeviceGetName$DESC = FunctionDescriptor.of(CUresult, CHAR_P, INT, CUdevice);

    private static final class cuDeviceGetName$H {
        static final MethodHandle H = LIB.downcall("cuDeviceGetName", cuDeviceGetName$DESC);
    }

    /** {@code CUresult cuDeviceGetName(char* name, int len, CUdevice dev)} */
    public static int cuDeviceGetName(MemorySegment name, int len, int dev) {
        try {
            return (int) cuDeviceGetName$H.H.invokeExact(name, len, dev);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cuDeviceTotalMem_v2$DESC = FunctionDescriptor.of(CUresult, SIZE_T_P, CUdevice);

    private static final class cuDeviceTotalMem_v2$H {
        static final MethodHandle H = LIB.downcall("cuDeviceTotalMem_v2", cuDeviceTotalMem_v2$DESC);
    }

    /** {@code CUresult cuDeviceTotalMem_v2(size_t* bytes, CUdevice dev)} */
    public static int cuDeviceTotalMem_v2(MemorySegment bytes, int dev) {
        try {
            return (int) cuDeviceTotalMem_v2$H.H.invokeExact(bytes, dev);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cuDevicePrimaryCtxRetain$DESC = FunctionDescriptor.of(CUresult, ptr("CUcontext*"), CUdevice);

    private static final class cuDevicePrimaryCtxRetain$H {
        static final MethodHandle H = LIB.downcall("cuDevicePrimaryCtxRetain", cuDevicePrimaryCtxRetain$DESC);
    }

    /** {@code CUresult cuDevicePrimaryCtxRetain(CUcontext* pctx, CUdevice dev)} */
    public static int cuDevicePrimaryCtxRetain(MemorySegment pctx, int dev) {
        try {
            return (int) cuDevicePrimaryCtxRetain$H.H.invokeExact(pctx, dev);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cuCtxSetCurrent$DESC = FunctionDescriptor.of(CUresult, CUcontext);

    private static final class cuCtxSetCurrent$H {
        static final MethodHandle H = LIB.downcall("cuCtxSetCurrent", cuCtxSetCurrent$DESC);
    }

    /** {@code CUresult cuCtxSetCurrent(CUcontext ctx)} */
    public static int cuCtxSetCurrent(MemorySegment ctx) {
        try {
            return (int) cuCtxSetCurrent$H.H.invokeExact(ctx);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cuCtxGetCurrent$DESC = FunctionDescriptor.of(CUresult, ptr("CUcontext*"));

    private static final class cuCtxGetCurrent$H {
        static final MethodHandle H = LIB.downcall("cuCtxGetCurrent", cuCtxGetCurrent$DESC);
    }

    /** {@code CUresult cuCtxGetCurrent(CUcontext* pctx)} */
    public static int cuCtxGetCurrent(MemorySegment pctx) {
        try {
            return (int) cuCtxGetCurrent$H.H.invokeExact(pctx);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cuModuleLoadData$DESC = FunctionDescriptor.of(CUresult, ptr("CUmodule*"), CONST_VOID_P);

    private static final class cuModuleLoadData$H {
        static final MethodHandle H = LIB.downcall("cuModuleLoadData", cuModuleLoadData$DESC);
    }

    /** {@code CUresult cuModuleLoadData(CUmodule* module, const void* image)} */
    public static int cuModuleLoadData(MemorySegment module, MemorySegment image) {
        try {
            return (int) cuModuleLoadData$H.H.invokeExact(module, image);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cuModuleUnload$DESC = FunctionDescriptor.of(CUresult, CUmodule);

    private static final class cuModuleUnload$H {
        static final MethodHandle H = LIB.downcall("cuModuleUnload", cuModuleUnload$DESC);
    }

    /** {@code CUresult cuModuleUnload(CUmodule hmod)} */
    public static int cuModuleUnload(MemorySegment hmod) {
        try {
            return (int) cuModuleUnload$H.H.invokeExact(hmod);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cuModuleGetFunction$DESC = FunctionDescriptor.of(CUresult, ptr("CUfunction*"), CUmodule, CONST_CHAR_P);

    private static final class cuModuleGetFunction$H {
        static final MethodHandle H = LIB.downcall("cuModuleGetFunction", cuModuleGetFunction$DESC);
    }

    /** {@code CUresult cuModuleGetFunction(CUfunction* hfunc, CUmodule hmod, const char* name)} */
    public static int cuModuleGetFunction(MemorySegment hfunc, MemorySegment hmod, MemorySegment name) {
        try {
            return (int) cuModuleGetFunction$H.H.invokeExact(hfunc, hmod, name);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cuFuncSetAttribute$DESC = FunctionDescriptor.of(CUresult, CUfunction, CUfunction_attribute, INT);

    private static final class cuFuncSetAttribute$H {
        static final MethodHandle H = LIB.downcall("cuFuncSetAttribute", cuFuncSetAttribute$DESC);
    }

    /** {@code CUresult cuFuncSetAttribute(CUfunction hfunc, CUfunction_attribute attrib, int value)} */
    public static int cuFuncSetAttribute(MemorySegment hfunc, int attrib, int value) {
        try {
            return (int) cuFuncSetAttribute$H.H.invokeExact(hfunc, attrib, value);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cuLaunchKernel$DESC = FunctionDescriptor.of(CUresult, CUfunction, UINT, UINT, UINT, UINT, UINT, UINT, UINT, CUstream, VOID_PP, VOID_PP);

    private static final class cuLaunchKernel$H {
        static final MethodHandle H = LIB.downcall("cuLaunchKernel", cuLaunchKernel$DESC);
    }

    /** {@code CUresult cuLaunchKernel(CUfunction f, unsigned int gridDimX, unsigned int gridDimY, unsigned int gridDimZ, unsigned int blockDimX, unsigned int blockDimY, unsigned int blockDimZ, unsigned int sharedMemBytes, CUstream hStream, void** kernelParams, void** extra)} */
    public static int cuLaunchKernel(MemorySegment f, int gridDimX, int gridDimY, int gridDimZ, int blockDimX, int blockDimY, int blockDimZ, int sharedMemBytes, MemorySegment hStream, MemorySegment kernelParams, MemorySegment extra) {
        try {
            return (int) cuLaunchKernel$H.H.invokeExact(f, gridDimX, gridDimY, gridDimZ, blockDimX, blockDimY, blockDimZ, sharedMemBytes, hStream, kernelParams, extra);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cuGetErrorString$DESC = FunctionDescriptor.of(CUresult, CUresult, CONST_CHAR_PP);

    private static final class cuGetErrorString$H {
        static final MethodHandle H = LIB.downcall("cuGetErrorString", cuGetErrorString$DESC);
    }

    /** {@code CUresult cuGetErrorString(CUresult error, const char** pStr)} */
    public static int cuGetErrorString(int error, MemorySegment pStr) {
        try {
            return (int) cuGetErrorString$H.H.invokeExact(error, pStr);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cuGetErrorName$DESC = FunctionDescriptor.of(CUresult, CUresult, CONST_CHAR_PP);

    private static final class cuGetErrorName$H {
        static final MethodHandle H = LIB.downcall("cuGetErrorName", cuGetErrorName$DESC);
    }

    /** {@code CUresult cuGetErrorName(CUresult error, const char** pStr)} */
    public static int cuGetErrorName(int error, MemorySegment pStr) {
        try {
            return (int) cuGetErrorName$H.H.invokeExact(error, pStr);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

}
