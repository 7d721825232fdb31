package org.vfmtok.tensor.testing;

import java.util.Arrays;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.Backend;
import org.vfmtok.tensor.backend.Backends;

/** Runs the same computation on the fast CPU backend and on the scalar oracle and compares them. */
public final class Compare {
    private Compare() {}

    /** Result of {@code op} on the oracle. */
    public static Tensor onScalar(Supplier<Tensor> op) { return Backends.using(Backends.scalar(), op); }

    /** Result of {@code op} on the fast CPU backend ({@link #fast()}). */
    public static Tensor onCpu(Supplier<Tensor> op) { return Backends.using(fast(), op); }

    /**
     * The vectorized CPU backend, also under {@code -Dvfmtok.backend=scalar} (where {@link Backends#cpu()} is the
     * oracle itself and a comparison could not fail). Without the Vector API the calling test is skipped,
     * saying why: it is never turned into a scalar-versus-scalar comparison.
     */
    public static Backend fast() {
        if (!Backends.vectorApiAvailable()) {
            Assumptions.abort("skipped: the vectorized CPU backend needs --add-modules " + Backends.VECTOR_MODULE
                    + "; comparing the scalar oracle with itself would prove nothing");
        }
        return Backends.vectorized();
    }

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
            boolean bad = !close(e[i], a[i], tol);
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

    /**
     * Whether {@code actual} matches {@code expected} within {@code tol}: NaN only against NaN, an infinity only
     * against the same infinity (an infinite expected value must not make the tolerance infinite), finite values
     * within the tolerance.
     */
    static boolean close(double expected, double actual, double tol) {
        if (Double.isNaN(expected) || Double.isNaN(actual)) return Double.isNaN(expected) && Double.isNaN(actual);
        if (Double.isInfinite(expected) || Double.isInfinite(actual)) return expected == actual;
        return Math.abs(expected - actual) <= tol;
    }

    /** Runs op on the scalar oracle and on the vectorized backend ({@link #fast()}) and asserts closeness. */
    public static void backends(String what, Supplier<Tensor> op, double atol, double rtol) {
        fast();
        assertClose(what, onScalar(op), onCpu(op), atol, rtol);
    }
}
