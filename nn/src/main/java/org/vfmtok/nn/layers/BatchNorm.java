package org.vfmtok.nn.layers;

import org.vfmtok.nn.UnaryModule;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;
import org.vfmtok.tensor.ops.Pointwise;
import org.vfmtok.tensor.ops.Reductions;

/**
 * nn.BatchNorm1d/2d over (N, C, *): batch statistics in training (running stats updated with
 * {@code momentum}, unbiased variance for the running estimate), running statistics in eval. Keys:
 * weight, bias, running_mean, running_var, num_batches_tracked.
 */
public final class BatchNorm extends UnaryModule {
    public final Tensor weight;
    public final Tensor bias;
    public final Tensor runningMean;
    public final Tensor runningVar;
    public final Tensor numBatchesTracked;
    private final double eps;
    private final double momentum;

    public BatchNorm(int channels, double eps, double momentum) {
        this.eps = eps;
        this.momentum = momentum;
        this.weight = parameter("weight", Tensor.ones(channels));
        this.bias = parameter("bias", Tensor.zeros(channels));
        this.runningMean = buffer("running_mean", Tensor.zeros(channels));
        this.runningVar = buffer("running_var", Tensor.ones(channels));
        this.numBatchesTracked = buffer("num_batches_tracked", Tensor.zeros(DType.I64));
    }

    @Override public Tensor forward(Tensor x) {
        int c = x.size(1);
        int[] bshape = new int[x.dim()];
        java.util.Arrays.fill(bshape, 1);
        bshape[1] = c;
        int[] dims = reduceDims(x.dim());
        Tensor mean, var;
        if (isTraining()) {
            mean = Reductions.mean(x, dims, true);
            var = Reductions.var(x, dims, 0, true);
            try (Grad.Mode ng = Grad.noGrad()) {
                long n = x.numel() / c;
                Tensor unbiased = var.detach().reshape(c).mul((double) n / Math.max(1, n - 1));
                runningMean.copyFrom(Pointwise.add(runningMean.mul(1 - momentum), mean.detach().reshape(c).mul(momentum)));
                runningVar.copyFrom(Pointwise.add(runningVar.mul(1 - momentum), unbiased.mul(momentum)));
                numBatchesTracked.fill(numBatchesTracked.item() + 1);
            }
        } else {
            mean = runningMean.view(bshape);
            var = runningVar.view(bshape);
        }
        Tensor xhat = Pointwise.mul(Pointwise.sub(x, mean), Pointwise.rsqrt(var.add(eps)));
        return Pointwise.add(Pointwise.mul(xhat, weight.view(bshape)), bias.view(bshape));
    }

    static int[] reduceDims(int rank) {
        int[] d = new int[rank - 1];
        d[0] = 0;
        for (int i = 2; i < rank; i++) d[i - 1] = i;
        return d;
    }
}
