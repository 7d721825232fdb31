package org.vfmtok.bench;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.Backends;

/**
 * One GEMM problem for the benchmarks: random row-major F32 A (M×K) and B (K×N), or with
 * {@code transB} B stored as an N×K weight (the nn.Linear layout). Both implementations write their
 * own C so that {@link #maxRelativeDifference} can compare them.
 */
public final class GemmCase {
    public final int m, k, n;
    public final boolean transB;
    private final Tensor a, b, bView, ours, theirs;

    public GemmCase(int m, int k, int n, boolean transB) {
        this.m = m;
        this.k = k;
        this.n = n;
        this.transB = transB;
        SplittableRandom rng = new SplittableRandom(1234);
        a = Init.uniform(Tensor.empty(DType.F32, m, k), rng, -1, 1);
        b = Init.uniform(transB ? Tensor.empty(DType.F32, n, k) : Tensor.empty(DType.F32, k, n), rng, -1, 1);
        bView = transB ? b.mT() : b;
        ours = Tensor.zeros(m, n);
        theirs = Tensor.zeros(m, n);
    }

    /** Parses "MxKxN" with an optional "T" suffix (B stored transposed). */
    public static GemmCase parse(String shape) {
        boolean t = shape.endsWith("T");
        String[] p = (t ? shape.substring(0, shape.length() - 1) : shape).split("x");
        if (p.length != 3) throw new IllegalArgumentException("shape must be MxKxN[T], got " + shape);
        return new GemmCase(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]), t);
    }

    public String name() { return m + "x" + k + "x" + n + (transB ? "T" : ""); }

    public double flops() { return 2.0 * m * n * k; }

    public void runOurs() { Backends.cpu().gemm().gemm(a, bView, ours, 1f, 0f); }

    public void runOpenBlas(OpenBlas blas) {
        MemorySegment as = a.segment(), bs = b.segment(), cs = theirs.segment();
        blas.sgemm(false, transB, m, n, k, 1f, as, k, bs, transB ? k : n, 0f, cs, n);
    }

    /** max |ours - theirs| / max |theirs| after both ran. */
    public double maxRelativeDifference() {
        float[] x = ours.toFloatArray(), y = theirs.toFloatArray();
        double diff = 0, scale = 0;
        for (int i = 0; i < x.length; i++) {
            diff = Math.max(diff, Math.abs(x[i] - y[i]));
            scale = Math.max(scale, Math.abs(y[i]));
        }
        return scale == 0 ? diff : diff / scale;
    }
}
