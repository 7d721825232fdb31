package org.vfmtok.tensor.backend;

import org.vfmtok.tensor.Tensor;

/**
 * Convolutions over 1 or 2 spatial dims (the rank of the weight minus 2). x (N, Cin, *spatial),
 * w (Cout, Cin/groups, *kernel), bias (Cout) nullable, out (N, Cout, *out spatial); all contiguous.
 * Padding here is zero padding; circular padding is applied by the op layer before the call.
 */
public interface ConvKernels {
    record ConvSpec(int[] stride, int[] padding, int[] dilation, int groups) {}

    void conv(Tensor x, Tensor w, Tensor bias, ConvSpec spec, Tensor out);

    void convBackwardInput(Tensor gradOut, Tensor w, ConvSpec spec, Tensor gradIn);

    /** gw required, gb nullable. */
    void convBackwardWeight(Tensor gradOut, Tensor x, ConvSpec spec, Tensor gw, Tensor gb);
}
