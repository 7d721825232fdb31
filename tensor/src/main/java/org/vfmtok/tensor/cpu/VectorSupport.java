package org.vfmtok.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float vector species the CPU kernels use, chosen at run time: the preferred one, or the width
 * forced by {@code -Dvfmtok.vector.bits=128|256|512}. {@code -Dvfmtok.backend=scalar} bypasses the
 * Vector API entirely (see {@code Backends}).
 *
 * <p>One name per concept across the CPU kernels: {@code F} is the float species, {@code BF16} the short species
 * that carries bfloat16 bits, {@code I} the int species, {@code VL} the float lane count; {@code FLOAT} (and
 * {@code DOUBLE}, {@code SHORT}, {@code INT}, {@code LONG} in {@code DType}) the unaligned memory layouts.
 */
public final class VectorSupport {
    public static final VectorSpecies<Float> F = choose();
    /** Shorts with as many lanes as {@link #F}: VL BF16 values (null with 64-bit float vectors: there is no 32-bit shape). */
    public static final VectorSpecies<Short> BF16 = F.length() >= 4 ? VectorSpecies.of(short.class, VectorShape.forBitSize(F.length() * 16)) : null;
    private static final VectorSpecies<Integer> I = F.withLanes(int.class);

    private VectorSupport() {}

    /**
     * BF16 bits ({@link #BF16} lanes) widened to F32 lanes in the register: bits &lt;&lt; 16 reinterpreted, which is
     * exact. A method of a few bytecodes, which every compiler inlines, so the vectors stay in registers.
     */
    public static FloatVector widenBf16(ShortVector bits) {
        return ((IntVector) bits.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    private static VectorSpecies<Float> choose() {
        String bits = System.getProperty("vfmtok.vector.bits");
        if (bits == null) return FloatVector.SPECIES_PREFERRED;
        return switch (bits) {
            case "64" -> FloatVector.SPECIES_64;
            case "128" -> FloatVector.SPECIES_128;
            case "256" -> FloatVector.SPECIES_256;
            case "512" -> FloatVector.SPECIES_512;
            default -> VectorSpecies.of(float.class, VectorShape.forBitSize(Integer.parseInt(bits)));
        };
    }
}
