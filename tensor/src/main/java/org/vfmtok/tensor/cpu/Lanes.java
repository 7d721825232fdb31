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

    static double sum(FloatVector v) {
        float[] lanes = v.toArray();
        double s = 0;
        for (float f : lanes) s += f;
        return s;
    }

    /** Rotations by half, quarter, ... of the preferred species, built once. */
    private static final VectorSpecies<Float> S = VectorSupport.F;
    private static final VectorShuffle<Float>[] ROTATE = rotations();

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] rotations() {
        int n = S.length();
        VectorShuffle<Float>[] r = new VectorShuffle[Integer.numberOfTrailingZeros(n) + 1];
        for (int half = n / 2, k = 0; half >= 1; half /= 2, k++) {
            int h = half;
            r[k] = VectorShuffle.fromOp(S, i -> (i + h) % n);
        }
        return r;
    }

    /**
     * The float sum of the lanes in a fixed pairwise tree (lanewise adds of rotated copies), so the result
     * is the same interpreted and compiled, unlike {@code reduceLanes(ADD)}; no allocation.
     */
    public static float tree(FloatVector v) {
        if (v.species() != S) return (float) sum(v);
        for (int k = 0, half = S.length() / 2; half >= 1; half /= 2, k++) v = v.add(v.rearrange(ROTATE[k]));
        return v.lane(0);
    }
}
