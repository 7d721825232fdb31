package org.vfmtok.llama;

import java.util.Locale;
import org.vfmtok.tensor.DType;

/**
 * Storage type of the {@link KVDecoder}'s key and value caches. {@link #F32} (the default) stores k and v as
 * computed; {@link #BF16} rounds them to bfloat16 when they are written (round to nearest even, as torch's
 * {@code .to(torch.bfloat16)}) and widens them back to F32 when the attention reads them: half the cache
 * memory and traffic, at 8 bits of mantissa. Everything else (activations, scores, accumulation) stays F32.
 */
public enum KVCacheDType {
    F32(DType.F32),
    BF16(DType.BF16);

    private final DType dtype;

    KVCacheDType(DType dtype) { this.dtype = dtype; }

    /** The tensor dtype of the cache. */
    public DType dtype() { return dtype; }

    /** Bytes per cached element. */
    public int byteSize() { return dtype.byteSize(); }

    /** Lower-case name, as the command line spells it ("f32", "bf16"). */
    public String label() { return name().toLowerCase(Locale.ROOT); }

    /** "f32" or "bf16" (case-insensitive); anything else fails with the value and the choices named. */
    public static KVCacheDType parse(String s) {
        if (s != null) {
            for (KVCacheDType t : values()) if (t.name().equalsIgnoreCase(s.trim())) return t;
        }
        throw new IllegalArgumentException("unknown KV-cache dtype '" + s + "': expected f32 or bf16");
    }
}
