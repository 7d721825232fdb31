package org.vfmtok.tensor.scalar;

import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.NormKernels;

/** Reference Norm kernels. */
public final class ScalarNorm implements NormKernels {
    @Override
    public void layerNorm(Tensor x, Tensor w, Tensor b, double eps, Tensor out, Tensor mean, Tensor rstd) {
        throw new UnsupportedOperationException("norm.layerNorm is not implemented yet");
    }

    @Override
    public void layerNormBackward(Tensor gradOut, Tensor x, Tensor w, Tensor mean, Tensor rstd, Tensor gx, Tensor gw, Tensor gb) {
        throw new UnsupportedOperationException("norm.layerNormBackward is not implemented yet");
    }

    @Override
    public void rmsNorm(Tensor x, Tensor w, double eps, Tensor out, Tensor rstd) {
        throw new UnsupportedOperationException("norm.rmsNorm is not implemented yet");
    }

    @Override
    public void rmsNormBackward(Tensor gradOut, Tensor x, Tensor w, Tensor rstd, Tensor gx, Tensor gw) {
        throw new UnsupportedOperationException("norm.rmsNormBackward is not implemented yet");
    }

    @Override
    public void groupNorm(Tensor x, int groups, Tensor w, Tensor b, double eps, Tensor out, Tensor mean, Tensor rstd) {
        throw new UnsupportedOperationException("norm.groupNorm is not implemented yet");
    }

    @Override
    public void groupNormBackward(Tensor gradOut, Tensor x, int groups, Tensor w, Tensor mean, Tensor rstd, Tensor gx, Tensor gw, Tensor gb) {
        throw new UnsupportedOperationException("norm.groupNormBackward is not implemented yet");
    }
}
