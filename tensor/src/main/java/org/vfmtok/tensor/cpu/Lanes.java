package org.vfmtok.tensor.cpu;

import jdk.incubator.vector.FloatVector;

/**
 * Ordered horizontal sums. {@code reduceLanes(ADD)} leaves the order of the float additions
 * unspecified, and the interpreter and C2 do use different orders, so a kernel's result would change
 * once it gets compiled. Summing the lanes left to right in double keeps results reproducible run to
 * run (and a little more accurate); it costs one spill per reduction, negligible next to the row.
 */
final class Lanes {
    private Lanes() {}

    static double sum(FloatVector v) {
        float[] lanes = v.toArray();
        double s = 0;
        for (float f : lanes) s += f;
        return s;
    }
}
