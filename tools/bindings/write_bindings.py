#!/usr/bin/env python3
"""Writes the binding classes of native-bindings (CudaRuntime, CudaDriver, Cublas, CublasLt, Cudnn, Nccl)
from the C prototypes below, in jextract's form with named C types (see java_writer.py). The prototypes
are copied from the CUDA 13 / cuDNN 9 / NCCL 2 headers; SignatureCheckTest compiles what the Java side
declares against the real headers wherever they are installed, so a typo here fails there.
Usage: /usr/bin/python3 tools/bindings/write_bindings.py   (then review the diff and commit)
"""
import os
from java_writer import gen
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "native-bindings/src/main/java/org/vfmtok/cuda/")

def write(cls, text):
    open(OUT + cls + ".java", "w").write(text)

# ---------------------------------------------------------------- CUDA runtime
write("CudaRuntime", gen("CudaRuntime", """
The CUDA runtime API (libcudart): devices, memory, copies, streams, events. Hand-written in jextract's
form: one {@code FunctionDescriptor} ({@code name$DESC}, named C types), a lazily created handle
(nested holder class: the library loads on the first call) and a static wrapper per function.
Wrappers return the raw {@code cudaError_t}; {@link CudaCheck} turns it into exceptions.
""", "CUDART", ["cuda_runtime_api.h"], ["nvidia/cu13/include", "nvidia/cuda_runtime/include"],
    enums={"cudaError_t", "enum cudaMemcpyKind", "enum cudaDeviceAttr"}, handles={"cudaStream_t", "cudaEvent_t"}, structs={},
    consts=[("cudaSuccess", 0), ("cudaErrorMemoryAllocation", 2), ("cudaErrorInsufficientDriver", 35),
            ("cudaErrorNoDevice", 100), ("cudaErrorNotReady", 600),
            ("cudaMemcpyHostToHost", 0), ("cudaMemcpyHostToDevice", 1), ("cudaMemcpyDeviceToHost", 2),
            ("cudaMemcpyDeviceToDevice", 3), ("cudaMemcpyDefault", 4),
            ("cudaStreamNonBlocking", "0x01"), ("cudaEventDefault", "0x00"), ("cudaEventDisableTiming", "0x02"),
            ("cudaDevAttrMaxThreadsPerBlock", 1), ("cudaDevAttrMaxGridDimX", 5), ("cudaDevAttrMaxSharedMemoryPerBlock", 8),
            ("cudaDevAttrWarpSize", 10), ("cudaDevAttrMultiProcessorCount", 16),
            ("cudaDevAttrComputeCapabilityMajor", 75), ("cudaDevAttrComputeCapabilityMinor", 76),
            ("cudaDevAttrMaxSharedMemoryPerBlockOptin", 97)],
    protos=[
        "const char* cudaGetErrorString(cudaError_t error)",
        "const char* cudaGetErrorName(cudaError_t error)",
        "cudaError_t cudaGetLastError()",
        "cudaError_t cudaRuntimeGetVersion(int* runtimeVersion)",
        "cudaError_t cudaDriverGetVersion(int* driverVersion)",
        "cudaError_t cudaGetDeviceCount(int* count)",
        "cudaError_t cudaSetDevice(int device)",
        "cudaError_t cudaGetDevice(int* device)",
        "cudaError_t cudaDeviceGetAttribute(int* value, enum cudaDeviceAttr attr, int device)",
        "cudaError_t cudaDeviceSynchronize()",
        "cudaError_t cudaDeviceCanAccessPeer(int* canAccessPeer, int device, int peerDevice)",
        "cudaError_t cudaDeviceEnablePeerAccess(int peerDevice, unsigned int flags)",
        "cudaError_t cudaMemGetInfo(size_t* free, size_t* total)",
        "cudaError_t cudaMalloc(void** devPtr, size_t size)",
        "cudaError_t cudaFree(void* devPtr)",
        "cudaError_t cudaMallocHost(void** ptr, size_t size)",
        "cudaError_t cudaFreeHost(void* ptr)",
        "cudaError_t cudaMemcpy(void* dst, const void* src, size_t count, enum cudaMemcpyKind kind)",
        "cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t count, enum cudaMemcpyKind kind, cudaStream_t stream)",
        "cudaError_t cudaMemcpyPeerAsync(void* dst, int dstDevice, const void* src, int srcDevice, size_t count, cudaStream_t stream)",
        "cudaError_t cudaMemsetAsync(void* devPtr, int value, size_t count, cudaStream_t stream)",
        "cudaError_t cudaStreamCreateWithFlags(cudaStream_t* pStream, unsigned int flags)",
        "cudaError_t cudaStreamDestroy(cudaStream_t stream)",
        "cudaError_t cudaStreamSynchronize(cudaStream_t stream)",
        "cudaError_t cudaStreamWaitEvent(cudaStream_t stream, cudaEvent_t event, unsigned int flags)",
        "cudaError_t cudaEventCreateWithFlags(cudaEvent_t* event, unsigned int flags)",
        "cudaError_t cudaEventDestroy(cudaEvent_t event)",
        "cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream)",
        "cudaError_t cudaEventQuery(cudaEvent_t event)",
        "cudaError_t cudaEventSynchronize(cudaEvent_t event)",
        "cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t start, cudaEvent_t end)",
    ]))

# ---------------------------------------------------------------- CUDA driver
write("CudaDriver", gen("CudaDriver", """
The CUDA driver API (libcuda), for what the runtime does not offer: loading PTX/cubin modules and
launching their kernels ({@code cuModuleLoadData}, {@code cuModuleGetFunction}, {@code cuLaunchKernel}).
The project makes the runtime's primary context current (cudaSetDevice) before using these, so both
APIs share one context. Versioned symbols ({@code cuDeviceTotalMem_v2}) are bound by their exported
names, which is what cuda.h's macros expand to.
""", "DRIVER", ["cuda.h"], ["nvidia/cu13/include", "nvidia/cuda_runtime/include"],
    enums={"CUresult", "CUdevice", "CUfunction_attribute"}, handles={"CUcontext", "CUmodule", "CUfunction", "CUstream"}, structs={},
    consts=[("CUDA_SUCCESS", 0), ("CUDA_ERROR_NOT_INITIALIZED", 3), ("CUDA_ERROR_NO_DEVICE", 100),
            ("CUDA_ERROR_NOT_FOUND", 500), ("CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES", 8)],
    protos=[
        "CUresult cuInit(unsigned int Flags)",
        "CUresult cuDriverGetVersion(int* driverVersion)",
        "CUresult cuDeviceGet(CUdevice* device, int ordinal)",
        "CUresult cuDeviceGetCount(int* count)",
        "CUresult cuDeviceGetName(char* name, int len, CUdevice dev)",
        "CUresult cuDeviceTotalMem_v2(size_t* bytes, CUdevice dev)",
        "CUresult cuDevicePrimaryCtxRetain(CUcontext* pctx, CUdevice dev)",
        "CUresult cuCtxSetCurrent(CUcontext ctx)",
        "CUresult cuCtxGetCurrent(CUcontext* pctx)",
        "CUresult cuModuleLoadData(CUmodule* module, const void* image)",
        "CUresult cuModuleUnload(CUmodule hmod)",
        "CUresult cuModuleGetFunction(CUfunction* hfunc, CUmodule hmod, const char* name)",
        "CUresult cuFuncSetAttribute(CUfunction hfunc, CUfunction_attribute attrib, int value)",
        "CUresult cuLaunchKernel(CUfunction f, unsigned int gridDimX, unsigned int gridDimY, unsigned int gridDimZ, unsigned int blockDimX, unsigned int blockDimY, unsigned int blockDimZ, unsigned int sharedMemBytes, CUstream hStream, void** kernelParams, void** extra)",
        "CUresult cuGetErrorString(CUresult error, const char** pStr)",
        "CUresult cuGetErrorName(CUresult error, const char** pStr)",
    ]))

# ---------------------------------------------------------------- cuBLAS
write("Cublas", gen("Cublas", """
cuBLAS (libcublas): handle, stream, workspace, math mode (TF32 via {@code CUBLAS_TF32_TENSOR_OP_MATH}
or the compute type {@code CUBLAS_COMPUTE_32F_FAST_TF32}), SGEMM, GEMMEx and their strided-batched forms.
cuBLAS is column-major; {@code CudaGemm} maps row-major tensors onto it. The {@code _v2} names are the
exported symbols behind cublas_v2.h's macros.
""", "CUBLAS", ["cublas_v2.h"], ["nvidia/cu13/include", "nvidia/cublas/include"],
    enums={"cublasStatus_t", "cublasOperation_t", "cublasMath_t", "cublasComputeType_t", "cublasGemmAlgo_t", "cudaDataType"},
    handles={"cublasHandle_t", "cudaStream_t"}, structs={},
    consts=[("CUBLAS_STATUS_SUCCESS", 0), ("CUBLAS_STATUS_NOT_INITIALIZED", 1), ("CUBLAS_STATUS_ALLOC_FAILED", 3),
            ("CUBLAS_STATUS_INVALID_VALUE", 7), ("CUBLAS_STATUS_NOT_SUPPORTED", 15),
            ("CUBLAS_OP_N", 0), ("CUBLAS_OP_T", 1),
            ("CUBLAS_DEFAULT_MATH", 0), ("CUBLAS_PEDANTIC_MATH", 2), ("CUBLAS_TF32_TENSOR_OP_MATH", 3),
            ("CUBLAS_COMPUTE_32F", 68), ("CUBLAS_COMPUTE_32F_PEDANTIC", 69), ("CUBLAS_COMPUTE_64F", 70),
            ("CUBLAS_COMPUTE_32F_FAST_16BF", 75), ("CUBLAS_COMPUTE_32F_FAST_TF32", 77), ("CUBLAS_GEMM_DEFAULT", -1),
            ("CUDA_R_32F", 0), ("CUDA_R_64F", 1), ("CUDA_R_16F", 2), ("CUDA_R_32I", 10), ("CUDA_R_16BF", 14)],
    protos=[
        "cublasStatus_t cublasCreate_v2(cublasHandle_t* handle)",
        "cublasStatus_t cublasDestroy_v2(cublasHandle_t handle)",
        "cublasStatus_t cublasGetVersion_v2(cublasHandle_t handle, int* version)",
        "cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, cudaStream_t streamId)",
        "cublasStatus_t cublasSetWorkspace_v2(cublasHandle_t handle, void* workspace, size_t workspaceSizeInBytes)",
        "cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t mode)",
        "cublasStatus_t cublasGetMathMode(cublasHandle_t handle, cublasMath_t* mode)",
        "const char* cublasGetStatusName(cublasStatus_t status)",
        "const char* cublasGetStatusString(cublasStatus_t status)",
        "cublasStatus_t cublasSgemm_v2(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const float* alpha, const float* A, int lda, const float* B, int ldb, const float* beta, float* C, int ldc)",
        "cublasStatus_t cublasSgemmStridedBatched(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const float* alpha, const float* A, int lda, long long int strideA, const float* B, int ldb, long long int strideB, const float* beta, float* C, int ldc, long long int strideC, int batchCount)",
        "cublasStatus_t cublasGemmEx(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const void* alpha, const void* A, cudaDataType Atype, int lda, const void* B, cudaDataType Btype, int ldb, const void* beta, void* C, cudaDataType Ctype, int ldc, cublasComputeType_t computeType, cublasGemmAlgo_t algo)",
        "cublasStatus_t cublasGemmStridedBatchedEx(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const void* alpha, const void* A, cudaDataType Atype, int lda, long long int strideA, const void* B, cudaDataType Btype, int ldb, long long int strideB, const void* beta, void* C, cudaDataType Ctype, int ldc, long long int strideC, int batchCount, cublasComputeType_t computeType, cublasGemmAlgo_t algo)",
    ]))

# ---------------------------------------------------------------- cuBLASLt
write("CublasLt", gen("CublasLt", """
cuBLASLt (libcublasLt): matmul descriptors, matrix layouts (with batch count and strided-batch offset),
preferences, heuristic algorithm choice and {@code cublasLtMatmul}. Attribute values go in through
{@code const void* buf} + size, so callers pass small native buffers.
""", "CUBLASLT", ["cublasLt.h"], ["nvidia/cu13/include", "nvidia/cublas/include"],
    enums={"cublasStatus_t", "cublasComputeType_t", "cudaDataType_t", "cudaDataType", "cublasLtMatmulDescAttributes_t",
           "cublasLtMatrixLayoutAttribute_t", "cublasLtMatmulPreferenceAttributes_t"},
    handles={"cublasLtHandle_t", "cublasLtMatmulDesc_t", "cublasLtMatrixLayout_t", "cublasLtMatmulPreference_t", "cudaStream_t"},
    structs={},
    consts=[("CUBLASLT_MATMUL_DESC_COMPUTE_TYPE", 0), ("CUBLASLT_MATMUL_DESC_SCALE_TYPE", 1),
            ("CUBLASLT_MATMUL_DESC_TRANSA", 3), ("CUBLASLT_MATMUL_DESC_TRANSB", 4),
            ("CUBLASLT_MATMUL_DESC_EPILOGUE", 7), ("CUBLASLT_MATMUL_DESC_BIAS_POINTER", 8),
            ("CUBLASLT_MATRIX_LAYOUT_TYPE", 0), ("CUBLASLT_MATRIX_LAYOUT_ORDER", 1), ("CUBLASLT_MATRIX_LAYOUT_ROWS", 2),
            ("CUBLASLT_MATRIX_LAYOUT_COLS", 3), ("CUBLASLT_MATRIX_LAYOUT_LD", 4),
            ("CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT", 5), ("CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET", 6),
            ("CUBLASLT_ORDER_COL", 0), ("CUBLASLT_ORDER_ROW", 1),
            ("CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES", 1),
            ("CUBLASLT_EPILOGUE_DEFAULT", 1), ("CUBLASLT_EPILOGUE_BIAS", 4)],
    extra='''
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
''',
    protos=[
        "cublasStatus_t cublasLtCreate(cublasLtHandle_t* lightHandle)",
        "cublasStatus_t cublasLtDestroy(cublasLtHandle_t lightHandle)",
        "size_t cublasLtGetVersion()",
        "cublasStatus_t cublasLtMatmulDescCreate(cublasLtMatmulDesc_t* matmulDesc, cublasComputeType_t computeType, cudaDataType_t scaleType)",
        "cublasStatus_t cublasLtMatmulDescDestroy(cublasLtMatmulDesc_t matmulDesc)",
        "cublasStatus_t cublasLtMatmulDescSetAttribute(cublasLtMatmulDesc_t matmulDesc, cublasLtMatmulDescAttributes_t attr, const void* buf, size_t sizeInBytes)",
        "cublasStatus_t cublasLtMatrixLayoutCreate(cublasLtMatrixLayout_t* matLayout, cudaDataType type, uint64_t rows, uint64_t cols, int64_t ld)",
        "cublasStatus_t cublasLtMatrixLayoutDestroy(cublasLtMatrixLayout_t matLayout)",
        "cublasStatus_t cublasLtMatrixLayoutSetAttribute(cublasLtMatrixLayout_t matLayout, cublasLtMatrixLayoutAttribute_t attr, const void* buf, size_t sizeInBytes)",
        "cublasStatus_t cublasLtMatmulPreferenceCreate(cublasLtMatmulPreference_t* pref)",
        "cublasStatus_t cublasLtMatmulPreferenceDestroy(cublasLtMatmulPreference_t pref)",
        "cublasStatus_t cublasLtMatmulPreferenceSetAttribute(cublasLtMatmulPreference_t pref, cublasLtMatmulPreferenceAttributes_t attr, const void* buf, size_t sizeInBytes)",
        "cublasStatus_t cublasLtMatmulAlgoGetHeuristic(cublasLtHandle_t lightHandle, cublasLtMatmulDesc_t operationDesc, cublasLtMatrixLayout_t Adesc, cublasLtMatrixLayout_t Bdesc, cublasLtMatrixLayout_t Cdesc, cublasLtMatrixLayout_t Ddesc, cublasLtMatmulPreference_t preference, int requestedAlgoCount, cublasLtMatmulHeuristicResult_t* heuristicResultsArray, int* returnAlgoCount)",
        "cublasStatus_t cublasLtMatmul(cublasLtHandle_t lightHandle, cublasLtMatmulDesc_t computeDesc, const void* alpha, const void* A, cublasLtMatrixLayout_t Adesc, const void* B, cublasLtMatrixLayout_t Bdesc, const void* beta, const void* C, cublasLtMatrixLayout_t Cdesc, void* D, cublasLtMatrixLayout_t Ddesc, const cublasLtMatmulAlgo_t* algo, void* workspace, size_t workspaceSizeInBytes, cudaStream_t stream)",
    ]))

# ---------------------------------------------------------------- cuDNN
perf = '''
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
'''
write("Cudnn", gen("Cudnn", """
cuDNN 9 (libcudnn) through its legacy descriptor API: tensor, filter and convolution descriptors,
convolution forward / backward data / backward filter with algorithm query
({@code cudnnGet*Algorithm_v7}) and workspace size, and bias gradient. These functions are marked
deprecated in cuDNN 9 but still exported; the graph API would replace them if they go.
""", "CUDNN", ["cudnn.h"], ["nvidia/cudnn/include"],
    enums={"cudnnStatus_t", "cudnnDataType_t", "cudnnTensorFormat_t", "cudnnConvolutionMode_t", "cudnnMathType_t",
           "cudnnConvolutionFwdAlgo_t", "cudnnConvolutionBwdDataAlgo_t", "cudnnConvolutionBwdFilterAlgo_t"},
    handles={"cudnnHandle_t", "cudnnTensorDescriptor_t", "cudnnFilterDescriptor_t", "cudnnConvolutionDescriptor_t", "cudaStream_t"},
    structs={},
    consts=[("CUDNN_STATUS_SUCCESS", 0), ("CUDNN_DATA_FLOAT", 0), ("CUDNN_DATA_DOUBLE", 1), ("CUDNN_DATA_HALF", 2),
            ("CUDNN_DATA_BFLOAT16", 9), ("CUDNN_TENSOR_NCHW", 0), ("CUDNN_CONVOLUTION", 0), ("CUDNN_CROSS_CORRELATION", 1),
            ("CUDNN_DEFAULT_MATH", 0), ("CUDNN_TENSOR_OP_MATH", 1), ("CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION", 2),
            ("CUDNN_FMA_MATH", 3)],
    extra=perf,
    protos=[
        "size_t cudnnGetVersion()",
        "const char* cudnnGetErrorString(cudnnStatus_t status)",
        "cudnnStatus_t cudnnCreate(cudnnHandle_t* handle)",
        "cudnnStatus_t cudnnDestroy(cudnnHandle_t handle)",
        "cudnnStatus_t cudnnSetStream(cudnnHandle_t handle, cudaStream_t streamId)",
        "cudnnStatus_t cudnnCreateTensorDescriptor(cudnnTensorDescriptor_t* tensorDesc)",
        "cudnnStatus_t cudnnSetTensor4dDescriptor(cudnnTensorDescriptor_t tensorDesc, cudnnTensorFormat_t format, cudnnDataType_t dataType, int n, int c, int h, int w)",
        "cudnnStatus_t cudnnSetTensorNdDescriptor(cudnnTensorDescriptor_t tensorDesc, cudnnDataType_t dataType, int nbDims, const int* dimA, const int* strideA)",
        "cudnnStatus_t cudnnDestroyTensorDescriptor(cudnnTensorDescriptor_t tensorDesc)",
        "cudnnStatus_t cudnnCreateFilterDescriptor(cudnnFilterDescriptor_t* filterDesc)",
        "cudnnStatus_t cudnnSetFilter4dDescriptor(cudnnFilterDescriptor_t filterDesc, cudnnDataType_t dataType, cudnnTensorFormat_t format, int k, int c, int h, int w)",
        "cudnnStatus_t cudnnDestroyFilterDescriptor(cudnnFilterDescriptor_t filterDesc)",
        "cudnnStatus_t cudnnCreateConvolutionDescriptor(cudnnConvolutionDescriptor_t* convDesc)",
        "cudnnStatus_t cudnnSetConvolution2dDescriptor(cudnnConvolutionDescriptor_t convDesc, int pad_h, int pad_w, int u, int v, int dilation_h, int dilation_w, cudnnConvolutionMode_t mode, cudnnDataType_t computeType)",
        "cudnnStatus_t cudnnSetConvolutionGroupCount(cudnnConvolutionDescriptor_t convDesc, int groupCount)",
        "cudnnStatus_t cudnnSetConvolutionMathType(cudnnConvolutionDescriptor_t convDesc, cudnnMathType_t mathType)",
        "cudnnStatus_t cudnnDestroyConvolutionDescriptor(cudnnConvolutionDescriptor_t convDesc)",
        "cudnnStatus_t cudnnGetConvolutionForwardAlgorithm_v7(cudnnHandle_t handle, cudnnTensorDescriptor_t srcDesc, cudnnFilterDescriptor_t filterDesc, cudnnConvolutionDescriptor_t convDesc, cudnnTensorDescriptor_t destDesc, int requestedAlgoCount, int* returnedAlgoCount, cudnnConvolutionFwdAlgoPerf_t* perfResults)",
        "cudnnStatus_t cudnnGetConvolutionForwardWorkspaceSize(cudnnHandle_t handle, cudnnTensorDescriptor_t xDesc, cudnnFilterDescriptor_t wDesc, cudnnConvolutionDescriptor_t convDesc, cudnnTensorDescriptor_t yDesc, cudnnConvolutionFwdAlgo_t algo, size_t* sizeInBytes)",
        "cudnnStatus_t cudnnConvolutionForward(cudnnHandle_t handle, const void* alpha, cudnnTensorDescriptor_t xDesc, const void* x, cudnnFilterDescriptor_t wDesc, const void* w, cudnnConvolutionDescriptor_t convDesc, cudnnConvolutionFwdAlgo_t algo, void* workSpace, size_t workSpaceSizeInBytes, const void* beta, cudnnTensorDescriptor_t yDesc, void* y)",
        "cudnnStatus_t cudnnGetConvolutionBackwardDataAlgorithm_v7(cudnnHandle_t handle, cudnnFilterDescriptor_t filterDesc, cudnnTensorDescriptor_t diffDesc, cudnnConvolutionDescriptor_t convDesc, cudnnTensorDescriptor_t gradDesc, int requestedAlgoCount, int* returnedAlgoCount, cudnnConvolutionBwdDataAlgoPerf_t* perfResults)",
        "cudnnStatus_t cudnnGetConvolutionBackwardDataWorkspaceSize(cudnnHandle_t handle, cudnnFilterDescriptor_t wDesc, cudnnTensorDescriptor_t dyDesc, cudnnConvolutionDescriptor_t convDesc, cudnnTensorDescriptor_t dxDesc, cudnnConvolutionBwdDataAlgo_t algo, size_t* sizeInBytes)",
        "cudnnStatus_t cudnnConvolutionBackwardData(cudnnHandle_t handle, const void* alpha, cudnnFilterDescriptor_t wDesc, const void* w, cudnnTensorDescriptor_t dyDesc, const void* dy, cudnnConvolutionDescriptor_t convDesc, cudnnConvolutionBwdDataAlgo_t algo, void* workSpace, size_t workSpaceSizeInBytes, const void* beta, cudnnTensorDescriptor_t dxDesc, void* dx)",
        "cudnnStatus_t cudnnGetConvolutionBackwardFilterAlgorithm_v7(cudnnHandle_t handle, cudnnTensorDescriptor_t srcDesc, cudnnTensorDescriptor_t diffDesc, cudnnConvolutionDescriptor_t convDesc, cudnnFilterDescriptor_t gradDesc, int requestedAlgoCount, int* returnedAlgoCount, cudnnConvolutionBwdFilterAlgoPerf_t* perfResults)",
        "cudnnStatus_t cudnnGetConvolutionBackwardFilterWorkspaceSize(cudnnHandle_t handle, cudnnTensorDescriptor_t xDesc, cudnnTensorDescriptor_t dyDesc, cudnnConvolutionDescriptor_t convDesc, cudnnFilterDescriptor_t gradDesc, cudnnConvolutionBwdFilterAlgo_t algo, size_t* sizeInBytes)",
        "cudnnStatus_t cudnnConvolutionBackwardFilter(cudnnHandle_t handle, const void* alpha, cudnnTensorDescriptor_t xDesc, const void* x, cudnnTensorDescriptor_t dyDesc, const void* dy, cudnnConvolutionDescriptor_t convDesc, cudnnConvolutionBwdFilterAlgo_t algo, void* workSpace, size_t workSpaceSizeInBytes, const void* beta, cudnnFilterDescriptor_t dwDesc, void* dw)",
        "cudnnStatus_t cudnnConvolutionBackwardBias(cudnnHandle_t handle, const void* alpha, cudnnTensorDescriptor_t dyDesc, const void* dy, const void* beta, cudnnTensorDescriptor_t dbDesc, void* db)",
        "cudnnStatus_t cudnnAddTensor(cudnnHandle_t handle, const void* alpha, cudnnTensorDescriptor_t aDesc, const void* A, const void* beta, cudnnTensorDescriptor_t cDesc, void* C)",
    ]))

# ---------------------------------------------------------------- NCCL
write("Nccl", gen("Nccl", """
NCCL (libnccl): unique id, communicator init per rank, all-reduce, broadcast, all-gather, group
start/end, destroy/abort and error strings. {@code ncclUniqueId} (128 bytes) is passed BY VALUE to
{@code ncclCommInitRank}: its descriptor uses the struct layout, which the linker passes in memory as
the C ABI requires.
""", "NCCL", ["nccl.h"], ["nvidia/nccl/include"],
    enums={"ncclResult_t", "ncclDataType_t", "ncclRedOp_t"}, handles={"ncclComm_t", "cudaStream_t"},
    structs={"ncclUniqueId": "ncclUniqueId$LAYOUT"},
    consts=[("ncclSuccess", 0), ("ncclUnhandledCudaError", 1), ("ncclSystemError", 2), ("ncclInternalError", 3),
            ("ncclInvalidArgument", 4), ("ncclInvalidUsage", 5), ("ncclRemoteError", 6), ("ncclInProgress", 7),
            ("ncclInt8", 0), ("ncclUint8", 1), ("ncclInt32", 2), ("ncclInt64", 4), ("ncclFloat16", 6),
            ("ncclFloat32", 7), ("ncclFloat64", 8), ("ncclBfloat16", 9),
            ("ncclSum", 0), ("ncclProd", 1), ("ncclMax", 2), ("ncclMin", 3), ("ncclAvg", 4),
            ("NCCL_UNIQUE_ID_BYTES", 128)],
    extra='''
    // ------------------------------------------------------------------ structs

    /** {@code typedef struct { char internal[NCCL_UNIQUE_ID_BYTES]; } ncclUniqueId;} */
    public static final StructLayout ncclUniqueId$LAYOUT = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(128, ValueLayout.JAVA_BYTE).withName("internal")).withName("ncclUniqueId");
''',
    protos=[
        "ncclResult_t ncclGetVersion(int* version)",
        "ncclResult_t ncclGetUniqueId(ncclUniqueId* uniqueId)",
        "ncclResult_t ncclCommInitRank(ncclComm_t* comm, int nranks, ncclUniqueId commId, int rank)",
        "ncclResult_t ncclCommDestroy(ncclComm_t comm)",
        "ncclResult_t ncclCommAbort(ncclComm_t comm)",
        "ncclResult_t ncclCommGetAsyncError(ncclComm_t comm, ncclResult_t* asyncError)",
        "const char* ncclGetErrorString(ncclResult_t result)",
        "const char* ncclGetLastError(ncclComm_t comm)",
        "ncclResult_t ncclAllReduce(const void* sendbuff, void* recvbuff, size_t count, ncclDataType_t datatype, ncclRedOp_t op, ncclComm_t comm, cudaStream_t stream)",
        "ncclResult_t ncclBroadcast(const void* sendbuff, void* recvbuff, size_t count, ncclDataType_t datatype, int root, ncclComm_t comm, cudaStream_t stream)",
        "ncclResult_t ncclAllGather(const void* sendbuff, void* recvbuff, size_t sendcount, ncclDataType_t datatype, ncclComm_t comm, cudaStream_t stream)",
        "ncclResult_t ncclGroupStart()",
        "ncclResult_t ncclGroupEnd()",
    ]))
print("wrote", OUT)
