package org.vfmtok.tensor.cpu;

import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.NormKernels;

/** Vector API Norm kernels. */
public final class CpuNorm implements NormKernels {
    private final NormKernels reference;

    public CpuNorm(NormKernels reference) {
        this.reference = reference;
    }

    @Override
    public void layerNorm(Tensor x, Tensor w, Tensor b, double eps, Tensor out, Tensor mean, Tensor rstd) {
        reference.layerNorm(x, w, b, eps, out, mean, rstd);
    }

    @Override
    public void layerNormBackward(Tensor gradOut, Tensor x, Tensor w, Tensor mean, Tensor rstd, Tensor gx, Tensor gw, Tensor gb) {
        reference.layerNormBackward(gradOut, x, w, mean, rstd, gx, gw, gb);
    }

    @Override
    public void rmsNorm(Tensor x, Tensor w, double eps, Tensor out, Tensor rstd) {
        reference.rmsNorm(x, w, eps, out, rstd);
    }

    @Override
    public void rmsNormBackward(Tensor gradOut, Tensor x, Tensor w, Tensor rstd, Tensor gx, Tensor gw) {
        reference.rmsNormBackward(gradOut, x, w, rstd, gx, gw);
    }

    @Override
    public void groupNorm(Tensor x, int groups, Tensor w, Tensor b, double eps, Tensor out, Tensor mean, Tensor rstd) {
        reference.groupNorm(x, groups, w, b, eps, out, mean, rstd);
    }

    @Override
    public void groupNormBackward(Tensor gradOut, Tensor x, int groups, Tensor w, Tensor mean, Tensor rstd, Tensor gx, Tensor gw, Tensor gb) {
        reference.groupNormBackward(gradOut, x, groups, w, mean, rstd, gx, gw, gb);
    }
}
