package org.vfmtok.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Ordered horizontal sums. {@code reduceLanes(ADD)} leaves the order of the float additions
 * unspecified, and the interpreter and C2 do use different orders, so a kernel's result would change
 * once it gets compiled. Summing the lanes left to right in double keeps results reproducible run to
 * run (and a little more accurate); it costs one spill per reduction, negligible next to the row.
 */
public final class Lanes {
    private Lanes() {}

    /** Per thread, one vector's lanes: a spill to sum from (toArray would allocate an array per call). */
    private static final ThreadLocal<float[]> SPILL = ThreadLocal.withInitial(() -> new float[VectorSupport.F.length()]);

    /** This thread's spill of {@link VectorSupport#F}'s length, for kernels that sum lanes from memory. */
    public static float[] spill() { return SPILL.get(); }

    static double sum(FloatVector v) {
        float[] lanes = v.species() == VectorSupport.F ? SPILL.get() : new float[v.length()];
        v.intoArray(lanes, 0);
        double s = 0;
        for (float f : lanes) s += f;
        return s;
    }

    // Rotations as constants (static finals): C2 then compiles rearrange to a lane permute without boxing.
    private static final VectorSpecies<Float> F = VectorSupport.F;
    private static final VectorShuffle<Float> R8 = rotation(8), R4 = rotation(4), R2 = rotation(2), R1 = rotation(1);

    private static VectorShuffle<Float> rotation(int h) {
        int n = F.length();
        return VectorShuffle.fromOp(F, i -> (i + h) % n);
    }

    /**
     * The float sum of the lanes in a fixed pairwise tree (lanewise adds of rotated copies), so the result
     * is the same interpreted and compiled, unlike {@code reduceLanes(ADD)}.
     */
    public static float tree(FloatVector v) {
        if (v.species() != F) return (float) sum(v);
        int n = F.length();
        if (n >= 16) v = v.add(v.rearrange(R8));
        if (n >= 8) v = v.add(v.rearrange(R4));
        if (n >= 4) v = v.add(v.rearrange(R2));
        if (n >= 2) v = v.add(v.rearrange(R1));
        return v.lane(0);
    }

    /**
     * The {@link #tree(FloatVector)} sum of {@code l[off, off+VL)}, VL lanes spilled there by {@code intoArray}:
     * lane i gains lane i+h, h halving, so the bits equal the vector tree's. Overwrites the lanes. For kernels
     * large enough that C2 stops inlining (NodeCountInliningCutoff): a vector handed to a call that is not
     * inlined is boxed on the heap, a spill is not.
     */
    public static float tree(float[] l, int off) {
        for (int h = F.length() / 2; h >= 1; h /= 2) {
            for (int i = 0; i < h; i++) l[off + i] += l[off + i + h];
        }
        return l[off];
    }
}
