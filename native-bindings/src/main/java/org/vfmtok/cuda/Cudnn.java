package org.vfmtok.cuda;

import static org.vfmtok.cuda.CTypes.*;

import java.lang.foreign.*;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * cuDNN 9 (libcudnn) through its legacy descriptor API: tensor, filter and convolution descriptors,
 * convolution forward / backward data / backward filter with algorithm query
 * ({@code cudnnGet*Algorithm_v7}) and workspace size, and bias gradient. These functions are marked
 * deprecated in cuDNN 9 but still exported; the graph API would replace them if they go.
 */
@SuppressWarnings({"unused", "checkstyle:MethodName"})
public final class Cudnn {
    private Cudnn() {}

    public static final NativeLibrary LIB = CudaLibraries.CUDNN;

    /** What {@link SignatureCheck} compiles these declarations against. */
    public static final CHeader HEADER = new CHeader(LIB, List.of("cudnn.h"), List.of("nvidia/cudnn/include"));

    // ------------------------------------------------------------------ C types

    public static final ValueLayout.OfInt cudnnStatus_t = i32("cudnnStatus_t");
    public static final AddressLayout cudnnHandle_t = ptr("cudnnHandle_t");
    public static final AddressLayout cudaStream_t = ptr("cudaStream_t");
    public static final AddressLayout cudnnTensorDescriptor_t = ptr("cudnnTensorDescriptor_t");
    public static final ValueLayout.OfInt cudnnTensorFormat_t = i32("cudnnTensorFormat_t");
    public static final ValueLayout.OfInt cudnnDataType_t = i32("cudnnDataType_t");
    public static final AddressLayout cudnnFilterDescriptor_t = ptr("cudnnFilterDescriptor_t");
    public static final AddressLayout cudnnConvolutionDescriptor_t = ptr("cudnnConvolutionDescriptor_t");
    public static final ValueLayout.OfInt cudnnConvolutionMode_t = i32("cudnnConvolutionMode_t");
    public static final ValueLayout.OfInt cudnnMathType_t = i32("cudnnMathType_t");
    public static final ValueLayout.OfInt cudnnConvolutionFwdAlgo_t = i32("cudnnConvolutionFwdAlgo_t");
    public static final ValueLayout.OfInt cudnnConvolutionBwdDataAlgo_t = i32("cudnnConvolutionBwdDataAlgo_t");
    public static final ValueLayout.OfInt cudnnConvolutionBwdFilterAlgo_t = i32("cudnnConvolutionBwdFilterAlgo_t");

    /** The {@code cudnnConvolution*AlgoPerf_t} structs share this layout: algo, status, time, memory, determinism, mathType, reserved[3]. */
    private static StructLayout perf(String name) {
        return MemoryLayout.structLayout(
                ValueLayout.JAVA_INT.withName("algo"),
                ValueLayout.JAVA_INT.withName("status"),
                ValueLayout.JAVA_FLOAT.withName("time"),
                MemoryLayout.paddingLayout(4),
                ValueLayout.JAVA_LONG.withName("memory"),
                ValueLayout.JAVA_INT.withName("determinism"),
                ValueLayout.JAVA_INT.withName("mathType"),
                MemoryLayout.sequenceLayout(3, ValueLayout.JAVA_INT).withName("reserved"),
                MemoryLayout.paddingLayout(4)).withName(name);
    }

    public static final StructLayout cudnnConvolutionFwdAlgoPerf_t$LAYOUT = perf("cudnnConvolutionFwdAlgoPerf_t");
    public static final StructLayout cudnnConvolutionBwdDataAlgoPerf_t$LAYOUT = perf("cudnnConvolutionBwdDataAlgoPerf_t");
    public static final StructLayout cudnnConvolutionBwdFilterAlgoPerf_t$LAYOUT = perf("cudnnConvolutionBwdFilterAlgoPerf_t");

    // ------------------------------------------------------------------ constants (values checked against the headers)

    public static final int CUDNN_STATUS_SUCCESS = 0;
    public static final int CUDNN_DATA_FLOAT = 0;
    public static final int CUDNN_DATA_DOUBLE = 1;
    public static final int CUDNN_DATA_HALF = 2;
    public static final int CUDNN_DATA_BFLOAT16 = 9;
    public static final int CUDNN_TENSOR_NCHW = 0;
    public static final int CUDNN_CONVOLUTION = 0;
    public static final int CUDNN_CROSS_CORRELATION = 1;
    public static final int CUDNN_DEFAULT_MATH = 0;
    public static final int CUDNN_TENSOR_OP_MATH = 1;
    public static final int CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION = 2;
    public static final int CUDNN_FMA_MATH = 3;

    // ------------------------------------------------------------------ functions

    public static final FunctionDescriptor cudnnGetVersion$DESC = FunctionDescriptor.of(SIZE_T);

    private static final class cudnnGetVersion$H {
        static final MethodHandle H = LIB.downcall("cudnnGetVersion", cudnnGetVersion$DESC);
    }

    /** {@code size_t cudnnGetVersion()} */
    public static long cudnnGetVersion() {
        try {
            return (long) cudnnGetVersion$H.H.invokeExact();
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudnnGetErrorString$DESC = FunctionDescriptor.of(CONST_CHAR_P, cudnnStatus_t);

    private static final class cudnnGetErrorString$H {
        static final MethodHandle H = LIB.downcall("cudnnGetErrorString", cudnnGetErrorString$DESC);
    }

    /** {@code const char* cudnnGetErrorString(cudnnStatus_t status)} */
    public static MemorySegment cudnnGetErrorString(int status) {
        try {
            return (MemorySegment) cudnnGetErrorString$H.H.invokeExact(status);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudnnCreate$DESC = FunctionDescriptor.of(cudnnStatus_t, ptr("cudnnHandle_t*"));

    private static final class cudnnCreate$H {
        static final MethodHandle H = LIB.downcall("cudnnCreate", cudnnCreate$DESC);
    }

    /** {@code cudnnStatus_t cudnnCreate(cudnnHandle_t* handle)} */
    public static int cudnnCreate(MemorySegment handle) {
        try {
            return (int) cudnnCreate$H.H.invokeExact(handle);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudnnDestroy$DESC = FunctionDescriptor.of(cudnnStatus_t, cudnnHandle_t);

    private static final class cudnnDestroy$H {
        static final MethodHandle H = LIB.downcall("cudnnDestroy", cudnnDestroy$DESC);
    }

    /** {@code cudnnStatus_t cudnnDestroy(cudnnHandle_t handle)} */
    public static int cudnnDestroy(MemorySegment handle) {
        try {
            return (int) cudnnDestroy$H.H.invokeExact(handle);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudnnSetStream$DESC = FunctionDescriptor.of(cudnnStatus_t, cudnnHandle_t, cudaStream_t);

    private static final class cudnnSetStream$H {
        static final MethodHandle H = LIB.downcall("cudnnSetStream", cudnnSetStream$DESC);
    }

    /** {@code cudnnStatus_t cudnnSetStream(cudnnHandle_t handle, cudaStream_t streamId)} */
    public static int cudnnSetStream(MemorySegment handle, MemorySegment streamId) {
        try {
            return (int) cudnnSetStream$H.H.invokeExact(handle, streamId);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudnnCreateTensorDescriptor$DESC = FunctionDescriptor.of(cudnnStatus_t, ptr("cudnnTensorDescriptor_t*"));

    private static final class cudnnCreateTensorDescriptor$H {
        static final MethodHandle H = LIB.downcall("cudnnCreateTensorDescriptor", cudnnCreateTensorDescriptor$DESC);
    }

    /** {@code cudnnStatus_t cudnnCreateTensorDescriptor(cudnnTensorDescriptor_t* tensorDesc)} */
    public static int cudnnCreateTensorDescriptor(MemorySegment tensorDesc) {
        try {
            return (int) cudnnCreateTensorDescriptor$H.H.invokeExact(tensorDesc);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudnnSetTensor4dDescriptor$DESC = FunctionDescriptor.of(cudnnStatus_t, cudnnTensorDescriptor_t, cudnnTensorFormat_t, cudnnDataType_t, INT, INT, INT, INT);

    private static final class cudnnSetTensor4dDescriptor$H {
        static final MethodHandle H = LIB.downcall("cudnnSetTensor4dDescriptor", cudnnSetTensor4dDescriptor$DESC);
    }

    /** {@code cudnnStatus_t cudnnSetTensor4dDescriptor(cudnnTensorDescriptor_t tensorDesc, cudnnTensorFormat_t format, cudnnDataType_t dataType, int n, int c, int h, int w)} */
    public static int cudnnSetTensor4dDescriptor(MemorySegment tensorDesc, int format, int dataType, int n, int c, int h, int w) {
        try {
            return (int) cudnnSetTensor4dDescriptor$H.H.invokeExact(tensorDesc, format, dataType, n, c, h, w);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudnnSetTensorNdDescriptor$DESC = FunctionDescriptor.of(cudnnStatus_t, cudnnTensorDescriptor_t, cudnnDataType_t, INT, ptr("const int*"), ptr("const int*"));

    private static final class cudnnSetTensorNdDescriptor$H {
        static final MethodHandle H = LIB.downcall("cudnnSetTensorNdDescriptor", cudnnSetTensorNdDescriptor$DESC);
    }

    /** {@code cudnnStatus_t cudnnSetTensorNdDescriptor(cudnnTensorDescriptor_t tensorDesc, cudnnDataType_t dataType, int nbDims, const int* dimA, const int* strideA)} */
    public static int cudnnSetTensorNdDescriptor(MemorySegment tensorDesc, int dataType, int nbDims, MemorySegment dimA, MemorySegment strideA) {
        try {
            return (int) cudnnSetTensorNdDescriptor$H.H.invokeExact(tensorDesc, dataType, nbDims, dimA, strideA);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudnnDestroyTensorDescriptor$DESC = FunctionDescriptor.of(cudnnStatus_t, cudnnTensorDescriptor_t);

    private static final class cudnnDestroyTensorDescriptor$H {
        static final MethodHandle H = LIB.downcall("cudnnDestroyTensorDescriptor", cudnnDestroyTensorDescriptor$DESC);
    }

    /** {@code cudnnStatus_t cudnnDestroyTensorDescriptor(cudnnTensorDescriptor_t tensorDesc)} */
    public static int cudnnDestroyTensorDescriptor(MemorySegment tensorDesc) {
        try {
            return (int) cudnnDestroyTensorDescriptor$H.H.invokeExact(tensorDesc);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudnnCreateFilterDescriptor$DESC = FunctionDescriptor.of(cudnnStatus_t, ptr("cudnnFilterDescriptor_t*"));

    private static final class cudnnCreateFilterDescriptor$H {
        static final MethodHandle H = LIB.downcall("cudnnCreateFilterDescriptor", cudnnCreateFilterDescriptor$DESC);
    }

    /** {@code cudnnStatus_t cudnnCreateFilterDescriptor(cudnnFilterDescriptor_t* filterDesc)} */
    public static int cudnnCreateFilterDescriptor(MemorySegment filterDesc) {
        try {
            return (int) cudnnCreateFilterDescriptor$H.H.invokeExact(filterDesc);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudnnSetFilter4dDescriptor$DESC = FunctionDescriptor.of(cudnnStatus_t, cudnnFilterDescriptor_t, cudnnDataType_t, cudnnTensorFormat_t, INT, INT, INT, INT);

    private static final class cudnnSetFilter4dDescriptor$H {
        static final MethodHandle H = LIB.downcall("cudnnSetFilter4dDescriptor", cudnnSetFilter4dDescriptor$DESC);
    }

    /** {@code cudnnStatus_t cudnnSetFilter4dDescriptor(cudnnFilterDescriptor_t filterDesc, cudnnDataType_t dataType, cudnnTensorFormat_t format, int k, int c, int h, int w)} */
    public static int cudnnSetFilter4dDescriptor(MemorySegment filterDesc, int dataType, int format, int k, int c, int h, int w) {
        try {
            return (int) cudnnSetFilter4dDescriptor$H.H.invokeExact(filterDesc, dataType, format, k, c, h, w);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudnnDestroyFilterDescriptor$DESC = FunctionDescriptor.of(cudnnStatus_t, cudnnFilterDescriptor_t);

    private static final class cudnnDestroyFilterDescriptor$H {
        static final MethodHandle H = LIB.downcall("cudnnDestroyFilterDescriptor", cudnnDestroyFilterDescriptor$DESC);
    }

    /** {@code cudnnStatus_t cudnnDestroyFilterDescriptor(cudnnFilterDescriptor_t filterDesc)} */
    public static int cudnnDestroyFilterDescriptor(MemorySegment filterDesc) {
        try {
            return (int) cudnnDestroyFilterDescriptor$H.H.invokeExact(filterDesc);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudnnCreateConvolutionDescriptor$DESC = FunctionDescriptor.of(cudnnStatus_t, ptr("cudnnConvolutionDescriptor_t*"));

    private static final class cudnnCreateConvolutionDescriptor$H {
        static final MethodHandle H = LIB.downcall("cudnnCreateConvolutionDescriptor", cudnnCreateConvolutionDescriptor$DESC);
    }

    /** {@code cudnnStatus_t cudnnCreateConvolutionDescriptor(cudnnConvolutionDescriptor_t* convDesc)} */
    public static int cudnnCreateConvolutionDescriptor(MemorySegment convDesc) {
        try {
            return (int) cudnnCreateConvolutionDescriptor$H.H.invokeExact(convDesc);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudnnSetConvolution2dDescriptor$DESC = FunctionDescriptor.of(cudnnStatus_t, cudnnConvolutionDescriptor_t, INT, INT, INT, INT, INT, INT, cudnnConvolutionMode_t, cudnnDataType_t);

    private static final class cudnnSetConvolution2dDescriptor$H {
        static final MethodHandle H = LIB.downcall("cudnnSetConvolution2dDescriptor", cudnnSetConvolution2dDescriptor$DESC);
    }

    /** {@code cudnnStatus_t cudnnSetConvolution2dDescriptor(cudnnConvolutionDescriptor_t convDesc, int pad_h, int pad_w, int u, int v, int dilation_h, int dilation_w, cudnnConvolutionMode_t mode, cudnnDataType_t computeType)} */
    public static int cudnnSetConvolution2dDescriptor(MemorySegment convDesc, int pad_h, int pad_w, int u, int v, int dilation_h, int dilation_w, int mode, int computeType) {
        try {
            return (int) cudnnSetConvolution2dDescriptor$H.H.invokeExact(convDesc, pad_h, pad_w, u, v, dilation_h, dilation_w, mode, computeType);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudnnSetConvolutionGroupCount$DESC = FunctionDescriptor.of(cudnnStatus_t, cudnnConvolutionDescriptor_t, INT);

    private static final class cudnnSetConvolutionGroupCount$H {
        static final MethodHandle H = LIB.downcall("cudnnSetConvolutionGroupCount", cudnnSetConvolutionGroupCount$DESC);
    }

    /** {@code cudnnStatus_t cudnnSetConvolutionGroupCount(cudnnConvolutionDescriptor_t convDesc, int groupCount)} */
    public static int cudnnSetConvolutionGroupCount(MemorySegment convDesc, int groupCount) {
        try {
            return (int) cudnnSetConvolutionGroupCount$H.H.invokeExact(convDesc, groupCount);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudnnSetConvolutionMathType$DESC = FunctionDescriptor.of(cudnnStatus_t, cudnnConvolutionDescriptor_t, cudnnMathType_t);

    private static final class cudnnSetConvolutionMathType$H {
        static final MethodHandle H = LIB.downcall("cudnnSetConvolutionMathType", cudnnSetConvolutionMathType$DESC);
    }

    /** {@code cudnnStatus_t cudnnSetConvolutionMathType(cudnnConvolutionDescriptor_t convDesc, cudnnMathType_t mathType)} */
    public static int cudnnSetConvolutionMathType(MemorySegment convDesc, int mathType) {
        try {
            return (int) cudnnSetConvolutionMathType$H.H.invokeExact(convDesc, mathType);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudnnDestroyConvolutionDescriptor$DESC = FunctionDescriptor.of(cudnnStatus_t, cudnnConvolutionDescriptor_t);

    private static final class cudnnDestroyConvolutionDescriptor$H {
        static final MethodHandle H = LIB.downcall("cudnnDestroyConvolutionDescriptor", cudnnDestroyConvolutionDescriptor$DESC);
    }

    /** {@code cudnnStatus_t cudnnDestroyConvolutionDescriptor(cudnnConvolutionDescriptor_t convDesc)} */
    public static int cudnnDestroyConvolutionDescriptor(MemorySegment convDesc) {
        try {
            return (int) cudnnDestroyConvolutionDescriptor$H.H.invokeExact(convDesc);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudnnGetConvolutionForwardAlgorithm_v7$DESC = FunctionDescriptor.of(cudnnStatus_t, cudnnHandle_t, cudnnTensorDescriptor_t, cudnnFilterDescriptor_t, cudnnConvolutionDescriptor_t, cudnnTensorDescriptor_t, INT, INT_P, ptr("cudnnConvolutionFwdAlgoPerf_t*"));

    private static final class cudnnGetConvolutionForwardAlgorithm_v7$H {
        static final MethodHandle H = LIB.downcall("cudnnGetConvolutionForwardAlgorithm_v7", cudnnGetConvolutionForwardAlgorithm_v7$DESC);
    }

    /** {@code cudnnStatus_t cudnnGetConvolutionForwardAlgorithm_v7(cudnnHandle_t handle, cudnnTensorDescriptor_t srcDesc, cudnnFilterDescriptor_t filterDesc, cudnnConvolutionDescriptor_t convDesc, cudnnTensorDescriptor_t destDesc, int requestedAlgoCount, int* returnedAlgoCount, cudnnConvolutionFwdAlgoPerf_t* perfResults)} */
    public static int cudnnGetConvolutionForwardAlgorithm_v7(MemorySegment handle, MemorySegment srcDesc, MemorySegment filterDesc, MemorySegment convDesc, MemorySegment destDesc, int requestedAlgoCount, MemorySegment returnedAlgoCount, MemorySegment perfResults) {
        try {
            return (int) cudnnGetConvolutionForwardAlgorithm_v7$H.H.invokeExact(handle, srcDesc, filterDesc, convDesc, destDesc, requestedAlgoCount, returnedAlgoCount, perfResults);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudnnGetConvolutionForwardWorkspaceSize$DESC = FunctionDescriptor.of(cudnnStatus_t, cudnnHandle_t, cudnnTensorDescriptor_t, cudnnFilterDescriptor_t, cudnnConvolutionDescriptor_t, cudnnTensorDescriptor_t, cudnnConvolutionFwdAlgo_t, SIZE_T_P);

    private static final class cudnnGetConvolutionForwardWorkspaceSize$H {
        static final MethodHandle H = LIB.downcall("cudnnGetConvolutionForwardWorkspaceSize", cudnnGetConvolutionForwardWorkspaceSize$DESC);
    }

    /** {@code cudnnStatus_t cudnnGetConvolutionForwardWorkspaceSize(cudnnHandle_t handle, cudnnTensorDescriptor_t xDesc, cudnnFilterDescriptor_t wDesc, cudnnConvolutionDescriptor_t convDesc, cudnnTensorDescriptor_t yDesc, cudnnConvolutionFwdAlgo_t algo, size_t* sizeInBytes)} */
    public static int cudnnGetConvolutionForwardWorkspaceSize(MemorySegment handle, MemorySegment xDesc, MemorySegment wDesc, MemorySegment convDesc, MemorySegment yDesc, int algo, MemorySegment sizeInBytes) {
        try {
            return (int) cudnnGetConvolutionForwardWorkspaceSize$H.H.invokeExact(handle, xDesc, wDesc, convDesc, yDesc, algo, sizeInBytes);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudnnConvolutionForward$DESC = FunctionDescriptor.of(cudnnStatus_t, cudnnHandle_t, CONST_VOID_P, cudnnTensorDescriptor_t, CONST_VOID_P, cudnnFilterDescriptor_t, CONST_VOID_P, cudnnConvolutionDescriptor_t, cudnnConvolutionFwdAlgo_t, VOID_P, SIZE_T, CONST_VOID_P, cudnnTensorDescriptor_t, VOID_P);

    private static final class cudnnConvolutionForward$H {
        static final MethodHandle H = LIB.downcall("cudnnConvolutionForward", cudnnConvolutionForward$DESC);
    }

    /** {@code cudnnStatus_t cudnnConvolutionForward(cudnnHandle_t handle, const void* alpha, cudnnTensorDescriptor_t xDesc, const void* x, cudnnFilterDescriptor_t wDesc, const void* w, cudnnConvolutionDescriptor_t convDesc, cudnnConvolutionFwdAlgo_t algo, void* workSpace, size_t workSpaceSizeInBytes, const void* beta, cudnnTensorDescriptor_t yDesc, void* y)} */
    public static int cudnnConvolutionForward(MemorySegment handle, MemorySegment alpha, MemorySegment xDesc, MemorySegment x, MemorySegment wDesc, MemorySegment w, MemorySegment convDesc, int algo, MemorySegment workSpace, long workSpaceSizeInBytes, MemorySegment beta, MemorySegment yDesc, MemorySegment y) {
        try {
            return (int) cudnnConvolutionForward$H.H.invokeExact(handle, alpha, xDesc, x, wDesc, w, convDesc, algo, workSpace, workSpaceSizeInBytes, beta, yDesc, y);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudnnGetConvolutionBackwardDataAlgorithm_v7$DESC = FunctionDescriptor.of(cudnnStatus_t, cudnnHandle_t, cudnnFilterDescriptor_t, cudnnTensorDescriptor_t, cudnnConvolutionDescriptor_t, cudnnTensorDescriptor_t, INT, INT_P, ptr("cudnnConvolutionBwdDataAlgoPerf_t*"));

    private static final class cudnnGetConvolutionBackwardDataAlgorithm_v7$H {
        static final MethodHandle H = LIB.downcall("cudnnGetConvolutionBackwardDataAlgorithm_v7", cudnnGetConvolutionBackwardDataAlgorithm_v7$DESC);
    }

    /** {@code cudnnStatus_t cudnnGetConvolutionBackwardDataAlgorithm_v7(cudnnHandle_t handle, cudnnFilterDescriptor_t filterDesc, cudnnTensorDescriptor_t diffDesc, cudnnConvolutionDescriptor_t convDesc, cudnnTensorDescriptor_t gradDesc, int requestedAlgoCount, int* returnedAlgoCount, cudnnConvolutionBwdDataAlgoPerf_t* perfResults)} */
    public static int cudnnGetConvolutionBackwardDataAlgorithm_v7(MemorySegment handle, MemorySegment filterDesc, MemorySegment diffDesc, MemorySegment convDesc, MemorySegment gradDesc, int requestedAlgoCount, MemorySegment returnedAlgoCount, MemorySegment perfResults) {
        try {
            return (int) cudnnGetConvolutionBackwardDataAlgorithm_v7$H.H.invokeExact(handle, filterDesc, diffDesc, convDesc, gradDesc, requestedAlgoCount, returnedAlgoCount, perfResults);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudnnGetConvolutionBackwardDataWorkspaceSize$DESC = FunctionDescriptor.of(cudnnStatus_t, cudnnHandle_t, cudnnFilterDescriptor_t, cudnnTensorDescriptor_t, cudnnConvolutionDescriptor_t, cudnnTensorDescriptor_t, cudnnConvolutionBwdDataAlgo_t, SIZE_T_P);

    private static final class cudnnGetConvolutionBackwardDataWorkspaceSize$H {
        static final MethodHandle H = LIB.downcall("cudnnGetConvolutionBackwardDataWorkspaceSize", cudnnGetConvolutionBackwardDataWorkspaceSize$DESC);
    }

    /** {@code cudnnStatus_t cudnnGetConvolutionBackwardDataWorkspaceSize(cudnnHandle_t handle, cudnnFilterDescriptor_t wDesc, cudnnTensorDescriptor_t dyDesc, cudnnConvolutionDescriptor_t convDesc, cudnnTensorDescriptor_t dxDesc, cudnnConvolutionBwdDataAlgo_t algo, size_t* sizeInBytes)} */
    public static int cudnnGetConvolutionBackwardDataWorkspaceSize(MemorySegment handle, MemorySegment wDesc, MemorySegment dyDesc, MemorySegment convDesc, MemorySegment dxDesc, int algo, MemorySegment sizeInBytes) {
        try {
            return (int) cudnnGetConvolutionBackwardDataWorkspaceSize$H.H.invokeExact(handle, wDesc, dyDesc, convDesc, dxDesc, algo, sizeInBytes);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudnnConvolutionBackwardData$DESC = FunctionDescriptor.of(cudnnStatus_t, cudnnHandle_t, CONST_VOID_P, cudnnFilterDescriptor_t, CONST_VOID_P, cudnnTensorDescriptor_t, CONST_VOID_P, cudnnConvolutionDescriptor_t, cudnnConvolutionBwdDataAlgo_t, VOID_P, SIZE_T, CONST_VOID_P, cudnnTensorDescriptor_t, VOID_P);

    private static final class cudnnConvolutionBackwardData$H {
        static final MethodHandle H = LIB.downcall("cudnnConvolutionBackwardData", cudnnConvolutionBackwardData$DESC);
    }

    /** {@code cudnnStatus_t cudnnConvolutionBackwardData(cudnnHandle_t handle, const void* alpha, cudnnFilterDescriptor_t wDesc, const void* w, cudnnTensorDescriptor_t dyDesc, const void* dy, cudnnConvolutionDescriptor_t convDesc, cudnnConvolutionBwdDataAlgo_t algo, void* workSpace, size_t workSpaceSizeInBytes, const void* beta, cudnnTensorDescriptor_t dxDesc, void* dx)} */
    public static int cudnnConvolutionBackwardData(MemorySegment handle, MemorySegment alpha, MemorySegment wDesc, MemorySegment w, MemorySegment dyDesc, MemorySegment dy, MemorySegment convDesc, int algo, MemorySegment workSpace, long workSpaceSizeInBytes, MemorySegment beta, MemorySegment dxDesc, MemorySegment dx) {
        try {
            return (int) cudnnConvolutionBackwardData$H.H.invokeExact(handle, alpha, wDesc, w, dyDesc, dy, convDesc, algo, workSpace, workSpaceSizeInBytes, beta, dxDesc, dx);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudnnGetConvolutionBackwardFilterAlgorithm_v7$DESC = FunctionDescriptor.of(cudnnStatus_t, cudnnHandle_t, cudnnTensorDescriptor_t, cudnnTensorDescriptor_t, cudnnConvolutionDescriptor_t, cudnnFilterDescriptor_t, INT, INT_P, ptr("cudnnConvolutionBwdFilterAlgoPerf_t*"));

    private static final class cudnnGetConvolutionBackwardFilterAlgorithm_v7$H {
        static final MethodHandle H = LIB.downcall("cudnnGetConvolutionBackwardFilterAlgorithm_v7", cudnnGetConvolutionBackwardFilterAlgorithm_v7$DESC);
    }

    /** {@code cudnnStatus_t cudnnGetConvolutionBackwardFilterAlgorithm_v7(cudnnHandle_t handle, cudnnTensorDescriptor_t srcDesc, cudnnTensorDescriptor_t diffDesc, cudnnConvolutionDescriptor_t convDesc, cudnnFilterDescriptor_t gradDesc, int requestedAlgoCount, int* returnedAlgoCount, cudnnConvolutionBwdFilterAlgoPerf_t* perfResults)} */
    public static int cudnnGetConvolutionBackwardFilterAlgorithm_v7(MemorySegment handle, MemorySegment srcDesc, MemorySegment diffDesc, MemorySegment convDesc, MemorySegment gradDesc, int requestedAlgoCount, MemorySegment returnedAlgoCount, MemorySegment perfResults) {
        try {
            return (int) cudnnGetConvolutionBackwardFilterAlgorithm_v7$H.H.invokeExact(handle, srcDesc, diffDesc, convDesc, gradDesc, requestedAlgoCount, returnedAlgoCount, perfResults);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudnnGetConvolutionBackwardFilterWorkspaceSize$DESC = FunctionDescriptor.of(cudnnStatus_t, cudnnHandle_t, cudnnTensorDescriptor_t, cudnnTensorDescriptor_t, cudnnConvolutionDescriptor_t, cudnnFilterDescriptor_t, cudnnConvolutionBwdFilterAlgo_t, SIZE_T_P);

    private static final class cudnnGetConvolutionBackwardFilterWorkspaceSize$H {
        static final MethodHandle H = LIB.downcall("cudnnGetConvolutionBackwardFilterWorkspaceSize", cudnnGetConvolutionBackwardFilterWorkspaceSize$DESC);
    }

    /** {@code cudnnStatus_t cudnnGetConvolutionBackwardFilterWorkspaceSize(cudnnHandle_t handle, cudnnTensorDescriptor_t xDesc, cudnnTensorDescriptor_t dyDesc, cudnnConvolutionDescriptor_t convDesc, cudnnFilterDescriptor_t gradDesc, cudnnConvolutionBwdFilterAlgo_t algo, size_t* sizeInBytes)} */
    public static int cudnnGetConvolutionBackwardFilterWorkspaceSize(MemorySegment handle, MemorySegment xDesc, MemorySegment dyDesc, MemorySegment convDesc, MemorySegment gradDesc, int algo, MemorySegment sizeInBytes) {
        try {
            return (int) cudnnGetConvolutionBackwardFilterWorkspaceSize$H.H.invokeExact(handle, xDesc, dyDesc, convDesc, gradDesc, algo, sizeInBytes);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudnnConvolutionBackwardFilter$DESC = FunctionDescriptor.of(cudnnStatus_t, cudnnHandle_t, CONST_VOID_P, cudnnTensorDescriptor_t, CONST_VOID_P, cudnnTensorDescriptor_t, CONST_VOID_P, cudnnConvolutionDescriptor_t, cudnnConvolutionBwdFilterAlgo_t, VOID_P, SIZE_T, CONST_VOID_P, cudnnFilterDescriptor_t, VOID_P);

    private static final class cudnnConvolutionBackwardFilter$H {
        static final MethodHandle H = LIB.downcall("cudnnConvolutionBackwardFilter", cudnnConvolutionBackwardFilter$DESC);
    }

    /** {@code cudnnStatus_t cudnnConvolutionBackwardFilter(cudnnHandle_t handle, const void* alpha, cudnnTensorDescriptor_t xDesc, const void* x, cudnnTensorDescriptor_t dyDesc, const void* dy, cudnnConvolutionDescriptor_t convDesc, cudnnConvolutionBwdFilterAlgo_t algo, void* workSpace, size_t workSpaceSizeInBytes, const void* beta, cudnnFilterDescriptor_t dwDesc, void* dw)} */
    public static int cudnnConvolutionBackwardFilter(MemorySegment handle, MemorySegment alpha, MemorySegment xDesc, MemorySegment x, MemorySegment dyDesc, MemorySegment dy, MemorySegment convDesc, int algo, MemorySegment workSpace, long workSpaceSizeInBytes, MemorySegment beta, MemorySegment dwDesc, MemorySegment dw) {
        try {
            return (int) cudnnConvolutionBackwardFilter$H.H.invokeExact(handle, alpha, xDesc, x, dyDesc, dy, convDesc, algo, workSpace, workSpaceSizeInBytes, beta, dwDesc, dw);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudnnConvolutionBackwardBias$DESC = FunctionDescriptor.of(cudnnStatus_t, cudnnHandle_t, CONST_VOID_P, cudnnTensorDescriptor_t, CONST_VOID_P, CONST_VOID_P, cudnnTensorDescriptor_t, VOID_P);

    private static final class cudnnConvolutionBackwardBias$H {
        static final MethodHandle H = LIB.downcall("cudnnConvolutionBackwardBias", cudnnConvolutionBackwardBias$DESC);
    }

    /** {@code cudnnStatus_t cudnnConvolutionBackwardBias(cudnnHandle_t handle, const void* alpha, cudnnTensorDescriptor_t dyDesc, const void* dy, const void* beta, cudnnTensorDescriptor_t dbDesc, void* db)} */
    public static int cudnnConvolutionBackwardBias(MemorySegment handle, MemorySegment alpha, MemorySegment dyDesc, MemorySegment dy, MemorySegment beta, MemorySegment dbDesc, MemorySegment db) {
        try {
            return (int) cudnnConvolutionBackwardBias$H.H.invokeExact(handle, alpha, dyDesc, dy, beta, dbDesc, db);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor cudnnAddTensor$DESC = FunctionDescriptor.of(cudnnStatus_t, cudnnHandle_t, CONST_VOID_P, cudnnTensorDescriptor_t, CONST_VOID_P, CONST_VOID_P, cudnnTensorDescriptor_t, VOID_P);

    private static final class cudnnAddTensor$H {
        static final MethodHandle H = LIB.downcall("cudnnAddTensor", cudnnAddTensor$DESC);
    }

    /** {@code cudnnStatus_t cudnnAddTensor(cudnnHandle_t handle, const void* alpha, cudnnTensorDescriptor_t aDesc, const void* A, const void* beta, cudnnTensorDescriptor_t cDesc, void* C)} */
    public static int cudnnAddTensor(MemorySegment handle, MemorySegment alpha, MemorySegment aDesc, MemorySegment A, MemorySegment beta, MemorySegment cDesc, MemorySegment C) {
        try {
            return (int) cudnnAddTensor$H.H.invokeExact(handle, alpha, aDesc, A, beta, cDesc, C);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

}
