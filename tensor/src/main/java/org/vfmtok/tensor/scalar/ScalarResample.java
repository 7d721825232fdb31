package org.vfmtok.tensor.scalar;

import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.ResampleKernels;

/** Reference Resample kernels. */
public final class ScalarResample implements ResampleKernels {
    @Override
    public void interpolate(Tensor x, Tensor out, ResampleKernels.Mode mode, boolean alignCorners, double[] scales, boolean antialias) {
        throw new UnsupportedOperationException("resample.interpolate is not implemented yet");
    }

    @Override
    public void interpolateBackward(Tensor gradOut, Tensor gradIn, ResampleKernels.Mode mode, boolean alignCorners, double[] scales, boolean antialias) {
        throw new UnsupportedOperationException("resample.interpolateBackward is not implemented yet");
    }

    @Override
    public void gridSample(Tensor x, Tensor grid, boolean alignCorners, Tensor out) {
        throw new UnsupportedOperationException("resample.gridSample is not implemented yet");
    }

    @Override
    public void gridSampleBackward(Tensor gradOut, Tensor x, Tensor grid, boolean alignCorners, Tensor gx, Tensor gGrid) {
        throw new UnsupportedOperationException("resample.gridSampleBackward is not implemented yet");
    }
}
