package org.vfmtok.nn;

import java.util.Locale;
import org.vfmtok.tensor.DType;

/**
 * How a model stores the weight matrices its matrix products read, chosen when it is built or loaded (a model
 * option, not a global switch). {@link #F32} keeps them as trained. {@link #BF16} rounds them to bfloat16 (round to
 * nearest even, as torch's {@code .to(torch.bfloat16)}) for inference: half the memory and half the bytes a
 * memory-bound product (a decode step) streams; the kernels widen the weights to F32 in the register and accumulate
 * in F32, and activations stay F32. Norm scales, biases and embedding tables stay F32 (few bytes, read row by row).
 * A BF16 model is for inference only: its parameters do not require gradients.
 */
public enum WeightStorage {
    F32(DType.F32),
    BF16(DType.BF16);

    private final DType dtype;

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
}
