package org.vfmtok.tensor.cpu;

import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.ResampleKernels;

/** Vector API Resample kernels. */
public final class CpuResample implements ResampleKernels {
    private final ResampleKernels reference;

    public CpuResample(ResampleKernels reference) {
        this.reference = reference;
    }

    @Override
    public void interpolate(Tensor x, Tensor out, ResampleKernels.Mode mode, boolean alignCorners, double[] scales, boolean antialias) {
        reference.interpolate(x, out, mode, alignCorners, scales, antialias);
    }

    @Override
    public void interpolateBackward(Tensor gradOut, Tensor gradIn, ResampleKernels.Mode mode, boolean alignCorners, double[] scales, boolean antialias) {
        reference.interpolateBackward(gradOut, gradIn, mode, alignCorners, scales, antialias);
    }

    @Override
    public void gridSample(Tensor x, Tensor grid, boolean alignCorners, Tensor out) {
        reference.gridSample(x, grid, alignCorners, out);
    }

    @Override
    public void gridSampleBackward(Tensor gradOut, Tensor x, Tensor grid, boolean alignCorners, Tensor gx, Tensor gGrid) {
        reference.gridSampleBackward(gradOut, x, grid, alignCorners, gx, gGrid);
    }
}
