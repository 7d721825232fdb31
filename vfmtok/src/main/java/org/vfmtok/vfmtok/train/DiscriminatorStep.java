package org.vfmtok.vfmtok.train;

import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.vfmtok.nn.Module;
import org.vfmtok.nn.loss.Loss;
import org.vfmtok.nn.optim.Adam;
import org.vfmtok.nn.optim.GradClip;
import org.vfmtok.nn.optim.ParamGroup;
import org.vfmtok.tensor.Tensor;

/**
 * The discriminator's half of the GAN (optimizer_idx 1): w·hinge(D(x), D(x̂)) with its own Adam (0.9, 0.95),
 * constant learning rate and gradient clipping, as {@code vq_train.py} does. {@code d} is any module with a
 * logits function (the DINO discriminator).
 */
public final class DiscriminatorStep {
    private final Module module;
    private final UnaryOperator<Tensor> forward;
    private final Adam optimizer;
    private final double clip;
    private org.vfmtok.nn.dist.Communicator comm = org.vfmtok.nn.dist.Communicator.single();

    public DiscriminatorStep(Module module, UnaryOperator<Tensor> forward, double lr, double clip) {
        this.module = module;
        this.forward = forward;
        this.optimizer = Adam.adam(ParamGroup.single(module.parameters(), lr, 0.0), 0.9, 0.95, 1e-8);
        this.clip = clip;
    }

    /** Data-parallel: the discriminator's gradients are averaged over {@code c}'s ranks before clipping. Returns this. */
    public DiscriminatorStep distributed(org.vfmtok.nn.dist.Communicator c) {
        this.comm = java.util.Objects.requireNonNull(c);
        return this;
    }

    public Module module() { return module; }

    public Adam optimizer() { return optimizer; }

    public Tensor logits(Tensor images) { return forward.apply(images); }

    /** One update on real and (detached) fake images; returns the weighted hinge loss. */
    public double step(Tensor real, Tensor fake, double weight) {
        module.zeroGrad();
        Tensor loss = Loss.hingeD(logits(real), logits(fake)).mul(weight);
        double v = loss.item();
        loss.backward();
        List<Tensor> params = module.parameters().stream().filter(Tensor::requiresGrad).toList();
        if (comm.worldSize() > 1) comm.allReduceMean(params.stream().filter(p -> p.grad() != null).map(Tensor::grad).toList());
        if (clip > 0) GradClip.clipGlobalNorm(params, clip);
        optimizer.step();
        module.zeroGrad();
        return v;
    }

    public Map<String, Tensor> optimizerState() { return optimizer.stateDict(); }
}
