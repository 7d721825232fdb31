package org.vfmtok.nn.layers;

import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.vfmtok.nn.UnaryModule;
import org.vfmtok.nn.init.Initializers;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.Conv;

/**
 * What {@link Conv1d}, {@link Conv2d} and {@link SNConv1d} share, as PyTorch's {@code _ConvNd}: the
 * weight (out, in/groups, kernel...) and optional bias, PyTorch's default initialisation, the
 * geometry (stride, padding, dilation, groups, padding mode, equal in every spatial dimension) and its
 * validation. Subclasses only choose the number of spatial dimensions and run the convolution.
 */
public abstract class ConvNd extends UnaryModule {
    /**
     * The trained weight (key {@code weight}, or {@code weight_orig} under spectral norm): F32, or BF16 when the layer
     * was built under {@link org.vfmtok.nn.WeightStorage#build} for inference.
     */
    public final Tensor weight;
    public final Tensor bias;
    protected final int stride;
    protected final int padding;
    protected final int dilation;
    protected final int groups;
    protected final Conv.PaddingMode mode;

    /** Where the weight sits in the state dict. */
    protected enum WeightKey {
        /** {@code weight} before {@code bias}, as nn.ConvNd registers them. */
        PLAIN,
        /**
         * {@code weight_orig} after {@code bias}: {@code spectral_norm} deletes {@code weight} and
         * re-registers it under the new name.
         */
        SPECTRAL_NORM
    }

    protected ConvNd(int spatialDims, int in, int out, int kernel, int stride, int padding, int dilation, int groups,
                     boolean bias, Conv.PaddingMode mode, RandomGenerator rng, WeightKey key) {
        String what = getClass().getSimpleName() + "(in=" + in + ", out=" + out + ", kernel=" + kernel + ")";
        if (in <= 0 || out <= 0 || kernel <= 0) throw new IllegalArgumentException(what + ": channels and kernel must be positive");
        if (stride <= 0 || dilation <= 0 || padding < 0) {
            throw new IllegalArgumentException(what + ": stride " + stride + " and dilation " + dilation + " must be positive, padding " + padding + " non-negative");
        }
        if (groups <= 0 || in % groups != 0 || out % groups != 0) {
            throw new IllegalArgumentException(what + ": channels " + in + "->" + out + " not divisible by groups " + groups);
        }
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.groups = groups;
        this.mode = mode;
        int[] shape = new int[2 + spatialDims];
        shape[0] = out;
        shape[1] = in / groups;
        Arrays.fill(shape, 2, shape.length, kernel);
        Tensor b = bias ? Tensor.empty(DType.F32, out) : null;
        // F32, or rounded to the storage of an inference model (WeightStorage.build)
        Tensor w = StoredWeights.initialised(shape, f -> Initializers.linearDefault(f, b, rng));
        if (key == WeightKey.PLAIN) {
            this.weight = StoredWeights.freezeIfRounded(parameter("weight", w));
            this.bias = b == null ? null : parameter("bias", b);
        } else {
            this.bias = b == null ? null : parameter("bias", b);
            this.weight = StoredWeights.freezeIfRounded(parameter("weight_orig", w));
        }
    }

    public int stride() { return stride; }

    public int padding() { return padding; }

    public int dilation() { return dilation; }

    public int groups() { return groups; }

    public Conv.PaddingMode paddingMode() { return mode; }
}
