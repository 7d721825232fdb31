package org.vfmtok.cuda;

import static org.vfmtok.cuda.CTypes.*;

import java.lang.foreign.*;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * cuBLAS (libcublas): handle, stream, workspace, math mode (TF32 via {@code CUBLAS_TF32_TENSOR_OP_MATH}
 * or the compute type {@code CUBLAS_COMPUTE_32F_FAST_TF32}), SGEMM, GEMMEx and their strided-batched forms.
 * cuBLAS is column-major; {@code CudaGemm} maps row-major tensors onto it. The {@code _v2} names are the
 * exported symbols behind cublas_v2.h's macros.
 */
@SuppressWarnings({"unused", "checkstyle:MethodName"})
public final class Cublas {
    private Cublas() {}

    public static final NativeLibrary LIB = CudaLibraries.CUBLAS;

    /** What {@link SignatureCheck} compiles these declarations against. */
    public static final CHeader HEADER = new CHeader(LIB, List.of("cublas_v2.h"), List.of("nvidia/cu13/include", "nvidia/cublas/include"));

    // ------------------------------------------------------------------ C types

    public static final ValueLayout.OfInt cublasStatus_t = i32("cublasStatus_t");
    public static final AddressLayout cublasHandle_t = ptr("cublasHandle_t");
    public static final AddressLayout cudaStream_t = ptr("cudaStream_t");
    public static final ValueLayout.OfInt cublasMath_t = i32("cublasMath_t");
    public static final ValueLayout.OfInt cublasOperation_t = i32("cublasOperation_t");
    public static final ValueLayout.OfInt cudaDataType = i32("cudaDataType");
    public static final ValueLayout.OfInt cublasComputeType_t = i32("cublasComputeType_t");
    public static final ValueLayout.OfInt cublasGemmAlgo_t = i32("cublasGemmAlgo_t");

    // ------------------------------------------------------------------ constants (values checked against the headers)

    public static final int CUBLAS_STATUS_SUCCESS = 0;
    public static final int CUBLAS_STATUS_NOT_INITIALIZED = 1;
    public static final int CUBLAS_STATUS_ALLOC_FAILED = 3;
    public static final int CUBLAS_STATUS_INVALID_VALUE = 7;
    public static final int CUBLAS_STATUS_NOT_SUPPORTED = 15;
    public static final int CUBLAS_OP_N = 0;
    public static final int CUBLAS_OP_T = 1;
    public static final int CUBLAS_DEFAULT_MATH = 0;
    public static final int CUBLAS_PEDANTIC_MATH = 2;
    public static final int CUBLAS_TF32_TENSOR_OP_MATH = 3;
    public static final int CUBLAS_COMPUTE_32F = 68;
    public static final int CUBLAS_COMPUTE_32F_PEDANTIC = 69;
    public static final int CUBLAS_COMPUTE_64F = 70;
    public static final int CUBLAS_COMPUTE_32F_FAST_16BF = 75;
    public static final int CUBLAS_COMPUTE_32F_FAST_TF32 = 77;
    public static final int CUBLAS_GEMM_DEFAULT = -1;
    public static final int CUDA_R_32F = 0;
    public static final int CUDA_R_64F = 1;
    public static final int CUDA_R_16F = 2;
    public static final int CUDA_R_32I = 10;
    public static final int CUDA_R_16BF = 14;

    // ------------------------------------------------------------------ functions

    public static final FunctionDescriptor cublasCreate_v2$DESC = FunctionDescriptor.of(cublasStatus_t, ptr("cublasHandle_t*"));

    private static final class cublasCreate_v2$H {
        static final MethodHandle H = LIB.downcall("cublasCreate_v2", cublasCreate_v2$DESC);
    }

    /** {@code cublasStatus_t cublasCreate_v2(cublasHandle_t* handle)} */
    public static int cublasCreate_v2(MemorySegment handle) {
        try {
            return (int) cublasCreate_v2$H.H.invokeExact(handle);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cublasDestroy_v2$DESC = FunctionDescriptor.of(cublasStatus_t, cublasHandle_t);

    private static final class cublasDestroy_v2$H {
        static final MethodHandle H = LIB.downcall("cublasDestroy_v2", cublasDestroy_v2$DESC);
    }

    /** {@code cublasStatus_t cublasDestroy_v2(cublasHandle_t handle)} */
    public static int cublasDestroy_v2(MemorySegment handle) {
        try {
            return (int) cublasDestroy_v2$H.H.invokeExact(handle);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cublasGetVersion_v2$DESC = FunctionDescriptor.of(cublasStatus_t, cublasHandle_t, INT_P);

    private static final class cublasGetVersion_v2$H {
        static final MethodHandle H = LIB.downcall("cublasGetVersion_v2", cublasGetVersion_v2$DESC);
    }

    /** {@code cublasStatus_t cublasGetVersion_v2(cublasHandle_t handle, int* version)} */
    public static int cublasGetVersion_v2(MemorySegment handle, MemorySegment version) {
        try {
            return (int) cublasGetVersion_v2$H.H.invokeExact(handle, version);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cublasSetStream_v2$DESC = FunctionDescriptor.of(cublasStatus_t, cublasHandle_t, cudaStream_t);

    private static final class cublasSetStream_v2$H {
        static final MethodHandle H = LIB.downcall("cublasSetStream_v2", cublasSetStream_v2$DESC);
    }

    /** {@code cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, cudaStream_t streamId)} */
    public static int cublasSetStream_v2(MemorySegment handle, MemorySegment streamId) {
        try {
            return (int) cublasSetStream_v2$H.H.invokeExact(handle, streamId);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cublasSetWorkspace_v2$DESC = FunctionDescriptor.of(cublasStatus_t, cublasHandle_t, VOID_P, SIZE_T);

    private static final class cublasSetWorkspace_v2$H {
        static final MethodHandle H = LIB.downcall("cublasSetWorkspace_v2", cublasSetWorkspace_v2$DESC);
    }

    /** {@code cublasStatus_t cublasSetWorkspace_v2(cublasHandle_t handle, void* workspace, size_t workspaceSizeInBytes)} */
    public static int cublasSetWorkspace_v2(MemorySegment handle, MemorySegment workspace, long workspaceSizeInBytes) {
        try {
            return (int) cublasSetWorkspace_v2$H.H.invokeExact(handle, workspace, workspaceSizeInBytes);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cublasSetMathMode$DESC = FunctionDescriptor.of(cublasStatus_t, cublasHandle_t, cublasMath_t);

    private static final class cublasSetMathMode$H {
        static final MethodHandle H = LIB.downcall("cublasSetMathMode", cublasSetMathMode$DESC);
    }

    /** {@code cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t mode)} */
    public static int cublasSetMathMode(MemorySegment handle, int mode) {
        try {
            return (int) cublasSetMathMode$H.H.invokeExact(handle, mode);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cublasGetMathMode$DESC = FunctionDescriptor.of(cublasStatus_t, cublasHandle_t, ptr("cublasMath_t*"));

    private static final class cublasGetMathMode$H {
        static final MethodHandle H = LIB.downcall("cublasGetMathMode", cublasGetMathMode$DESC);
    }

    /** {@code cublasStatus_t cublasGetMathMode(cublasHandle_t handle, cublasMath_t* mode)} */
    public static int cublasGetMathMode(MemorySegment handle, MemorySegment mode) {
        try {
            return (int) cublasGetMathMode$H.H.invokeExact(handle, mode);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cublasGetStatusName$DESC = FunctionDescriptor.of(CONST_CHAR_P, cublasStatus_t);

    private static final class cublasGetStatusName$H {
        static final MethodHandle H = LIB.downcall("cublasGetStatusName", cublasGetStatusName$DESC);
    }

    /** {@code const char* cublasGetStatusName(cublasStatus_t status)} */
    public static MemorySegment cublasGetStatusName(int status) {
        try {
            return (MemorySegment) cublasGetStatusName$H.H.invokeExact(status);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cublasGetStatusString$DESC = FunctionDescriptor.of(CONST_CHAR_P, cublasStatus_t);

    private static final class cublasGetStatusString$H {
        static final MethodHandle H = LIB.downcall("cublasGetStatusString", cublasGetStatusString$DESC);
    }

    /** {@code const char* cublasGetStatusString(cublasStatus_t status)} */
    public static MemorySegment cublasGetStatusString(int status) {
        try {
            return (MemorySegment) cublasGetStatusString$H.H.invokeExact(status);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cublasSgemm_v2$DESC = FunctionDescriptor.of(cublasStatus_t, cublasHandle_t, cublasOperation_t, cublasOperation_t, INT, INT, INT, ptr("const float*"), ptr("const float*"), INT, ptr("const float*"), INT, ptr("const float*"), FLOAT_P, INT);

    private static final class cublasSgemm_v2$H {
        static final MethodHandle H = LIB.downcall("cublasSgemm_v2", cublasSgemm_v2$DESC);
    }

    /** {@code cublasStatus_t cublasSgemm_v2(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const float* alpha, const float* A, int lda, const float* B, int ldb, const float* beta, float* C, int ldc)} */
    public static int cublasSgemm_v2(MemorySegment handle, int transa, int transb, int m, int n, int k, MemorySegment alpha, MemorySegment A, int lda, MemorySegment B, int ldb, MemorySegment beta, MemorySegment C, int ldc) {
        try {
            return (int) cublasSgemm_v2$H.H.invokeExact(handle, transa, transb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cublasSgemmStridedBatched$DESC = FunctionDescriptor.of(cublasStatus_t, cublasHandle_t, cublasOperation_t, cublasOperation_t, INT, INT, INT, ptr("const float*"), ptr("const float*"), INT, LONG_LONG, ptr("const float*"), INT, LONG_LONG, ptr("const float*"), FLOAT_P, INT, LONG_LONG, INT);

    private static final class cublasSgemmStridedBatched$H {
        static final MethodHandle H = LIB.downcall("cublasSgemmStridedBatched", cublasSgemmStridedBatched$DESC);
    }

    /** {@code cublasStatus_t cublasSgemmStridedBatched(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const float* alpha, const float* A, int lda, long long int strideA, const float* B, int ldb, long long int strideB, const float* beta, float* C, int ldc, long long int strideC, int batchCount)} */
    public static int cublasSgemmStridedBatched(MemorySegment handle, int transa, int transb, int m, int n, int k, MemorySegment alpha, MemorySegment A, int lda, long strideA, MemorySegment B, int ldb, long strideB, MemorySegment beta, MemorySegment C, int ldc, long strideC, int batchCount) {
        try {
            return (int) cublasSgemmStridedBatched$H.H.invokeExact(handle, transa, transb, m, n, k, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc, strideC, batchCount);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cublasGemmEx$DESC = FunctionDescriptor.of(cublasStatus_t, cublasHandle_t, cublasOperation_t, cublasOperation_t, INT, INT, INT, CONST_VOID_P, CONST_VOID_P, cudaDataType, INT, CONST_VOID_P, cudaDataType, INT, CONST_VOID_P, VOID_P, cudaDataType, INT, cublasComputeType_t, cublasGemmAlgo_t);

    private static final class cublasGemmEx$H {
        static final MethodHandle H = LIB.downcall("cublasGemmEx", cublasGemmEx$DESC);
    }

    /** {@code cublasStatus_t cublasGemmEx(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const void* alpha, const void* A, cudaDataType Atype, int lda, const void* B, cudaDataType Btype, int ldb, const void* beta, void* C, cudaDataType Ctype, int ldc, cublasComputeType_t computeType, cublasGemmAlgo_t algo)} */
    public static int cublasGemmEx(MemorySegment handle, int transa, int transb, int m, int n, int k, MemorySegment alpha, MemorySegment A, int Atype, int lda, MemorySegment B, int Btype, int ldb, MemorySegment beta, MemorySegment C, int Ctype, int ldc, int computeType, int algo) {
        try {
            return (int) cublasGemmEx$H.H.invokeExact(handle, transa, transb, m, n, k, alpha, A, Atype, lda, B, Btype, ldb, beta, C, Ctype, ldc, computeType, algo);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cublasGemmStridedBatchedEx$DESC = FunctionDescriptor.of(cublasStatus_t, cublasHandle_t, cublasOperation_t, cublasOperation_t, INT, INT, INT, CONST_VOID_P, CONST_VOID_P, cudaDataType, INT, LONG_LONG, CONST_VOID_P, cudaDataType, INT, LONG_LONG, CONST_VOID_P, VOID_P, cudaDataType, INT, LONG_LONG, INT, cublasComputeType_t, cublasGemmAlgo_t);

    private static final class cublasGemmStridedBatchedEx$H {
        static final MethodHandle H = LIB.downcall("cublasGemmStridedBatchedEx", cublasGemmStridedBatchedEx$DESC);
    }

    /** {@code cublasStatus_t cublasGemmStridedBatchedEx(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const void* alpha, const void* A, cudaDataType Atype, int lda, long long int strideA, const void* B, cudaDataType Btype, int ldb, long long int strideB, const void* beta, void* C, cudaDataType Ctype, int ldc, long long int strideC, int batchCount, cublasComputeType_t computeType, cublasGemmAlgo_t algo)} */
    public static int cublasGemmStridedBatchedEx(MemorySegment handle, int transa, int transb, int m, int n, int k, MemorySegment alpha, MemorySegment A, int Atype, int lda, long strideA, MemorySegment B, int Btype, int ldb, long strideB, MemorySegment beta, MemorySegment C, int Ctype, int ldc, long strideC, int batchCount, int computeType, int algo) {
        try {
            return (int) cublasGemmStridedBatchedEx$H.H.invokeExact(handle, transa, transb, m, n, k, alpha, A, Atype, lda, strideA, B, Btype, ldb, strideB, beta, C, Ctype, ldc, strideC, batchCount, computeType, algo);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

}
