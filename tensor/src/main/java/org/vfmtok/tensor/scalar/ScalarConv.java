package org.vfmtok.tensor.scalar;

import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.ConvKernels;

/** Reference Conv kernels. */
public final class ScalarConv implements ConvKernels {
    @Override
    public void conv(Tensor x, Tensor w, Tensor bias, ConvKernels.ConvSpec spec, Tensor out) {
        throw new UnsupportedOperationException("conv.conv is not implemented yet");
    }

    @Override
    public void convBackwardInput(Tensor gradOut, Tensor w, ConvKernels.ConvSpec spec, Tensor gradIn) {
        throw new UnsupportedOperationException("conv.convBackwardInput is not implemented yet");
    }

    @Override
    public void convBackwardWeight(Tensor gradOut, Tensor x, ConvKernels.ConvSpec spec, Tensor gw, Tensor gb) {
        throw new UnsupportedOperationException("conv.convBackwardWeight is not implemented yet");
    }
}
