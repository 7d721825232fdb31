package org.vfmtok.tensor.cpu;

import static org.vfmtok.tensor.cpu.AttentionBlocks.COLS;
import static org.vfmtok.tensor.cpu.AttentionBlocks.roundUp;

import java.util.Arrays;
import org.vfmtok.tensor.Tensor;

/**
 * FlashAttention-2-style backward on F32. Probabilities are recomputed block by block from the saved
 * row log-sum-exp ({@code P = exp(scale·q·kᵀ − lse)}), never stored whole. Work items are whole
 * (batch, head)s, so the dq sums over key blocks need no synchronisation; per head the outer loop runs
 * over key blocks (their dk, dv complete in scratch) and the inner loop over query blocks:
 *
 * <pre>
 *   S = (scale·q) kᵀ      P = exp(S − lse)        dv += Pᵀ dO
 *   dP = dO vᵀ            dS = P ⊙ (dP − rowsum(dO ⊙ out))
 *   dk += dSᵀ (scale·q)   dq += scale · dS k
 * </pre>
 */
final class AttentionBackward {
    static final int KEY_BLOCK = roundUp(64, COLS);
    static final int QUERY_BLOCK = 64;

    private AttentionBackward() {}

    static void run(AttentionGeometry g, Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, Tensor gradOut,
                    Tensor gq, Tensor gk, Tensor gv) {
        long flops = 8L * Math.max(1, g.lq) * Math.max(1, g.lk) * (g.d + g.dv); // per head, as in the forward
        int minHeads = (int) Math.max(1, (1 << 18) / flops);
        Parallel.forRange(g.batch * g.heads, minHeads, (s, e) -> {
            Worker w = new Worker(g, q, k, v, out, lse, gradOut, gq, gk, gv);
            for (int head = s; head < e; head++) w.head(head / g.heads, head % g.heads);
        });
    }

    /** One thread's scratch for whole heads, allocated once per call. */
    private static final class Worker {
        private final AttentionGeometry g;
        private final Tensor q, k, v, out, lse, gradOut, gq, gk, gv;
        private final float[] qs;     // (Lq + 3) x dPad: scale·q (3 spare rows for the 4-row score kernel)
        private final float[] dO;     // (Lq + 3) x dvPad
        private final float[] kRows;  // Lk x dPad
        private final float[] kt;     // D x lkPad
        private final float[] vt;     // Dv x lkPad
        private final float[] lseRow, rowDot; // per query: lse and rowsum(dO ⊙ out)
        private final float[] outRow; // dvPad
        private final float[] dq;     // Lq x dPad
        private final float[] dk, dv; // KEY_BLOCK x dPad / dvPad
        private final float[] p, ds;  // roundUp(QUERY_BLOCK, 4) x KEY_BLOCK
        private final byte[] maskBuf = new byte[KEY_BLOCK];

        Worker(AttentionGeometry g, Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, Tensor gradOut,
               Tensor gq, Tensor gk, Tensor gv) {
            this.g = g;
            this.q = q;
            this.k = k;
            this.v = v;
            this.out = out;
            this.lse = lse;
            this.gradOut = gradOut;
            this.gq = gq;
            this.gk = gk;
            this.gv = gv;
            qs = new float[(g.lq + 3) * g.dPad];
            dO = new float[(g.lq + 3) * g.dvPad];
            kRows = new float[g.lk * g.dPad];
            kt = new float[g.d * g.lkPad];
            vt = new float[g.dv * g.lkPad];
            lseRow = new float[g.lq];
            rowDot = new float[g.lq];
            outRow = new float[g.dvPad];
            dq = new float[g.lq * g.dPad];
            dk = new float[KEY_BLOCK * g.dPad];
            dv = new float[KEY_BLOCK * g.dvPad];
            p = new float[roundUp(QUERY_BLOCK, 4) * KEY_BLOCK];
            ds = new float[p.length];
        }

        void head(int b, int h) {
            AttentionPacking.loadRows(q, b, h, 0, g.lq, g.scale, qs, 0, g.dPad);
            AttentionPacking.loadRows(gradOut, b, h, 0, g.lq, 1f, dO, 0, g.dvPad);
            AttentionPacking.loadRows(k, b, h, 0, g.lk, 1f, kRows, 0, g.dPad);
            AttentionPacking.loadTransposed(k, b, h, 0, g.lk, kt, 0, g.lkPad);
            AttentionPacking.loadTransposed(v, b, h, 0, g.lk, vt, 0, g.lkPad);
            for (int i = 0; i < g.lq; i++) {
                lseRow[i] = AttentionPacking.load3(lse, b, h, i);
                AttentionPacking.loadRows(out, b, h, i, 1, 1f, outRow, 0, g.dvPad);
                rowDot[i] = AttentionBlocks.dot(dO, i * g.dvPad, outRow, 0, g.dvPad);
            }
            Arrays.fill(dq, 0f);
            for (int j0 = 0; j0 < g.lk; j0 += KEY_BLOCK) {
                int n = Math.min(KEY_BLOCK, g.lk - j0);
                Arrays.fill(dk, 0f);
                Arrays.fill(dv, 0f);
                // causal: queries before j0 attend none of these keys
                for (int i0 = g.causal ? j0 : 0; i0 < g.lq; i0 += QUERY_BLOCK) {
                    keyQueryBlock(b, h, i0, Math.min(QUERY_BLOCK, g.lq - i0), j0, n);
                }
                AttentionPacking.storeRows(gk, b, h, j0, n, dk, 0, g.dPad);
                AttentionPacking.storeRows(gv, b, h, j0, n, dv, 0, g.dvPad);
            }
            AttentionBlocks.scale(dq, 0, dq.length, g.scale);
            AttentionPacking.storeRows(gq, b, h, 0, g.lq, dq, 0, g.dPad);
        }

        /** Contributions of queries [i0, i0+rows) and keys [j0, j0+n) to dq, dk and dv. */
        private void keyQueryBlock(int b, int h, int i0, int rows, int j0, int n) {
            int rows4 = roundUp(rows, 4), cols = roundUp(n, COLS);
            AttentionBlocks.gemmAbt(qs, i0 * g.dPad, g.dPad, kt, j0, g.lkPad, g.d, p, 0, KEY_BLOCK, rows4, cols);
            for (int r = 0; r < rows; r++) {
                int off = r * KEY_BLOCK;
                float rowLse = lseRow[i0 + r];
                if (rowLse == Float.NEGATIVE_INFINITY) { // fully masked row: no probability mass, no gradient
                    Arrays.fill(p, off, off + n, 0f);
                    continue;
                }
                g.maskRow(b, h, i0 + r, j0, n, p, off, maskBuf);
                VectorMath.expShift(p, off, n, rowLse);
            }
            // dv[j] += Σ_r P[r][j] · dO[r]: P read transposed
            AttentionBlocks.accumulate(p, 0, 1, KEY_BLOCK, dO, i0 * g.dvPad, g.dvPad, rows, dv, 0, g.dvPad, n, g.dvPad);
            AttentionBlocks.gemmAbt(dO, i0 * g.dvPad, g.dvPad, vt, j0, g.lkPad, g.dv, ds, 0, KEY_BLOCK, rows4, cols);
            for (int r = 0; r < rows; r++) {
                AttentionBlocks.softmaxGrad(p, ds, r * KEY_BLOCK, n, rowDot[i0 + r]);
            }
            // dk[j] += Σ_r dS[r][j] · (scale·q)[r]   and   dq[r] += Σ_j dS[r][j] · k[j]  (scale applied at the end)
            AttentionBlocks.accumulate(ds, 0, 1, KEY_BLOCK, qs, i0 * g.dPad, g.dPad, rows, dk, 0, g.dPad, n, g.dPad);
            AttentionBlocks.accumulate(ds, 0, KEY_BLOCK, 1, kRows, j0 * g.dPad, g.dPad, n, dq, i0 * g.dPad, g.dPad, rows, g.dPad);
        }
    }
}
