package org.vfmtok.tensor.backend;

import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Storage;
import org.vfmtok.tensor.Tensor;

/**
 * The operations a device provides, grouped by family. Kernels write into output tensors that the op
 * layer ({@code org.vfmtok.tensor.ops}) allocates; they never allocate results themselves and never
 * record autograd. Each group's javadoc states which layouts its inputs may have.
 *
 * <p>Two CPU implementations exist: {@code CpuBackend} (Vector API, multi-threaded) and
 * {@code ScalarBackend} (plain loops over any dtype, the test oracle). A CUDA backend implements the
 * same groups.
 */
public interface Backend {
    String name();

    Storage allocate(long bytes, Scope scope);

    /** Copies {@code src} into {@code dst}: same shape, any strides, converting dtypes. */
    void copy(Tensor src, Tensor dst);

    /** Sets every element of {@code dst} (any strides) to {@code value}. */
    void fill(Tensor dst, double value);

    PointwiseKernels pointwise();

    ReduceKernels reduce();

    GemmKernels gemm();

    NormKernels norm();

    ConvKernels conv();

    ResampleKernels resample();

    AttentionKernels attention();

    IndexKernels index();

    DeformableKernels deformable();

    PoolKernels pool();
}
