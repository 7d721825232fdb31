package org.vfmtok.tensor.testing;

import java.util.Arrays;
import java.util.function.Supplier;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.Backend;
import org.vfmtok.tensor.backend.Backends;

/** Runs the same computation on the fast CPU backend and on the scalar oracle and compares them. */
public final class Compare {
    private Compare() {}

    /** Result of {@code op} on the oracle. */
    public static Tensor onScalar(Supplier<Tensor> op) { return Backends.using(Backends.scalar(), op); }

    /** Result of {@code op} on the fast CPU backend. */
    public static Tensor onCpu(Supplier<Tensor> op) { return Backends.using(Backends.cpu(), op); }

    /** Asserts |fast - oracle| <= atol + rtol·|oracle| elementwise; the message names the worst element. */
    public static void assertClose(String what, Tensor expected, Tensor actual, double atol, double rtol) {
        if (!Arrays.equals(expected.shape(), actual.shape())) {
            throw new AssertionError(what + ": shape " + Arrays.toString(actual.shape()) + ", expected " + Arrays.toString(expected.shape()));
        }
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        int worst = -1;
        double worstExcess = 0;
        for (int i = 0; i < e.length; i++) {
            double tol = atol + rtol * Math.abs(e[i]);
            double diff = Math.abs(e[i] - a[i]);
            boolean bad = Double.isNaN(e[i]) != Double.isNaN(a[i]) || (!Double.isNaN(e[i]) && !(diff <= tol) && e[i] != a[i]);
            if (bad && (worst < 0 || diff - tol > worstExcess)) {
                worst = i;
                worstExcess = diff - tol;
            }
        }
        if (worst >= 0) {
            throw new AssertionError(String.format("%s: element %d of %s is %.9g, expected %.9g (atol %g, rtol %g)",
                    what, worst, Arrays.toString(expected.shape()), a[worst], e[worst], atol, rtol));
        }
    }

    /** Runs op on both backends and asserts closeness. */
    public static void backends(String what, Supplier<Tensor> op, double atol, double rtol) {
        Backend fast = Backends.cpu();
        if (fast == Backends.scalar()) return; // forced scalar: nothing to compare
        assertClose(what, onScalar(op), onCpu(op), atol, rtol);
    }
}
