package org.vfmtok.eval;

import java.util.LinkedHashMap;
import java.util.Map;
import org.vfmtok.eval.inception.FidInceptionV3;
import org.vfmtok.eval.inception.ImageBatch;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;

/**
 * The deterministic weights and images of {@code tools/reference/fid_ref.py}, computed the same way (integer
 * hashing and exactly rounded double arithmetic only, so both sides agree bit for bit): element i of key K is
 * u = 2·(splitmix64(fnv1a64(K) + i) >>> 11)·2⁻⁵³ − 1, scaled per kind of tensor (see {@link #value}).
 */
public final class Synthetic {
    private Synthetic() {}

    static long fnv1a64(String s) {
        long h = 0xCBF29CE484222325L;
        for (byte b : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= 0x100000001B3L;
        }
        return h;
    }

    static long splitmix64(long x) {
        long z = x + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** n doubles in [-1, 1) for this key. */
    public static double[] uniform(String key, int n) {
        long seed = fnv1a64(key);
        double[] u = new double[n];
        for (int i = 0; i < n; i++) u[i] = (splitmix64(seed + i) >>> 11) * 0x1.0p-53 * 2.0 - 1.0;
        return u;
    }

    /** The value of one state-dict entry (fid_ref.py's synthetic_value). */
    static float[] value(String key, int[] shape) {
        int n = 1;
        for (int s : shape) n *= s;
        double[] u = uniform(key, n);
        String name = key.substring(key.lastIndexOf('.') + 1);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            double x;
            if (key.endsWith("conv.weight")) x = u[i] * Math.sqrt(6.0 / (n / shape[0]));
            else if (key.equals("fc.weight")) x = u[i] * Math.sqrt(3.0 / shape[1]) * 2.0;
            else if (key.equals("fc.bias")) x = u[i] * 0.5;
            else if (name.equals("weight")) x = 1.0 + 0.2 * u[i];
            else if (name.equals("bias")) x = 0.1 * u[i];
            else if (name.equals("running_mean")) x = 0.1 * u[i];
            else if (name.equals("running_var")) x = 1.0 + 0.5 * u[i];
            else throw new IllegalArgumentException(key);
            v[i] = (float) x;
        }
        return v;
    }

    /** The whole synthetic state dict in the released key layout (num_batches_tracked left out, as the loader allows). */
    public static Map<String, Tensor> stateDict() {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        FidInceptionV3.expectedShapes().forEach((k, shape) -> {
            if (!k.endsWith("num_batches_tracked")) sd.put(k, Tensor.of(value(k, shape), shape));
        });
        return sd;
    }

    /**
     * The network with the synthetic weights. The state dict lives in a scope of its own (not current), so that the
     * network's weights scope, owned by the scope current here, is not closed with it. The caller closes the network.
     */
    public static FidInceptionV3 network() {
        Scope weights = Scope.detached("synthetic weights");
        try {
            return FidInceptionV3.fromStateDict(weights.run(Synthetic::stateDict));
        } finally {
            weights.close();
        }
    }

    /** n images of size x size (fid_ref.py's synthetic_images): which 0 = reference set, 1 = sample set. */
    public static ImageBatch images(int which, int from, int n, int size) {
        byte[] px = new byte[n * size * size * 3];
        for (int i = 0; i < n; i++) {
            int img = from + i;
            double[] p = uniform("image-" + which + "-" + img, 8);
            int a = (int) Math.floor((p[0] + 1) * (3 + 2 * which));
            int b = (int) Math.floor((p[1] + 1) * 3);
            int r0 = (int) Math.floor((p[2] + 1) * size / 4);
            int c0 = (int) Math.floor((p[3] + 1) * size / 4);
            int side = size / 4 + (int) Math.floor((p[4] + 1) * size / 8);
            int amp = 24 + 16 * which;
            double[] noise = uniform("noise-" + which + "-" + img, size * size * 3);
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    boolean rect = y >= r0 && y < r0 + side && x >= c0 && x < c0 + side;
                    for (int c = 0; c < 3; c++) {
                        long base = Math.floorMod((long) a * x + (long) b * y + 40L * c + (long) Math.floor((p[5 + c] + 1) * 64), 256L);
                        long v = (rect ? 255 - base : base) + (long) Math.floor(noise[(y * size + x) * 3 + c] * amp);
                        px[((i * size + y) * size + x) * 3 + c] = (byte) Math.max(0, Math.min(255, v));
                    }
                }
            }
        }
        return new ImageBatch(px, n, size, size);
    }
}
