package org.vfmtok.nn.layers;

import java.util.function.Consumer;
import org.vfmtok.nn.WeightStorage;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;

/** How {@link Linear} and {@link ConvNd} store their weight: as {@link WeightStorage#building()} says. */
final class StoredWeights {
    private StoredWeights() {}

    /**
     * A weight of this shape, initialised by {@code init} in F32 (the same draws whatever the storage), stored as
     * {@link WeightStorage#building()}: under BF16 the F32 values live in a scratch scope and only their rounding (to
     * nearest even) stays, so a BF16 model holds half the bytes. A rounded weight never requires a gradient.
     */
    static Tensor initialised(int[] shape, Consumer<Tensor> init) {
        WeightStorage s = WeightStorage.building();
        if (s == WeightStorage.F32) {
            Tensor w = Tensor.empty(DType.F32, shape);
            init.accept(w);
            return w;
        }
        Scope caller = Scope.current();
        try (Scope scratch = Scope.open("weight init")) {
            Tensor f = Tensor.empty(DType.F32, shape);
            init.accept(f);
            return caller.run(() -> f.to(s.dtype()));
        }
    }

    /** Registered parameters require gradients: a rounded weight is for inference and must not (ops then refuse training). */
    static Tensor freezeIfRounded(Tensor weight) {
        if (weight.dtype() != DType.F32) weight.requiresGrad(false);
        return weight;
    }
}
