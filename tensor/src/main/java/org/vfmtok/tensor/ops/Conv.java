package org.vfmtok.tensor.ops;

import java.util.Arrays;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;
import org.vfmtok.tensor.backend.ConvKernels;
import org.vfmtok.tensor.backend.ConvKernels.ConvSpec;
import org.vfmtok.tensor.backend.ConvKernels.Geometry;

/**
 * {@code F.conv1d} / {@code F.conv2d} (and the {@code padding_mode} of {@code nn.Conv1d/2d}) with
 * autograd for input, weight and bias. Inputs may be batched (N, C, *spatial) or unbatched (C, *spatial).
 *
 * <p>{@link PaddingMode#CIRCULAR} does what PyTorch's modules do: pad the input circularly by
 * {@code padding} on both sides of each spatial dim, then convolve with zero padding 0.
 */
public final class Conv {
    public enum PaddingMode { ZEROS, CIRCULAR }

    private Conv() {}

    public static Tensor conv1d(Tensor x, Tensor w, Tensor bias) { return conv1d(x, w, bias, 1, 0, 1, 1, PaddingMode.ZEROS); }

    public static Tensor conv1d(Tensor x, Tensor w, Tensor bias, int stride, int padding, int dilation, int groups, PaddingMode mode) {
        return conv(x, w, bias, new ConvSpec(new int[] {stride}, new int[] {padding}, new int[] {dilation}, groups), mode);
    }

    public static Tensor conv2d(Tensor x, Tensor w, Tensor bias) { return conv2d(x, w, bias, 1, 0); }

    /** Square stride and padding, no dilation, one group, zero padding. */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, int stride, int padding) {
        return conv2d(x, w, bias, new int[] {stride, stride}, new int[] {padding, padding}, new int[] {1, 1}, 1, PaddingMode.ZEROS);
    }

    public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups, PaddingMode mode) {
        return conv(x, w, bias, new ConvSpec(stride.clone(), padding.clone(), dilation.clone(), groups), mode);
    }

    /** A convolution with the spatial rank of {@code w} (1 or 2). */
    public static Tensor conv(Tensor x, Tensor w, Tensor bias, ConvSpec spec, PaddingMode mode) {
        if (MatMul.checkStoredWeight("conv", x, w, bias)) Pointwise.checkDevices("conv", x, w, bias); // a BF16 weight of an inference model
        else Pointwise.checkOperands("conv", x, w);
        if (bias != null) {
            Pointwise.checkOperands("conv bias", x, bias);
            if (bias.dim() != 1 || bias.size(0) != w.size(0)) {
                throw new IllegalArgumentException("conv: bias of shape " + Arrays.toString(bias.shape()) + " for weight " + Arrays.toString(w.shape()));
            }
        }
        if (!x.dtype().isFloating()) throw new IllegalArgumentException("conv needs floating tensors, got " + x.dtype());
        int sd = w.dim() - 2;
        if (sd < 1 || sd > 2) {
            throw new IllegalArgumentException("conv: weight of shape " + Arrays.toString(w.shape()) + " (need (Cout, Cin/groups, k) or (Cout, Cin/groups, kh, kw))");
        }
        if (x.dim() == sd + 1) return conv(x.unsqueeze(0), w, bias, spec, mode).squeeze(0);
        if (mode == PaddingMode.CIRCULAR && Arrays.stream(spec.padding()).anyMatch(p -> p != 0)) {
            int[] pads = new int[2 * spec.padding().length];
            for (int d = 0; d < spec.padding().length; d++) {
                int p = spec.padding()[spec.padding().length - 1 - d]; // F.pad order: last dim first
                pads[2 * d] = p;
                pads[2 * d + 1] = p;
            }
            Tensor padded = Padding.pad(x, pads, Padding.Mode.CIRCULAR);
            return conv(padded, w, bias, new ConvSpec(spec.stride(), new int[spec.padding().length], spec.dilation(), spec.groups()), PaddingMode.ZEROS);
        }
        Geometry g = Geometry.of(x.shape(), w.shape(), spec);
        Tensor xc = x.detach().contiguous(), wc = w.detach().contiguous();
        Tensor bc = bias == null ? null : bias.detach().contiguous();
        Tensor out = Tensor.empty(x.dtype(), x.device(), g.outShape(sd));
        x.backend().conv().conv(xc, wc, bc, spec, out);
        int[] xs = x.shape();
        return Grad.track(out, "Conv" + sd + "d", new Tensor[] {x, w, bias}, go -> {
            Tensor gc = go.contiguous();
            ConvKernels k = gc.backend().conv(); // the backend current at backward time, as other ops do
            Tensor gx = null, gw = null, gb = null;
            if (x.requiresGrad()) {
                gx = Tensor.empty(gc.dtype(), gc.device(), xs);
                k.convBackwardInput(gc, wc, spec, gx);
            }
            boolean wantB = bias != null && bias.requiresGrad();
            if (w.requiresGrad()) {
                gw = Tensor.empty(gc.dtype(), gc.device(), w.shape());
                gb = wantB ? Tensor.empty(gc.dtype(), gc.device(), bias.shape()) : null;
                k.convBackwardWeight(gc, xc, spec, gw, gb);
            } else if (wantB) {
                int[] dims = new int[sd + 1];
                for (int i = 0; i < dims.length; i++) dims[i] = i == 0 ? 0 : i + 1;
                gb = Reductions.sum(gc, dims, false);
            }
            return new Tensor[] {gx, gw, gb};
        });
    }
}
