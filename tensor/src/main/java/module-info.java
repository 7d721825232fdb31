/**
 * Tensors ({@link org.vfmtok.tensor.Tensor}), their operations ({@code ops}), reverse-mode autograd
 * ({@code autograd}), tensor files ({@code io}) and the backend SPI ({@code backend}).
 *
 * <p>{@code backend} is exported because it is part of the public contract, not an implementation detail:
 * operations take its enums ({@code ResampleKernels.Mode}), callers pick or scope a backend
 * ({@code Backends.scalar()}, {@code Backends.using}), and a device backend plugs in through
 * {@code Backend}/{@code Backends.register}. The implementations (Vector API kernels in {@code cpu} and
 * {@code cpu.gemm}, the scalar reference, CUDA) are not exported; the project modules that legitimately
 * reach into them get qualified exports.
 *
 * <p>Calls restricted methods (native memory, CUDA device pointers): a module-path host grants it
 * {@code --enable-native-access=org.vfmtok.tensor}.
 */
module org.vfmtok.tensor {
    requires jdk.incubator.vector;
    // Thread allocation counters, process memory and the JIT's compiler directives (com.sun.management).
    requires jdk.management;
    requires org.vfmtok.cuda;

    exports org.vfmtok.tensor;
    exports org.vfmtok.tensor.autograd;
    exports org.vfmtok.tensor.backend;
    exports org.vfmtok.tensor.io;
    exports org.vfmtok.tensor.ops;

    // Parallel (worker count, vector width) for the benchmarks and the command line.
    exports org.vfmtok.tensor.cpu to org.vfmtok.bench, org.vfmtok.cli;
    // NCCL needs the CUDA backend's device and stream; the command line reports CUDA status and benchmarks it.
    exports org.vfmtok.tensor.cuda to org.vfmtok.nn, org.vfmtok.cli;
}
