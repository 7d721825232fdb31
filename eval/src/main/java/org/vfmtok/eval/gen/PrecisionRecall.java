package org.vfmtok.eval.gen;

import java.util.Arrays;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.MatMul;

/**
 * Improved precision and recall (Kynkäänniemi et al.) as ADM's {@code ManifoldEstimator} computes them, with
 * k = 3 neighbours and no percentile clamping:
 * <ol>
 *   <li>Squared distances in blocks of rows x columns ({@code DistanceBlock}): ‖u‖² − 2u·v + ‖v‖², clamped at
 *       0 (ADM's {@code tf.maximum(…, 0)}), on inputs cast to float16; the float16 result is kept when every
 *       value of the block is finite, else the block is recomputed from the float32 inputs. Here the products
 *       accumulate in float32 (the tensor backend's GEMM) and the result is rounded to float16 once; TF's
 *       half-precision graph rounds intermediate sums too, a difference far below the metric's resolution.</li>
 *   <li>The radius of each point is its (k+1)-th smallest squared distance within its own set (the point
 *       itself is the first), as {@code np.partition(…, kth=[0..k])[:, k]}.</li>
 *   <li>Precision: the fraction of samples within the radius of some reference point; recall: the fraction of
 *       reference points within the radius of some sample (comparisons {@code <=} on squared distances).</li>
 * </ol>
 * The results do not depend on the block sizes (ADM: 10,000 x 10,000), only the memory does.
 */
public final class PrecisionRecall {
    /** ADM's neighbourhood size. */
    public static final int K = 3;
    /** ADM's row_batch_size and col_batch_size. */
    public static final int ADM_BATCH = 10_000;

    private final int rowBatch;
    private final int colBatch;

    public PrecisionRecall(int rowBatch, int colBatch) {
        if (rowBatch < 1 || colBatch < 1) throw new IllegalArgumentException("precision/recall: batch sizes must be positive");
        this.rowBatch = rowBatch;
        this.colBatch = colBatch;
    }

    public static PrecisionRecall adm() {
        return new PrecisionRecall(ADM_BATCH, ADM_BATCH);
    }

    public record Result(double precision, double recall) {}

    /** Precision and recall of n2 sample rows against n1 reference rows, both of dimension d. */
    public Result compute(float[] ref, int n1, float[] sample, int n2, int d) {
        if (n1 <= K || n2 <= K) {
            throw new IllegalArgumentException("precision/recall: need more than k = " + K + " points per set, got " + n1 + " reference and " + n2 + " samples");
        }
        float[] r1 = radii(ref, n1, d);
        float[] r2 = radii(sample, n2, d);
        boolean[] refIn = new boolean[n1];
        boolean[] sampleIn = new boolean[n2];
        for (int a0 = 0; a0 < n1; a0 += rowBatch) {
            int rows = Math.min(rowBatch, n1 - a0);
            for (int b0 = 0; b0 < n2; b0 += colBatch) {
                int cols = Math.min(colBatch, n2 - b0);
                float[] dist = distances(ref, a0, rows, sample, b0, cols, d);
                for (int i = 0; i < rows; i++) {
                    for (int j = 0; j < cols; j++) {
                        float v = dist[i * cols + j];
                        if (v <= r2[b0 + j]) refIn[a0 + i] = true;
                        if (v <= r1[a0 + i]) sampleIn[b0 + j] = true;
                    }
                }
            }
        }
        return new Result(fraction(sampleIn), fraction(refIn));
    }

    /** The k-th neighbour radius (squared) of every row within its own set. */
    float[] radii(float[] x, int n, int d) {
        float[] radii = new float[n];
        float[][] smallest = new float[Math.min(rowBatch, n)][K + 1];
        for (int a0 = 0; a0 < n; a0 += rowBatch) {
            int rows = Math.min(rowBatch, n - a0);
            for (float[] s : smallest) Arrays.fill(s, Float.POSITIVE_INFINITY);
            for (int b0 = 0; b0 < n; b0 += colBatch) {
                int cols = Math.min(colBatch, n - b0);
                float[] dist = distances(x, a0, rows, x, b0, cols, d);
                for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) insert(smallest[i], dist[i * cols + j]);
            }
            for (int i = 0; i < rows; i++) radii[a0 + i] = smallest[i][K];
        }
        return radii;
    }

    /** Keeps the K+1 smallest values seen, ascending (the same value np.partition puts at index K). */
    private static void insert(float[] best, float v) {
        if (!(v < best[K])) return;
        int p = K;
        while (p > 0 && best[p - 1] > v) {
            best[p] = best[p - 1];
            p--;
        }
        best[p] = v;
    }

    /** ADM's DistanceBlock for rows [a0, a0+rows) of u and [b0, b0+cols) of v: rows x cols squared distances. */
    static float[] distances(float[] u, int a0, int rows, float[] v, int b0, int cols, int d) {
        float[] half = block(u, a0, rows, v, b0, cols, d, true);
        boolean finite = true;
        for (int i = 0; i < half.length && finite; i++) {
            half[i] = Float.float16ToFloat(Float.floatToFloat16(half[i]));
            finite = Float.isFinite(half[i]);
        }
        return finite ? half : block(u, a0, rows, v, b0, cols, d, false);
    }

    private static float[] block(float[] u, int a0, int rows, float[] v, int b0, int cols, int d, boolean toHalf) {
        float[] a = slice(u, a0, rows, d, toHalf), b = slice(v, b0, cols, d, toHalf);
        float[] nu = squaredNorms(a, rows, d), nv = squaredNorms(b, cols, d);
        float[] dot;
        try (Scope s = Scope.open("pairwise distances")) {
            dot = MatMul.matmul(Tensor.of(a, rows, d), Tensor.of(b, cols, d).mT()).contiguous().toFloatArray();
        }
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) dot[i * cols + j] = Math.max(nu[i] - 2 * dot[i * cols + j] + nv[j], 0f);
        }
        return dot;
    }

    private static float[] slice(float[] x, int r0, int rows, int d, boolean toHalf) {
        float[] out = Arrays.copyOfRange(x, r0 * d, (r0 + rows) * d);
        if (toHalf) for (int i = 0; i < out.length; i++) out[i] = Float.float16ToFloat(Float.floatToFloat16(out[i]));
        return out;
    }

    private static float[] squaredNorms(float[] x, int n, int d) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            float s = 0;
            for (int j = 0; j < d; j++) s += x[i * d + j] * x[i * d + j];
            out[i] = s;
        }
        return out;
    }

    private static double fraction(boolean[] in) {
        int c = 0;
        for (boolean b : in) if (b) c++;
        return (double) c / in.length;
    }
}
