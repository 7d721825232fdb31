package org.vfmtok.tensor.cpu;

import static org.junit.jupiter.api.Assertions.*;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.util.MathUtil;

class VectorMathTest {
    private static float lane0(FloatVector v) { return v.lane(0); }

    @Test
    void floatErfAndNormalCdfAreAccurate() {
        double worstErf = 0, worstCdf = 0;
        for (int i = -6000; i <= 6000; i++) {
            float x = i / 1000f;
            double e = MathUtil.erf(x);
            double got = lane0(VectorMath.erf(FloatVector.broadcast(VectorSupport.F, x)));
            if (e != 0) worstErf = Math.max(worstErf, Math.abs(got - e) / Math.abs(e));
            double c = MathUtil.normalCdf(x);
            double gc = lane0(VectorMath.normalCdf(FloatVector.broadcast(VectorSupport.F, x)));
            worstCdf = Math.max(worstCdf, Math.abs(gc - c) / c);
        }
        assertTrue(worstErf < 1e-6, "erf relative error " + worstErf);
        assertTrue(worstCdf < 2e-6, "normal CDF relative error " + worstCdf);
    }

    @Test
    void scalarErfIsDoublePrecise() {
        // values from Python's math.erf / math.erfc
        double[][] table = {
            {1e-8, 1.1283791670955126e-08, 0.9999999887162083}, {0.001, 0.0011283787909692365, 0.9988716212090307},
            {0.3, 0.3286267594591274, 0.6713732405408726}, {0.5, 0.5204998778130465, 0.4795001221869535},
            {1.0, 0.8427007929497149, 0.15729920705028513}, {2.0, 0.9953222650189527, 0.004677734981047265},
            {2.4, 0.999311486103355, 0.0006885138966450789}, {2.6, 0.9997639655834707, 0.00023603441652934908},
            {3.5, 0.9999992569016276, 7.430983723414128e-07}, {5.0, 0.9999999999984626, 1.5374597944280351e-12},
            {-0.2, -0.22270258921047847, 1.2227025892104786}, {-3.0, -0.9999779095030014, 1.9999779095030015},
        };
        for (double[] r : table) {
            assertEquals(r[1], MathUtil.erf(r[0]), 2e-15 * Math.abs(r[1]), "erf(" + r[0] + ")");
            assertEquals(r[2], MathUtil.erfc(r[0]), 5e-13 * Math.abs(r[2]), "erfc(" + r[0] + ")");
        }
    }
}
