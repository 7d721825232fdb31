package org.vfmtok.cuda;

import static org.vfmtok.cuda.CTypes.*;

import java.lang.foreign.*;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * cuBLASLt (libcublasLt): matmul descriptors, matrix layouts (with batch count and strided-batch offset),
 * preferences, heuristic algorithm choice and {@code cublasLtMatmul}. Attribute values go in through
 * {@code const void* buf} + size, so callers pass small native buffers.
 */
@SuppressWarnings({"unused", "checkstyle:MethodName"})
public final class CublasLt {
    private CublasLt() {}

    public static final NativeLibrary LIB = CudaLibraries.CUBLASLT;

    /** What {@link SignatureCheck} compiles these declarations against. */
    public static final CHeader HEADER = new CHeader(LIB, List.of("cublasLt.h"), List.of("nvidia/cu13/include", "nvidia/cublas/include"));

    // ------------------------------------------------------------------ C types

    public static final ValueLayout.OfInt cublasStatus_t = i32("cublasStatus_t");
    public static final AddressLayout cublasLtHandle_t = ptr("cublasLtHandle_t");
    public static final ValueLayout.OfInt cublasComputeType_t = i32("cublasComputeType_t");
    public static final ValueLayout.OfInt cudaDataType_t = i32("cudaDataType_t");
    public static final AddressLayout cublasLtMatmulDesc_t = ptr("cublasLtMatmulDesc_t");
    public static final ValueLayout.OfInt cublasLtMatmulDescAttributes_t = i32("cublasLtMatmulDescAttributes_t");
    public static final ValueLayout.OfInt cudaDataType = i32("cudaDataType");
    public static final AddressLayout cublasLtMatrixLayout_t = ptr("cublasLtMatrixLayout_t");
    public static final ValueLayout.OfInt cublasLtMatrixLayoutAttribute_t = i32("cublasLtMatrixLayoutAttribute_t");
    public static final AddressLayout cublasLtMatmulPreference_t = ptr("cublasLtMatmulPreference_t");
    public static final ValueLayout.OfInt cublasLtMatmulPreferenceAttributes_t = i32("cublasLtMatmulPreferenceAttributes_t");
    public static final AddressLayout cudaStream_t = ptr("cudaStream_t");

    // ------------------------------------------------------------------ structs

    /** {@code typedef struct { uint64_t data[8]; } cublasLtMatmulAlgo_t;} (opaque, 64 bytes) */
    public static final StructLayout cublasLtMatmulAlgo_t$LAYOUT = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(8, ValueLayout.JAVA_LONG).withName("data")).withName("cublasLtMatmulAlgo_t");

    /** {@code cublasLtMatmulHeuristicResult_t}: algo, workspaceSize, state, wavesCount, reserved[4]. */
    public static final StructLayout cublasLtMatmulHeuristicResult_t$LAYOUT = MemoryLayout.structLayout(
            cublasLtMatmulAlgo_t$LAYOUT.withName("algo"),
            ValueLayout.JAVA_LONG.withName("workspaceSize"),
            ValueLayout.JAVA_INT.withName("state"),
            ValueLayout.JAVA_FLOAT.withName("wavesCount"),
            MemoryLayout.sequenceLayout(4, ValueLayout.JAVA_INT).withName("reserved")).withName("cublasLtMatmulHeuristicResult_t");

    // ------------------------------------------------------------------ constants (values checked against the headers)

    public static final int CUBLASLT_MATMUL_DESC_COMPUTE_TYPE = 0;
    public static final int CUBLASLT_MATMUL_DESC_SCALE_TYPE = 1;
    public static final int CUBLASLT_MATMUL_DESC_TRANSA = 3;
    public static final int CUBLASLT_MATMUL_DESC_TRANSB = 4;
    public static final int CUBLASLT_MATMUL_DESC_EPILOGUE = 7;
    public static final int CUBLASLT_MATMUL_DESC_BIAS_POINTER = 8;
    public static final int CUBLASLT_MATRIX_LAYOUT_TYPE = 0;
    public static final int CUBLASLT_MATRIX_LAYOUT_ORDER = 1;
    public static final int CUBLASLT_MATRIX_LAYOUT_ROWS = 2;
    public static final int CUBLASLT_MATRIX_LAYOUT_COLS = 3;
    public static final int CUBLASLT_MATRIX_LAYOUT_LD = 4;
    public static final int CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT = 5;
    public static final int CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET = 6;
    public static final int CUBLASLT_ORDER_COL = 0;
    public static final int CUBLASLT_ORDER_ROW = 1;
    public static final int CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES = 1;
    public static final int CUBLASLT_EPILOGUE_DEFAULT = 1;
    public static final int CUBLASLT_EPILOGUE_BIAS = 4;

    // ------------------------------------------------------------------ functions

    public static final FunctionDescriptor cublasLtCreate$DESC = FunctionDescriptor.of(cublasStatus_t, ptr("cublasLtHandle_t*"));

    private static final class cublasLtCreate$H {
        static final MethodHandle H = LIB.downcall("cublasLtCreate", cublasLtCreate$DESC);
    }

    /** {@code cublasStatus_t cublasLtCreate(cublasLtHandle_t* lightHandle)} */
    public static int cublasLtCreate(MemorySegment lightHandle) {
        try {
            return (int) cublasLtCreate$H.H.invokeExact(lightHandle);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cublasLtDestroy$DESC = FunctionDescriptor.of(cublasStatus_t, cublasLtHandle_t);

    private static final class cublasLtDestroy$H {
        static final MethodHandle H = LIB.downcall("cublasLtDestroy", cublasLtDestroy$DESC);
    }

    /** {@code cublasStatus_t cublasLtDestroy(cublasLtHandle_t lightHandle)} */
    public static int cublasLtDestroy(MemorySegment lightHandle) {
        try {
            return (int) cublasLtDestroy$H.H.invokeExact(lightHandle);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cublasLtGetVersion$DESC = FunctionDescriptor.of(SIZE_T);

    private static final class cublasLtGetVersion$H {
        static final MethodHandle H = LIB.downcall("cublasLtGetVersion", cublasLtGetVersion$DESC);
    }

    /** {@code size_t cublasLtGetVersion()} */
    public static long cublasLtGetVersion() {
        try {
            return (long) cublasLtGetVersion$H.H.invokeExact();
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cublasLtMatmulDescCreate$DESC = FunctionDescriptor.of(cublasStatus_t, ptr("cublasLtMatmulDesc_t*"), cublasComputeType_t, cudaDataType_t);

    private static final class cublasLtMatmulDescCreate$H {
        static final MethodHandle H = LIB.downcall("cublasLtMatmulDescCreate", cublasLtMatmulDescCreate$DESC);
    }

    /** {@code cublasStatus_t cublasLtMatmulDescCreate(cublasLtMatmulDesc_t* matmulDesc, cublasComputeType_t computeType, cudaDataType_t scaleType)} */
    public static int cublasLtMatmulDescCreate(MemorySegment matmulDesc, int computeType, int scaleType) {
        try {
            return (int) cublasLtMatmulDescCreate$H.H.invokeExact(matmulDesc, computeType, scaleType);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cublasLtMatmulDescDestroy$DESC = FunctionDescriptor.of(cublasStatus_t, cublasLtMatmulDesc_t);

    private static final class cublasLtMatmulDescDestroy$H {
        static final MethodHandle H = LIB.downcall("cublasLtMatmulDescDestroy", cublasLtMatmulDescDestroy$DESC);
    }

    /** {@code cublasStatus_t cublasLtMatmulDescDestroy(cublasLtMatmulDesc_t matmulDesc)} */
    public static int cublasLtMatmulDescDestroy(MemorySegment matmulDesc) {
        try {
            return (int) cublasLtMatmulDescDestroy$H.H.invokeExact(matmulDesc);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cublasLtMatmulDescSetAttribute$DESC = FunctionDescriptor.of(cublasStatus_t, cublasLtMatmulDesc_t, cublasLtMatmulDescAttributes_t, CONST_VOID_P, SIZE_T);

    private static final class cublasLtMatmulDescSetAttribute$H {
        static final MethodHandle H = LIB.downcall("cublasLtMatmulDescSetAttribute", cublasLtMatmulDescSetAttribute$DESC);
    }

    /** {@code cublasStatus_t cublasLtMatmulDescSetAttribute(cublasLtMatmulDesc_t matmulDesc, cublasLtMatmulDescAttributes_t attr, const void* buf, size_t sizeInBytes)} */
    public static int cublasLtMatmulDescSetAttribute(MemorySegment matmulDesc, int attr, MemorySegment buf, long sizeInBytes) {
        try {
            return (int) cublasLtMatmulDescSetAttribute$H.H.invokeExact(matmulDesc, attr, buf, sizeInBytes);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cublasLtMatrixLayoutCreate$DESC = FunctionDescriptor.of(cublasStatus_t, ptr("cublasLtMatrixLayout_t*"), cudaDataType, UINT64, UINT64, INT64);

    private static final class cublasLtMatrixLayoutCreate$H {
        static final MethodHandle H = LIB.downcall("cublasLtMatrixLayoutCreate", cublasLtMatrixLayoutCreate$DESC);
    }

    /** {@code cublasStatus_t cublasLtMatrixLayoutCreate(cublasLtMatrixLayout_t* matLayout, cudaDataType type, uint64_t rows, uint64_t cols, int64_t ld)} */
    public static int cublasLtMatrixLayoutCreate(MemorySegment matLayout, int type, long rows, long cols, long ld) {
        try {
            return (int) cublasLtMatrixLayoutCreate$H.H.invokeExact(matLayout, type, rows, cols, ld);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cublasLtMatrixLayoutDestroy$DESC = FunctionDescriptor.of(cublasStatus_t, cublasLtMatrixLayout_t);

    private static final class cublasLtMatrixLayoutDestroy$H {
        static final MethodHandle H = LIB.downcall("cublasLtMatrixLayoutDestroy", cublasLtMatrixLayoutDestroy$DESC);
    }

    /** {@code cublasStatus_t cublasLtMatrixLayoutDestroy(cublasLtMatrixLayout_t matLayout)} */
    public static int cublasLtMatrixLayoutDestroy(MemorySegment matLayout) {
        try {
            return (int) cublasLtMatrixLayoutDestroy$H.H.invokeExact(matLayout);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cublasLtMatrixLayoutSetAttribute$DESC = FunctionDescriptor.of(cublasStatus_t, cublasLtMatrixLayout_t, cublasLtMatrixLayoutAttribute_t, CONST_VOID_P, SIZE_T);

    private static final class cublasLtMatrixLayoutSetAttribute$H {
        static final MethodHandle H = LIB.downcall("cublasLtMatrixLayoutSetAttribute", cublasLtMatrixLayoutSetAttribute$DESC);
    }

    /** {@code cublasStatus_t cublasLtMatrixLayoutSetAttribute(cublasLtMatrixLayout_t matLayout, cublasLtMatrixLayoutAttribute_t attr, const void* buf, size_t sizeInBytes)} */
    public static int cublasLtMatrixLayoutSetAttribute(MemorySegment matLayout, int attr, MemorySegment buf, long sizeInBytes) {
        try {
            return (int) cublasLtMatrixLayoutSetAttribute$H.H.invokeExact(matLayout, attr, buf, sizeInBytes);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cublasLtMatmulPreferenceCreate$DESC = FunctionDescriptor.of(cublasStatus_t, ptr("cublasLtMatmulPreference_t*"));

    private static final class cublasLtMatmulPreferenceCreate$H {
        static final MethodHandle H = LIB.downcall("cublasLtMatmulPreferenceCreate", cublasLtMatmulPreferenceCreate$DESC);
    }

    /** {@code cublasStatus_t cublasLtMatmulPreferenceCreate(cublasLtMatmulPreference_t* pref)} */
    public static int cublasLtMatmulPreferenceCreate(MemorySegment pref) {
        try {
            return (int) cublasLtMatmulPreferenceCreate$H.H.invokeExact(pref);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cublasLtMatmulPreferenceDestroy$DESC = FunctionDescriptor.of(cublasStatus_t, cublasLtMatmulPreference_t);

    private static final class cublasLtMatmulPreferenceDestroy$H {
        static final MethodHandle H = LIB.downcall("cublasLtMatmulPreferenceDestroy", cublasLtMatmulPreferenceDestroy$DESC);
    }

    /** {@code cublasStatus_t cublasLtMatmulPreferenceDestroy(cublasLtMatmulPreference_t pref)} */
    public static int cublasLtMatmulPreferenceDestroy(MemorySegment pref) {
        try {
            return (int) cublasLtMatmulPreferenceDestroy$H.H.invokeExact(pref);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cublasLtMatmulPreferenceSetAttribute$DESC = FunctionDescriptor.of(cublasStatus_t, cublasLtMatmulPreference_t, cublasLtMatmulPreferenceAttributes_t, CONST_VOID_P, SIZE_T);

    private static final class cublasLtMatmulPreferenceSetAttribute$H {
        static final MethodHandle H = LIB.downcall("cublasLtMatmulPreferenceSetAttribute", cublasLtMatmulPreferenceSetAttribute$DESC);
    }

    /** {@code cublasStatus_t cublasLtMatmulPreferenceSetAttribute(cublasLtMatmulPreference_t pref, cublasLtMatmulPreferenceAttributes_t attr, const void* buf, size_t sizeInBytes)} */
    public static int cublasLtMatmulPreferenceSetAttribute(MemorySegment pref, int attr, MemorySegment buf, long sizeInBytes) {
        try {
            return (int) cublasLtMatmulPreferenceSetAttribute$H.H.invokeExact(pref, attr, buf, sizeInBytes);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cublasLtMatmulAlgoGetHeuristic$DESC = FunctionDescriptor.of(cublasStatus_t, cublasLtHandle_t, cublasLtMatmulDesc_t, cublasLtMatrixLayout_t, cublasLtMatrixLayout_t, cublasLtMatrixLayout_t, cublasLtMatrixLayout_t, cublasLtMatmulPreference_t, INT, ptr("cublasLtMatmulHeuristicResult_t*"), INT_P);

    private static final class cublasLtMatmulAlgoGetHeuristic$H {
        static final MethodHandle H = LIB.downcall("cublasLtMatmulAlgoGetHeuristic", cublasLtMatmulAlgoGetHeuristic$DESC);
    }

    /** {@code cublasStatus_t cublasLtMatmulAlgoGetHeuristic(cublasLtHandle_t lightHandle, cublasLtMatmulDesc_t operationDesc, cublasLtMatrixLayout_t Adesc, cublasLtMatrixLayout_t Bdesc, cublasLtMatrixLayout_t Cdesc, cublasLtMatrixLayout_t Ddesc, cublasLtMatmulPreference_t preference, int requestedAlgoCount, cublasLtMatmulHeuristicResult_t* heuristicResultsArray, int* returnAlgoCount)} */
    public static int cublasLtMatmulAlgoGetHeuristic(MemorySegment lightHandle, MemorySegment operationDesc, MemorySegment Adesc, MemorySegment Bdesc, MemorySegment Cdesc, MemorySegment Ddesc, MemorySegment preference, int requestedAlgoCount, MemorySegment heuristicResultsArray, MemorySegment returnAlgoCount) {
        try {
            return (int) cublasLtMatmulAlgoGetHeuristic$H.H.invokeExact(lightHandle, operationDesc, Adesc, Bdesc, Cdesc, Ddesc, preference, requestedAlgoCount, heuristicResultsArray, returnAlgoCount);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cublasLtMatmul$DESC = FunctionDescriptor.of(cublasStatus_t, cublasLtHandle_t, cublasLtMatmulDesc_t, CONST_VOID_P, CONST_VOID_P, cublasLtMatrixLayout_t, CONST_VOID_P, cublasLtMatrixLayout_t, CONST_VOID_P, CONST_VOID_P, cublasLtMatrixLayout_t, VOID_P, cublasLtMatrixLayout_t, ptr("const cublasLtMatmulAlgo_t*"), VOID_P, SIZE_T, cudaStream_t);

    private static final class cublasLtMatmul$H {
        static final MethodHandle H = LIB.downcall("cublasLtMatmul", cublasLtMatmul$DESC);
    }

    /** {@code cublasStatus_t cublasLtMatmul(cublasLtHandle_t lightHandle, cublasLtMatmulDesc_t computeDesc, const void* alpha, const void* A, cublasLtMatrixLayout_t Adesc, const void* B, cublasLtMatrixLayout_t Bdesc, const void* beta, const void* C, cublasLtMatrixLayout_t Cdesc, void* D, cublasLtMatrixLayout_t Ddesc, const cublasLtMatmulAlgo_t* algo, void* workspace, size_t workspaceSizeInBytes, cudaStream_t stream)} */
    public static int cublasLtMatmul(MemorySegment lightHandle, MemorySegment computeDesc, MemorySegment alpha, MemorySegment A, MemorySegment Adesc, MemorySegment B, MemorySegment Bdesc, MemorySegment beta, MemorySegment C, MemorySegment Cdesc, MemorySegment D, MemorySegment Ddesc, MemorySegment algo, MemorySegment workspace, long workspaceSizeInBytes, MemorySegment stream) {
        try {
            return (int) cublasLtMatmul$H.H.invokeExact(lightHandle, computeDesc, alpha, A, Adesc, B, Bdesc, beta, C, Cdesc, D, Ddesc, algo, workspace, workspaceSizeInBytes, stream);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

}
