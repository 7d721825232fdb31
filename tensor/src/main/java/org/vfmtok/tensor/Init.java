package org.vfmtok.tensor;

import java.util.random.RandomGenerator;

/**
 * Seeded random initialisation. Values are drawn in Java from any {@link RandomGenerator} (use {@link Rng}
 * when the state must be saved), deterministic for a seed on every platform, and written in row-major order into any tensor, whatever its dtype and strides.
 */
public final class Init {
    private Init() {}

    /** A seeded generator; pass one per model so that initialisation is reproducible. */
    public static Rng rng(long seed) { return new Rng(seed); }

    public static Tensor uniform(Tensor t, RandomGenerator rng, double low, double high) {
        return fillWith(t, () -> low + (high - low) * rng.nextDouble());
    }

    public static Tensor normal(Tensor t, RandomGenerator rng, double mean, double std) {
        return fillWith(t, () -> mean + std * gaussian(rng));
    }

    /** Normal restricted to [a, b] by rejection (as {@code trunc_normal_} with absolute bounds). */
    public static Tensor truncNormal(Tensor t, RandomGenerator rng, double mean, double std, double a, double b) {
        if (!(a < b)) throw new IllegalArgumentException("truncNormal bounds must satisfy a < b, got " + a + ", " + b);
        return fillWith(t, () -> {
            for (int tries = 0; tries < 1_000_000; tries++) {
                double v = mean + std * gaussian(rng);
                if (v >= a && v <= b) return v;
            }
            return Math.min(Math.max(mean, a), b);
        });
    }

    public static Tensor randn(RandomGenerator rng, int... shape) {
        return normal(Tensor.empty(DType.F32, shape), rng, 0, 1);
    }

    public static Tensor randn(RandomGenerator rng, DType dtype, int... shape) {
        return normal(Tensor.empty(dtype, shape), rng, 0, 1);
    }

    public static Tensor rand(RandomGenerator rng, DType dtype, int... shape) {
        return uniform(Tensor.empty(dtype, shape), rng, 0, 1);
    }

    /**
     * N(0, std) into a contiguous F32 CPU tensor, in blocks of 65536 values drawn from generators of their own
     * ({@code new Rng(streamSeed + block)}, one value skipped, then Box–Muller), filled on all threads: the
     * values depend on the seed only, not on the thread count. For the weights of large models, where one
     * generator would take seconds.
     */
    public static Tensor normalInBlocks(Tensor t, long streamSeed, double std) {
        if (t.dtype() != DType.F32 || !t.isContiguous() || !t.device().isCpu()) {
            throw new IllegalArgumentException("normalInBlocks needs a contiguous F32 CPU tensor, got " + t.dtype() + " " + java.util.Arrays.toString(t.shape()));
        }
        var seg = t.segment();
        long base = t.byteOffset();
        long n = t.numel();
        int block = 1 << 16;
        int blocks = (int) ((n + block - 1) / block);
        org.vfmtok.tensor.cpu.Parallel.forRange(blocks, 1, (s, e) -> {
            for (int b = s; b < e; b++) {
                Rng rng = new Rng(streamSeed + b);
                rng.nextLong();
                long end = Math.min(n, (long) (b + 1) * block);
                for (long i = (long) b * block; i < end; i++) {
                    seg.set(java.lang.foreign.ValueLayout.JAVA_FLOAT, base + 4 * i, (float) (std * gaussian(rng)));
                }
            }
        });
        return t;
    }

    /** Box–Muller, so that draws depend only on the generator, not on the JDK's nextGaussian. */
    static double gaussian(RandomGenerator rng) {
        double u1 = rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2.0 * Math.log(1.0 - u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    private static Tensor fillWith(Tensor t, java.util.function.DoubleSupplier next) {
        if (!t.device().isCpu()) {
            Tensor host = fillWith(Tensor.empty(t.dtype(), t.shape()), next);
            t.copyFrom(host);
            return t;
        }
        var seg = t.segment();
        if (t.dtype() == DType.F32 && t.isContiguous()) { // the common case of weight init: no index arithmetic
            long base = t.byteOffset();
            for (long i = 0, n = t.numel(); i < n; i++) {
                seg.set(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, base + 4 * i, (float) next.getAsDouble());
            }
            return t;
        }
        StridedIndex it = new StridedIndex(t.shape(), t.strides()).start(t.offset());
        for (long i = 0, n = t.numel(); i < n; i++, it.next()) t.dtype().write(seg, it.offset(0), next.getAsDouble());
        return t;
    }
}
