package org.vfmtok.nn.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.vfmtok.tensor.Tensor;

/** Parameters that share hyper-parameters (PyTorch's param_groups): learning rate and weight decay. */
public final class ParamGroup {
    final List<Tensor> params;
    double lr;
    final double weightDecay;

    public ParamGroup(List<Tensor> params, double lr, double weightDecay) {
        this.params = List.copyOf(params);
        this.lr = lr;
        this.weightDecay = weightDecay;
    }

    public List<Tensor> params() { return params; }

    public double lr() { return lr; }

    public double weightDecay() { return weightDecay; }

    /**
     * LlamaGen's grouping: weight decay on parameters with 2 or more dims (matrices, embeddings,
     * convolutions), none on biases and norm gains. Frozen parameters are left out.
     */
    public static List<ParamGroup> decayOnMatrices(Map<String, Tensor> named, double lr, double weightDecay) {
        List<Tensor> decay = new ArrayList<>();
        List<Tensor> noDecay = new ArrayList<>();
        for (Tensor p : named.values()) {
            if (!p.requiresGrad()) continue;
            (p.dim() >= 2 ? decay : noDecay).add(p);
        }
        return List.of(new ParamGroup(decay, lr, weightDecay), new ParamGroup(noDecay, lr, 0.0));
    }

    public static List<ParamGroup> single(List<Tensor> params, double lr, double weightDecay) {
        return List.of(new ParamGroup(params.stream().filter(Tensor::requiresGrad).toList(), lr, weightDecay));
    }
}
