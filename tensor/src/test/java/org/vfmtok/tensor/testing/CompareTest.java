package org.vfmtok.tensor.testing;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.Backends;

/** The comparison helper itself must be able to fail: infinities and NaN are matched exactly. */
class CompareTest {
    private static void fails(double expected, double actual) {
        assertThrows(AssertionError.class, () -> Compare.assertClose("case", Tensor.of(new float[] {(float) expected}),
                Tensor.of(new float[] {(float) actual}), 1e-3, 1e-3), expected + " vs " + actual);
    }

    private static void passes(double expected, double actual) {
        assertDoesNotThrow(() -> Compare.assertClose("case", Tensor.of(new float[] {(float) expected}),
                Tensor.of(new float[] {(float) actual}), 1e-3, 1e-3), expected + " vs " + actual);
    }

    @Test
    void infinitiesMustMatchExactly() {
        fails(Double.POSITIVE_INFINITY, 1e30);
        fails(Double.POSITIVE_INFINITY, 0);
        fails(Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY);
        fails(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
        fails(1, Double.POSITIVE_INFINITY);
        passes(Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY);
        passes(Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY);
    }

    @Test
    void nanOnlyAgainstNan() {
        fails(Double.NaN, 1);
        fails(1, Double.NaN);
        fails(Double.NaN, Double.POSITIVE_INFINITY);
        passes(Double.NaN, Double.NaN);
    }

    @Test
    void finiteValuesUseTheTolerance() {
        passes(1, 1.0015); // atol 1e-3 + rtol 1e-3
        fails(1, 1.003);
        fails(1000, 1002.5);
        passes(1000, 1000.5);
    }

    @Test
    void theFastBackendIsNeverTheOracle() {
        // under -Dvfmtok.backend=scalar Backends.cpu() is the oracle; the comparisons must still use the vector kernels
        assertNotSame(Backends.scalar(), Compare.fast());
        String saved = System.getProperty("vfmtok.backend");
        System.setProperty("vfmtok.backend", "scalar");
        try {
            assertNotSame(Backends.scalar(), Backends.vectorized());
        } finally {
            if (saved == null) System.clearProperty("vfmtok.backend"); else System.setProperty("vfmtok.backend", saved);
        }
    }
}
