package org.vfmtok.tensor.cpu;

import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.ConvKernels;

/** Vector API Conv kernels. */
public final class CpuConv implements ConvKernels {
    private final ConvKernels reference;

    public CpuConv(ConvKernels reference) {
        this.reference = reference;
    }

    @Override
    public void conv(Tensor x, Tensor w, Tensor bias, ConvKernels.ConvSpec spec, Tensor out) {
        reference.conv(x, w, bias, spec, out);
    }

    @Override
    public void convBackwardInput(Tensor gradOut, Tensor w, ConvKernels.ConvSpec spec, Tensor gradIn) {
        reference.convBackwardInput(gradOut, w, spec, gradIn);
    }

    @Override
    public void convBackwardWeight(Tensor gradOut, Tensor x, ConvKernels.ConvSpec spec, Tensor gw, Tensor gb) {
        reference.convBackwardWeight(gradOut, x, spec, gw, gb);
    }
}
