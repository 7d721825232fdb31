package org.vfmtok.cuda;

import java.util.List;

/**
 * The CUDA libraries the project binds, each with its overrides and file names. Creating these objects
 * loads nothing; a library is loaded on its first downcall.
 *
 * <p>Overrides: {@code -Dvfmtok.cuda.<id>=file-or-folder} or {@code VFM_<ID>=file-or-folder}, for the
 * ids cudart, cuda (the driver), cublas, cublaslt, cudnn, nccl.
 */
public final class CudaLibraries {
    private CudaLibraries() {}

    /** CUDA 13 pip wheels put every toolkit library in nvidia/cu13/lib; CUDA 12 wheels used one folder each. */
    private static final String CU13 = "nvidia/cu13/lib";

    public static final NativeLibrary CUDART = new NativeLibrary(new NativeLibrary.Spec("cudart", "the CUDA runtime",
            "vfmtok.cuda.cudart", "VFM_CUDART", List.of("libcudart.so.13", "libcudart.so.12", "libcudart.so"),
            List.of(CU13, "nvidia/cuda_runtime/lib"), true, List.of()));

    /** The driver comes with the GPU driver, not with the toolkit or wheels: the system loader finds it. */
    public static final NativeLibrary DRIVER = new NativeLibrary(new NativeLibrary.Spec("cuda", "the CUDA driver",
            "vfmtok.cuda.cuda", "VFM_CUDA", List.of("libcuda.so.1", "libcuda.so"), List.of(), false, List.of()));

    public static final NativeLibrary CUBLASLT = new NativeLibrary(new NativeLibrary.Spec("cublaslt", "cuBLASLt",
            "vfmtok.cuda.cublaslt", "VFM_CUBLASLT", List.of("libcublasLt.so.13", "libcublasLt.so.12", "libcublasLt.so"),
            List.of(CU13, "nvidia/cublas/lib"), true, List.of(CUDART)));

    public static final NativeLibrary CUBLAS = new NativeLibrary(new NativeLibrary.Spec("cublas", "cuBLAS",
            "vfmtok.cuda.cublas", "VFM_CUBLAS", List.of("libcublas.so.13", "libcublas.so.12", "libcublas.so"),
            List.of(CU13, "nvidia/cublas/lib"), true, List.of(CUDART, CUBLASLT)));

    public static final NativeLibrary CUDNN = new NativeLibrary(new NativeLibrary.Spec("cudnn", "cuDNN",
            "vfmtok.cuda.cudnn", "VFM_CUDNN", List.of("libcudnn.so.9", "libcudnn.so"),
            List.of("nvidia/cudnn/lib"), true, List.of(CUDART, CUBLAS)));

    public static final NativeLibrary NCCL = new NativeLibrary(new NativeLibrary.Spec("nccl", "NCCL",
            "vfmtok.cuda.nccl", "VFM_NCCL", List.of("libnccl.so.2", "libnccl.so"),
            List.of("nvidia/nccl/lib"), true, List.of(CUDART)));

    public static List<NativeLibrary> all() { return List.of(CUDART, DRIVER, CUBLASLT, CUBLAS, CUDNN, NCCL); }
}
