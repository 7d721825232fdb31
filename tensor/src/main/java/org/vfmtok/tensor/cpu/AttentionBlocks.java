package org.vfmtok.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked inner loops of the attention kernels, all on heap {@code float[]} scratch
 * (heap arrays give the Vector API its best code; operands are packed into them first, see
 * {@link AttentionPacking}). Column counts passed here are multiples of {@link #COLS} (scratch rows
 * are zero padded to that), so the loops need no tails except over rows.
 */
final class AttentionBlocks {
    static final VectorSpecies<Float> F = VectorSupport.F;
    static final int VL = F.length();
    /** Column granule of both block kernels: two vectors. */
    static final int COLS = 2 * VL;

    private AttentionBlocks() {}

    static int roundUp(int n, int m) { return (n + m - 1) / m * m; }

    /**
     * {@code c[r][col] = Σ_k a[r][k] · bt[k][col]} for r < rows (a multiple of 4: the caller's scratch
     * has those rows) and col < cols (a multiple of {@link #COLS}). {@code bt} is the right operand
     * stored transposed, so every product is a broadcast-FMA and no horizontal sum is needed; 4 rows x
     * 2 vectors of accumulators share each load.
     */
    static void gemmAbt(float[] a, int a0, int lda, float[] bt, int b0, int ldb, int kDim,
                        float[] c, int c0, int ldc, int rows, int cols) {
        for (int r = 0; r < rows; r += 4) {
            int ar = a0 + r * lda;
            for (int col = 0; col < cols; col += COLS) {
                FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00;
                FloatVector c20 = c00, c21 = c00, c30 = c00, c31 = c00;
                int bo = b0 + col;
                for (int k = 0; k < kDim; k++, bo += ldb) {
                    FloatVector x0 = FloatVector.fromArray(F, bt, bo), x1 = FloatVector.fromArray(F, bt, bo + VL);
                    FloatVector w = FloatVector.broadcast(F, a[ar + k]);
                    c00 = w.fma(x0, c00);
                    c01 = w.fma(x1, c01);
                    w = FloatVector.broadcast(F, a[ar + lda + k]);
                    c10 = w.fma(x0, c10);
                    c11 = w.fma(x1, c11);
                    w = FloatVector.broadcast(F, a[ar + 2 * lda + k]);
                    c20 = w.fma(x0, c20);
                    c21 = w.fma(x1, c21);
                    w = FloatVector.broadcast(F, a[ar + 3 * lda + k]);
                    c30 = w.fma(x0, c30);
                    c31 = w.fma(x1, c31);
                }
                int cr = c0 + r * ldc + col;
                c00.intoArray(c, cr);
                c01.intoArray(c, cr + VL);
                c10.intoArray(c, cr + ldc);
                c11.intoArray(c, cr + ldc + VL);
                c20.intoArray(c, cr + 2 * ldc);
                c21.intoArray(c, cr + 2 * ldc + VL);
                c30.intoArray(c, cr + 3 * ldc);
                c31.intoArray(c, cr + 3 * ldc + VL);
            }
        }
    }

    /**
     * {@code out[r][c] += Σ_{j<n} w[r][j] · src[j][c]} for r < rows, c < width (a multiple of
     * {@link #COLS}); {@code w[r][j]} is read at {@code w0 + r·wr + j·wc}, so a transposed weight
     * matrix (Pᵀ·dO, dSᵀ·Q) is the same call with the strides swapped. Rows go 4 at a time sharing
     * each source load, the remainder one at a time.
     */
    static void accumulate(float[] w, int w0, int wr, int wc, float[] src, int s0, int lds, int n,
                           float[] out, int o0, int ldo, int rows, int width) {
        int r = 0;
        for (; r + 4 <= rows; r += 4) {
            int wb = w0 + r * wr;
            for (int c = 0; c < width; c += COLS) {
                int ob = o0 + r * ldo + c;
                FloatVector a00 = FloatVector.fromArray(F, out, ob), a01 = FloatVector.fromArray(F, out, ob + VL);
                FloatVector a10 = FloatVector.fromArray(F, out, ob + ldo), a11 = FloatVector.fromArray(F, out, ob + ldo + VL);
                FloatVector a20 = FloatVector.fromArray(F, out, ob + 2 * ldo), a21 = FloatVector.fromArray(F, out, ob + 2 * ldo + VL);
                FloatVector a30 = FloatVector.fromArray(F, out, ob + 3 * ldo), a31 = FloatVector.fromArray(F, out, ob + 3 * ldo + VL);
                int sb = s0 + c, wj = wb;
                for (int j = 0; j < n; j++, sb += lds, wj += wc) {
                    FloatVector x0 = FloatVector.fromArray(F, src, sb), x1 = FloatVector.fromArray(F, src, sb + VL);
                    FloatVector p = FloatVector.broadcast(F, w[wj]);
                    a00 = p.fma(x0, a00);
                    a01 = p.fma(x1, a01);
                    p = FloatVector.broadcast(F, w[wj + wr]);
                    a10 = p.fma(x0, a10);
                    a11 = p.fma(x1, a11);
                    p = FloatVector.broadcast(F, w[wj + 2 * wr]);
                    a20 = p.fma(x0, a20);
                    a21 = p.fma(x1, a21);
                    p = FloatVector.broadcast(F, w[wj + 3 * wr]);
                    a30 = p.fma(x0, a30);
                    a31 = p.fma(x1, a31);
                }
                a00.intoArray(out, ob);
                a01.intoArray(out, ob + VL);
                a10.intoArray(out, ob + ldo);
                a11.intoArray(out, ob + ldo + VL);
                a20.intoArray(out, ob + 2 * ldo);
                a21.intoArray(out, ob + 2 * ldo + VL);
                a30.intoArray(out, ob + 3 * ldo);
                a31.intoArray(out, ob + 3 * ldo + VL);
            }
        }
        for (; r < rows; r++) {
            int wb = w0 + r * wr;
            for (int c = 0; c < width; c += COLS) {
                int ob = o0 + r * ldo + c;
                FloatVector a0 = FloatVector.fromArray(F, out, ob), a1 = FloatVector.fromArray(F, out, ob + VL);
                int sb = s0 + c, wj = wb;
                for (int j = 0; j < n; j++, sb += lds, wj += wc) {
                    FloatVector p = FloatVector.broadcast(F, w[wj]);
                    a0 = p.fma(FloatVector.fromArray(F, src, sb), a0);
                    a1 = p.fma(FloatVector.fromArray(F, src, sb + VL), a1);
                }
                a0.intoArray(out, ob);
                a1.intoArray(out, ob + VL);
            }
        }
    }

    /**
     * {@code s[s0 + j] = Σ_k q[q0 + k] · kr[k0 + j·ldk + k]} for j < n: one query row against key rows,
     * for few-query calls (KV-cache decoding) where packing kᵀ would cost more than the products.
     * {@code len} is a multiple of {@link #COLS}, zero padded in both operands.
     */
    static void dots(float[] q, int q0, float[] kr, int k0, int ldk, int len, int n, float[] s, int s0) {
        int j = 0;
        for (; j + 4 <= n; j += 4) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            int kb = k0 + j * ldk;
            for (int c = 0; c < len; c += VL) {
                FloatVector x = FloatVector.fromArray(F, q, q0 + c);
                a0 = x.fma(FloatVector.fromArray(F, kr, kb + c), a0);
                a1 = x.fma(FloatVector.fromArray(F, kr, kb + ldk + c), a1);
                a2 = x.fma(FloatVector.fromArray(F, kr, kb + 2 * ldk + c), a2);
                a3 = x.fma(FloatVector.fromArray(F, kr, kb + 3 * ldk + c), a3);
            }
            s[s0 + j] = Lanes.tree(a0);
            s[s0 + j + 1] = Lanes.tree(a1);
            s[s0 + j + 2] = Lanes.tree(a2);
            s[s0 + j + 3] = Lanes.tree(a3);
        }
        for (; j < n; j++) {
            FloatVector a = FloatVector.zero(F);
            int kb = k0 + j * ldk;
            for (int c = 0; c < len; c += VL) a = FloatVector.fromArray(F, q, q0 + c).fma(FloatVector.fromArray(F, kr, kb + c), a);
            s[s0 + j] = Lanes.tree(a);
        }
    }

    /** Largest of {@code s[s0 .. s0+n)}; -inf when n = 0. */
    static float max(float[] s, int s0, int n) {
        int j = 0;
        float m = Float.NEGATIVE_INFINITY;
        if (n >= VL) {
            FloatVector acc = FloatVector.fromArray(F, s, s0);
            for (j = VL; j + VL <= n; j += VL) acc = acc.max(FloatVector.fromArray(F, s, s0 + j));
            m = acc.reduceLanes(VectorOperators.MAX);
        }
        for (; j < n; j++) m = Math.max(m, s[s0 + j]);
        return m;
    }

    /** {@code x[x0 + c] *= f} for c < len (a multiple of VL). */
    static void scale(float[] x, int x0, int len, float f) {
        for (int c = 0; c < len; c += VL) FloatVector.fromArray(F, x, x0 + c).mul(f).intoArray(x, x0 + c);
    }

    /** {@code ds[j] = p[j] · (ds[j] − rowDot)} over {@code [0, n)} of two rows: the softmax backward. */
    static void softmaxGrad(float[] p, float[] ds, int off, int n, float rowDot) {
        int j = 0;
        for (; j + VL <= n; j += VL) {
            FloatVector pv = FloatVector.fromArray(F, p, off + j);
            pv.mul(FloatVector.fromArray(F, ds, off + j).sub(rowDot)).intoArray(ds, off + j);
        }
        for (; j < n; j++) ds[off + j] = p[off + j] * (ds[off + j] - rowDot);
    }

    /** Σ_c a[a0 + c] · b[b0 + c] for c < len (a multiple of VL). */
    static float dot(float[] a, int a0, float[] b, int b0, int len) {
        FloatVector acc = FloatVector.zero(F);
        for (int c = 0; c < len; c += VL) acc = FloatVector.fromArray(F, a, a0 + c).fma(FloatVector.fromArray(F, b, b0 + c), acc);
        return Lanes.tree(acc);
    }
}
