package org.vfmtok.eval.inception;

import org.vfmtok.nn.Module;
import org.vfmtok.nn.UnaryModule;
import org.vfmtok.nn.layers.BatchNorm;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.Conv;
import org.vfmtok.tensor.ops.Pointwise;

/**
 * torchvision's {@code BasicConv2d}: conv (no bias, any kh x kw kernel) → BatchNorm (eps 1e-3, running
 * statistics) → ReLU. Keys {@code conv.weight} and {@code bn.{weight,bias,running_mean,running_var}}.
 *
 * <p>Inference only: after loading, {@link #fold()} folds the BatchNorm into the convolution
 * (w·γ/√(var+eps), β − mean·γ/√(var+eps), computed in double), so the forward is one convolution with bias
 * and a ReLU. The folded result differs from conv-then-BN only by float rounding.
 */
final class BasicConv2d extends UnaryModule {
    static final double BN_EPS = 1e-3;

    private final KernelWeight conv;
    private final BatchNorm bn;
    private final int[] stride;
    private final int[] padding;
    private Tensor foldedWeight;
    private Tensor foldedBias;

    /** Square kernel with square stride and padding. */
    BasicConv2d(int in, int out, int kernel, int stride, int padding) {
        this(in, out, kernel, kernel, stride, padding, padding);
    }

    /** A kh x kw kernel (the 1x7, 7x1, 1x3, 3x1 convolutions of blocks C, D and E), stride on both axes. */
    BasicConv2d(int in, int out, int kh, int kw, int stride, int ph, int pw) {
        this.conv = register("conv", new KernelWeight(out, in, kh, kw));
        this.bn = register("bn", new BatchNorm(out, BN_EPS, 0.1));
        this.stride = new int[] {stride, stride};
        this.padding = new int[] {ph, pw};
    }

    /** Folds the loaded BatchNorm into the convolution; call once after loading, in the weights' scope. */
    void fold() {
        float[] w = conv.weight.toFloatArray();
        float[] gamma = bn.weight.toFloatArray(), beta = bn.bias.toFloatArray();
        float[] mean = bn.runningMean.toFloatArray(), var = bn.runningVar.toFloatArray();
        int out = gamma.length, per = w.length / out;
        float[] fw = new float[w.length];
        float[] fb = new float[out];
        for (int o = 0; o < out; o++) {
            double scale = gamma[o] / Math.sqrt((double) var[o] + BN_EPS);
            for (int i = 0; i < per; i++) fw[o * per + i] = (float) (w[o * per + i] * scale);
            fb[o] = (float) (beta[o] - mean[o] * scale);
        }
        foldedWeight = Tensor.of(fw, conv.weight.shape());
        foldedBias = Tensor.of(fb, out);
    }

    @Override
    public Tensor forward(Tensor x) {
        if (foldedWeight == null) throw new IllegalStateException("BasicConv2d: fold() was not called after loading");
        Tensor y = Conv.conv2d(x, foldedWeight, foldedBias, stride, padding, new int[] {1, 1}, 1, Conv.PaddingMode.ZEROS);
        return Pointwise.relu(y);
    }

    /** The {@code conv} child: only its weight (bias=False), with a kernel that need not be square. */
    static final class KernelWeight extends Module {
        final Tensor weight;

        KernelWeight(int out, int in, int kh, int kw) {
            this.weight = parameter("weight", Tensor.zeros(out, in, kh, kw));
        }
    }
}
