package org.vfmtok.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float vector species the CPU kernels use, chosen at run time: the preferred one, or the width
 * forced by {@code -Dvfmtok.vector.bits=128|256|512}. {@code -Dvfmtok.backend=scalar} bypasses the
 * Vector API entirely (see {@code Backends}). Loading it installs the {@link JitHints}.
 */
public final class VectorSupport {
    public static final VectorSpecies<Float> F = choose();

    static {
        JitHints.install();   // before any kernel is compiled: see JitHints
    }

    private VectorSupport() {}

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
