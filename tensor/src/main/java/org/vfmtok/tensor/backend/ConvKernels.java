package org.vfmtok.tensor.backend;

import java.util.Arrays;
import org.vfmtok.tensor.Tensor;

/**
 * Convolutions over 1 or 2 spatial dims (the rank of the weight minus 2). x (N, Cin, *spatial),
 * w (Cout, Cin/groups, *kernel), bias (Cout) nullable, out (N, Cout, *out spatial); all contiguous.
 * Padding here is zero padding; circular padding is applied by the op layer before the call.
 *
 * <p>Kernels overwrite their outputs ({@code out}, {@code gradIn}, {@code gw}, {@code gb}); they never
 * accumulate into them.
 */
public interface ConvKernels {
    /** Per spatial dim (length 1 or 2, matching the kernel's spatial rank): stride, zero padding, dilation. */
    record ConvSpec(int[] stride, int[] padding, int[] dilation, int groups) {
        @Override
        public String toString() {
            return "stride " + Arrays.toString(stride) + ", padding " + Arrays.toString(padding) + ", dilation "
                    + Arrays.toString(dilation) + ", groups " + groups;
        }
    }

    void conv(Tensor x, Tensor w, Tensor bias, ConvSpec spec, Tensor out);

    void convBackwardInput(Tensor gradOut, Tensor w, ConvSpec spec, Tensor gradIn);

    /** gw required, gb nullable. */
    void convBackwardWeight(Tensor gradOut, Tensor x, ConvSpec spec, Tensor gw, Tensor gb);

    /**
     * The sizes of a convolution, with 1-d convolutions seen as 2-d ones of height 1 (kernel height 1,
     * stride/dilation 1, padding 0) so that every backend needs only one 2-d code path.
     */
    record Geometry(int n, int cin, int h, int w, int cout, int kh, int kw, int oh, int ow,
                    int sh, int sw, int ph, int pw, int dh, int dw, int groups) {
        public int cinG() { return cin / groups; }

        public int coutG() { return cout / groups; }

        /** Rows of the im2col matrix per group: Cin/groups · KH · KW. */
        public int kdim() { return cinG() * kh * kw; }

        public int inPlane() { return h * w; }

        public int outPlane() { return oh * ow; }

        /**
         * Validates shapes against the spec and computes the output size. {@code xShape} is (N, Cin,
         * *spatial), {@code wShape} (Cout, Cin/groups, *kernel); the error names every size involved.
         */
        public static Geometry of(int[] xShape, int[] wShape, ConvSpec spec) {
            int sd = wShape.length - 2;
            String what = "conv" + sd + "d of input " + Arrays.toString(xShape) + " with weight " + Arrays.toString(wShape) + " (" + spec + ")";
            if (sd < 1 || sd > 2) throw new IllegalArgumentException(what + ": only 1-d and 2-d convolutions are supported");
            if (xShape.length != sd + 2) throw new IllegalArgumentException(what + ": input must have rank " + (sd + 2));
            if (spec.stride().length != sd || spec.padding().length != sd || spec.dilation().length != sd) {
                throw new IllegalArgumentException(what + ": stride, padding and dilation need " + sd + " entries each");
            }
            int g = spec.groups();
            if (g < 1) throw new IllegalArgumentException(what + ": groups must be positive");
            int cin = xShape[1], cout = wShape[0];
            if (cin % g != 0 || cout % g != 0) throw new IllegalArgumentException(what + ": channels " + cin + " -> " + cout + " not divisible by groups " + g);
            if (wShape[1] * g != cin) throw new IllegalArgumentException(what + ": weight expects " + wShape[1] * g + " input channels, input has " + cin);
            for (int d = 0; d < sd; d++) {
                if (spec.stride()[d] < 1 || spec.dilation()[d] < 1 || spec.padding()[d] < 0) {
                    throw new IllegalArgumentException(what + ": stride and dilation must be positive and padding non-negative");
                }
                if (wShape[2 + d] < 1) throw new IllegalArgumentException(what + ": empty kernel");
            }
            int h = sd == 2 ? xShape[2] : 1, wi = xShape[sd + 1];
            int kh = sd == 2 ? wShape[2] : 1, kw = wShape[sd + 1];
            int sh = sd == 2 ? spec.stride()[0] : 1, sw = spec.stride()[sd - 1];
            int ph = sd == 2 ? spec.padding()[0] : 0, pw = spec.padding()[sd - 1];
            int dh = sd == 2 ? spec.dilation()[0] : 1, dw = spec.dilation()[sd - 1];
            int oh = outSize(h, kh, sh, ph, dh), ow = outSize(wi, kw, sw, pw, dw);
            if (oh < 1 || ow < 1) throw new IllegalArgumentException(what + ": the (padded) input is smaller than the (dilated) kernel");
            return new Geometry(xShape[0], cin, h, wi, cout, kh, kw, oh, ow, sh, sw, ph, pw, dh, dw, g);
        }

        static int outSize(int in, int k, int s, int p, int d) {
            int span = in + 2 * p - d * (k - 1) - 1;
            return span < 0 ? 0 : span / s + 1;
        }

        /** The output shape (N, Cout, *out spatial) with the spatial rank of the weight. */
        public int[] outShape(int spatialDims) {
            return spatialDims == 2 ? new int[] {n, cout, oh, ow} : new int[] {n, cout, ow};
        }
    }
}
