package org.vfmtok.tensor.cpu;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

/**
 * {@link VectorMath#exp}, {@link VectorMath#log} and {@link VectorMath#tanh}: accuracy against double
 * precision, special values, scalar twin = vector lanes bit for bit, and the reason they exist: the
 * same bits interpreted (-Xint) and compiled by C2, checked in two child JVMs.
 */
class DeterministicMathTest {
    private static final VectorSpecies<Float> F = VectorSupport.F;

    /** Inputs over [lo, hi): a uniform grid plus random points. */
    private static float[] inputs(float lo, float hi, int n, long seed) {
        float[] x = new float[n - n % F.length()];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < x.length; i++) x[i] = i % 2 == 0 ? lo + (hi - lo) * i / x.length : (float) (lo + (hi - lo) * r.nextDouble());
        return x;
    }

    private static double ulpError(float got, double want) {
        if (Double.isInfinite(want) || want == 0) return got == (float) want ? 0 : Double.POSITIVE_INFINITY;
        return Math.abs(got - want) / Math.ulp((float) want);
    }

    interface VOp { FloatVector apply(FloatVector v); }

    private static double worstUlp(float[] x, VOp op, java.util.function.DoubleUnaryOperator ref) {
        double worst = 0;
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i += F.length()) op.apply(FloatVector.fromArray(F, x, i)).intoArray(y, i);
        for (int i = 0; i < x.length; i++) worst = Math.max(worst, ulpError(y[i], ref.applyAsDouble(x[i])));
        return worst;
    }

    @Test
    void expIsWithinTwoUlp() {
        assertTrue(worstUlp(inputs(-87f, 88.7f, 200_000, 1), VectorMath::exp, Math::exp) <= 2, "exp, normal results");
        assertTrue(worstUlp(inputs(-10f, 10f, 100_000, 2), VectorMath::exp, Math::exp) <= 2, "exp near 0");
        // subnormal results: the absolute error is what counts there (a fraction of the smallest subnormal)
        for (float x : inputs(-103.9f, -87.4f, 10_000, 3)) {
            float got = VectorMath.exp(FloatVector.broadcast(F, x)).lane(0);
            assertEquals(Math.exp(x), got, 1.5 * Float.MIN_VALUE, "exp(" + x + ")");
        }
    }

    @Test
    void logIsWithinTwoUlp() {
        assertTrue(worstUlp(inputs(1e-30f, 10f, 200_000, 4), VectorMath::log, Math::log) <= 2, "log");
        assertTrue(worstUlp(inputs(0.5f, 2f, 200_000, 5), VectorMath::log, Math::log) <= 2, "log near 1 (absolute)");
        assertTrue(worstUlp(inputs(10f, 3e38f, 100_000, 6), VectorMath::log, Math::log) <= 2, "log, large");
        assertTrue(worstUlp(inputs(1e-44f, 1e-39f, 10_000, 7), VectorMath::log, Math::log) <= 2, "log of subnormals");
    }

    @Test
    void tanhIsWithinFourUlp() {
        assertTrue(worstUlp(inputs(-12f, 12f, 200_000, 8), VectorMath::tanh, Math::tanh) <= 4, "tanh");
        assertTrue(worstUlp(inputs(-0.7f, 0.7f, 100_000, 9), VectorMath::tanh, Math::tanh) <= 4, "tanh near 0");
        assertEquals(1e-20f, VectorMath.tanh(FloatVector.broadcast(F, 1e-20f)).lane(0));
    }

    @Test
    void specialValues() {
        float inf = Float.POSITIVE_INFINITY;
        float[][] exp = {{Float.NEGATIVE_INFINITY, 0f}, {inf, inf}, {0f, 1f}, {-0f, 1f}, {200f, inf}, {-200f, 0f}, {89f, inf}};
        for (float[] c : exp) {
            assertEquals(c[1], VectorMath.exp(FloatVector.broadcast(F, c[0])).lane(0), "exp(" + c[0] + ")");
            assertEquals(c[1], VectorMath.exp(c[0]), "scalar exp(" + c[0] + ")");
        }
        assertTrue(Float.isNaN(VectorMath.exp(FloatVector.broadcast(F, Float.NaN)).lane(0)));
        assertTrue(Float.isNaN(VectorMath.exp(Float.NaN)));
        float[][] log = {{0f, Float.NEGATIVE_INFINITY}, {-0f, Float.NEGATIVE_INFINITY}, {inf, inf}, {1f, 0f}};
        for (float[] c : log) {
            assertEquals(c[1], VectorMath.log(FloatVector.broadcast(F, c[0])).lane(0), "log(" + c[0] + ")");
            assertEquals(c[1], VectorMath.log(c[0]), "scalar log(" + c[0] + ")");
        }
        for (float bad : new float[] {-1f, Float.NaN, Float.NEGATIVE_INFINITY}) {
            assertTrue(Float.isNaN(VectorMath.log(FloatVector.broadcast(F, bad)).lane(0)), "log(" + bad + ")");
            assertTrue(Float.isNaN(VectorMath.log(bad)), "scalar log(" + bad + ")");
        }
        assertEquals(1f, VectorMath.tanh(FloatVector.broadcast(F, inf)).lane(0));
        assertEquals(-1f, VectorMath.tanh(FloatVector.broadcast(F, -inf)).lane(0));
        assertTrue(Float.isNaN(VectorMath.tanh(FloatVector.broadcast(F, Float.NaN)).lane(0)));
        // log1p of tiny values keeps them (softplus of very negative inputs)
        assertEquals(1e-30f, VectorMath.log1pNonNegative(FloatVector.broadcast(F, 1e-30f)).lane(0), 1e-36f);
    }

    @Test
    void scalarTwinsGiveTheVectorBits() {
        for (float[] x : List.of(inputs(-110f, 95f, 50_000, 10), inputs(1e-44f, 3e38f, 50_000, 11))) {
            float[] ve = new float[x.length], vl = new float[x.length];
            for (int i = 0; i < x.length; i += F.length()) {
                VectorMath.exp(FloatVector.fromArray(F, x, i)).intoArray(ve, i);
                VectorMath.log(FloatVector.fromArray(F, x, i)).intoArray(vl, i);
            }
            for (int i = 0; i < x.length; i++) {
                assertEquals(Float.floatToRawIntBits(ve[i]), Float.floatToRawIntBits(VectorMath.exp(x[i])), "exp(" + x[i] + ")");
                assertEquals(Float.floatToRawIntBits(vl[i]), Float.floatToRawIntBits(VectorMath.log(x[i])), "log(" + x[i] + ")");
            }
        }
    }

    /** Child-JVM entry: prints a digest of exp/log/tanh over fixed inputs, after enough calls to be compiled. */
    public static void main(String[] args) {
        float[] x = inputs(-100f, 90f, 1 << 14, 12), y = inputs(1e-40f, 1e30f, 1 << 14, 13);
        long digest = 0;
        int rounds = Integer.parseInt(args[0]);
        for (int round = 0; round < rounds; round++) {
            long d = 17;
            for (int i = 0; i < x.length; i += F.length()) {
                FloatVector vx = FloatVector.fromArray(F, x, i), vy = FloatVector.fromArray(F, y, i);
                FloatVector[] outs = {VectorMath.exp(vx), VectorMath.log(vy), VectorMath.tanh(vx.mul(0.1f))};
                for (FloatVector o : outs) for (int l = 0; l < F.length(); l++) d = d * 31 + Float.floatToRawIntBits(o.lane(l));
            }
            digest = d;
        }
        System.out.println("digest " + F.length() + " " + Long.toHexString(digest));
    }

    private static String child(String... jvmFlags) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(List.of(jvmFlags));
        cmd.addAll(List.of("--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                DeterministicMathTest.class.getName()));
        cmd.add(List.of(jvmFlags).contains("-Xint") ? "1" : "200");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM timed out");
        assertEquals(0, p.exitValue(), out);
        return out.lines().filter(l -> l.startsWith("digest")).findFirst().orElseThrow(() -> new AssertionError(out));
    }

    @Test
    void sameBitsInterpretedAndCompiled() throws Exception {
        String species = "-Dvfmtok.vector.bits=" + F.vectorBitSize();
        String interpreted = child("-Xint", species);
        String compiled = child("-XX:-TieredCompilation", "-XX:CompileThreshold=100", species);
        assertEquals(interpreted, compiled);
    }
}
