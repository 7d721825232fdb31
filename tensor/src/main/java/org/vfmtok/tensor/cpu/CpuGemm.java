package org.vfmtok.tensor.cpu;

import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.GemmKernels;

/** Vector API Gemm kernels. */
public final class CpuGemm implements GemmKernels {
    private final GemmKernels reference;

    public CpuGemm(GemmKernels reference) {
        this.reference = reference;
    }

    @Override
    public void gemm(Tensor a, Tensor b, Tensor c, float alpha, float beta) {
        reference.gemm(a, b, c, alpha, beta);
    }
}
