package org.vfmtok.nn;

import org.vfmtok.tensor.Tensor;

/**
 * A module whose forward takes one tensor and returns one: the layers of {@code org.vfmtok.nn.layers}
 * and any block of a model that maps activations to activations. Holding children by this type
 * ({@code ModuleList<UnaryModule>}, a field typed {@code UnaryModule} that is one of two MLP variants)
 * lets model code call {@link #forward} without casting to the concrete class.
 */
public abstract class UnaryModule extends Module {
    public abstract Tensor forward(Tensor x);
}
