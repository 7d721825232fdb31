package org.vfmtok.nn;

import java.util.Locale;
import java.util.function.Supplier;
import org.vfmtok.tensor.DType;

/**
 * How a model stores the weight matrices its matrix products read, chosen when it is built or loaded (a model
 * option, not a global switch). {@link #F32} keeps them as trained. {@link #BF16} rounds them to bfloat16 (round to
 * nearest even, as torch's {@code .to(torch.bfloat16)}) for inference: half the memory and half the bytes a
 * memory-bound product (a decode step) streams; the kernels widen the weights to F32 in the register and accumulate
 * in F32, and activations stay F32. Norm scales, biases and embedding tables stay F32 (few bytes, read row by row).
 * A BF16 model is for inference only: its parameters do not require gradients, and an op that would need one fails.
 *
 * <p>A model whose layers are nn's ({@link org.vfmtok.nn.layers.Linear}, {@link org.vfmtok.nn.layers.ConvNd}) chooses
 * their storage at construction with {@link #build}: the layers constructed inside the call (on this thread) read it
 * through {@link #building()}. It is a scoped value, bound only for the call: nothing global changes.
 */
public enum WeightStorage {
    F32(DType.F32),
    BF16(DType.BF16);

    private final DType dtype;

    /** The storage of the layers being constructed on this thread inside {@link #build}; unbound (F32) elsewhere. */
    private static final ScopedValue<WeightStorage> BUILDING = ScopedValue.newInstance();

    WeightStorage(DType dtype) { this.dtype = dtype; }

    /** The tensor dtype of the stored matrices. */
    public DType dtype() { return dtype; }

    /** Lower-case name, as the command line spells it ("f32", "bf16"). */
    public String label() { return name().toLowerCase(Locale.ROOT); }

    /** "f32" or "bf16" (case-insensitive); anything else fails with the value and the choices named. */
    public static WeightStorage parse(String s) {
        if (s != null) {
            for (WeightStorage t : values()) if (t.name().equalsIgnoreCase(s.trim())) return t;
        }
        throw new IllegalArgumentException("unknown weight storage '" + s + "': expected f32 or bf16");
    }

    /**
     * Runs {@code construction} (a model's constructor) with this storage for the weight matrices of the nn layers it
     * constructs (Linear, Conv1d/Conv2d); biases, norms and embeddings stay F32. BF16 layers are initialised in F32 and
     * rounded, and their parameters do not require gradients.
     */
    public <T> T build(Supplier<T> construction) {
        return ScopedValue.where(BUILDING, this).call(construction::get);
    }

    /** The storage chosen by the enclosing {@link #build} on this thread, else {@link #F32}. */
    public static WeightStorage building() {
        return BUILDING.orElse(F32);
    }
}
