package org.vfmtok.tensor.cpu;

import static org.vfmtok.tensor.cpu.AttentionBlocks.COLS;
import static org.vfmtok.tensor.cpu.AttentionBlocks.roundUp;

import java.util.Arrays;
import org.vfmtok.tensor.Tensor;

/**
 * FlashAttention-style forward on F32: work items are (batch·head, query tile); each walks the keys
 * in blocks of {@link #KEY_BLOCK}, keeping a running row max and sum (online softmax), so only a
 * (query tile x key block) piece of the score matrix ever exists. Writes the output and the row
 * log-sum-exp.
 *
 * <p>Two ways to form scores, both exact: with 4 or more queries per head, kᵀ is packed once per head
 * and scores are a broadcast-FMA block product ({@link AttentionBlocks#gemmAbt}); with fewer (the
 * KV-cache decode step, Lq = 1) packing kᵀ would cost more than the products, so k rows are bulk
 * copied and dotted with the query ({@link AttentionBlocks#dots}).
 */
final class AttentionForward {
    /** Keys per online-softmax step (a multiple of COLS for any vector width up to 2048 bits). */
    static final int KEY_BLOCK = roundUp(128, COLS);
    static final int MAX_QUERY_TILE = 64;
    /** Below this many queries per head, scores use row dot products (see the class comment). */
    static final int MIN_TILE_QUERIES = 4;

    private AttentionForward() {}

    static void run(AttentionGeometry g, Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse) {
        boolean rowMode = g.lq < MIN_TILE_QUERIES;
        int heads = g.batch * g.heads;
        int tq = rowMode ? Math.max(g.lq, 1) : queryTile(g.lq, heads);
        int tiles = (g.lq + tq - 1) / tq;
        // ~2·tq·Lk·(D + Dv) flops per item; keep chunks above ~256 kflop so tiny calls stay on one thread
        long flops = 2L * tq * Math.max(1, g.lk) * (g.d + g.dv);
        int minItems = (int) Math.max(1, (1 << 18) / Math.max(1, flops));
        Parallel.forRange(heads * tiles, minItems, (s, e) -> {
            Worker w = new Worker(g, tq, rowMode, q, k, v, out, lse);
            for (int item = s; item < e; item++) w.tile(item / tiles, item % tiles);
        });
    }

    /** The largest query tile (a multiple of 4, at least 16) that still gives every thread two items. */
    private static int queryTile(int lq, int heads) {
        int tq = MAX_QUERY_TILE;
        while (tq > 16 && (long) heads * ((lq + tq - 1) / tq) < 2L * Parallel.threads()) tq /= 2;
        return tq;
    }

    /** One thread's scratch, allocated once per call; k and v of the current head stay packed. */
    private static final class Worker {
        private final AttentionGeometry g;
        private final Tensor q, k, v, out, lse;
        private final boolean rowMode;
        private final int tq;
        private final float[] kPacked; // rowMode: k rows (Lk x dPad); else kᵀ (D x lkPad)
        private final float[] vRows;   // Lk x dvPad
        private final float[] qTile;   // roundUp(tq, 4) x dPad, pre-scaled
        private final float[] s;       // roundUp(tq, 4) x KEY_BLOCK: scores, then probabilities
        private final float[] o;       // tq x dvPad: unnormalised output rows
        private final float[] m, l;    // running row max and sum
        private final byte[] maskBuf = new byte[KEY_BLOCK];
        private int packedHead = -1;

        Worker(AttentionGeometry g, int tq, boolean rowMode, Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse) {
            this.g = g;
            this.q = q;
            this.k = k;
            this.v = v;
            this.out = out;
            this.lse = lse;
            this.rowMode = rowMode;
            this.tq = tq;
            int rows4 = roundUp(tq, 4);
            this.kPacked = new float[rowMode ? g.lk * g.dPad : g.d * g.lkPad];
            this.vRows = new float[g.lk * g.dvPad];
            this.qTile = new float[rows4 * g.dPad];
            this.s = new float[rows4 * KEY_BLOCK];
            this.o = new float[tq * g.dvPad];
            this.m = new float[tq];
            this.l = new float[tq];
        }

        void tile(int head, int t) {
            int b = head / g.heads, h = head % g.heads;
            int i0 = t * tq, rows = Math.min(tq, g.lq - i0);
            if (head != packedHead) {
                if (rowMode) AttentionPacking.loadRows(k, b, h, 0, g.lk, 1f, kPacked, 0, g.dPad);
                else AttentionPacking.loadTransposed(k, b, h, 0, g.lk, kPacked, 0, g.lkPad);
                AttentionPacking.loadRows(v, b, h, 0, g.lk, 1f, vRows, 0, g.dvPad);
                packedHead = head;
            }
            // rows past `rows` keep stale finite values: their scores are computed and ignored
            AttentionPacking.loadRows(q, b, h, i0, rows, g.scale, qTile, 0, g.dPad);
            Arrays.fill(m, Float.NEGATIVE_INFINITY);
            Arrays.fill(l, 0f);
            Arrays.fill(o, 0f);
            int keyEnd = g.causal ? Math.min(g.lk, i0 + rows) : g.lk; // later keys are masked for every row
            for (int j0 = 0; j0 < keyEnd; j0 += KEY_BLOCK) {
                int n = Math.min(KEY_BLOCK, keyEnd - j0);
                scores(j0, n, rows);
                for (int r = 0; r < rows; r++) {
                    int off = r * KEY_BLOCK;
                    g.maskRow(b, h, i0 + r, j0, n, s, off, maskBuf);
                    float mNew = Math.max(m[r], AttentionBlocks.max(s, off, n));
                    if (mNew == Float.NEGATIVE_INFINITY) { // nothing attended so far: contributes nothing
                        Arrays.fill(s, off, off + n, 0f);
                        continue;
                    }
                    float corr = m[r] == Float.NEGATIVE_INFINITY ? 0f : (float) Math.exp(m[r] - mNew);
                    l[r] = l[r] * corr + VectorMath.expShift(s, off, n, mNew);
                    m[r] = mNew;
                    if (corr != 1f) AttentionBlocks.scale(o, r * g.dvPad, g.dvPad, corr);
                }
                AttentionBlocks.accumulate(s, 0, KEY_BLOCK, 1, vRows, j0 * g.dvPad, g.dvPad, n, o, 0, g.dvPad, rows, g.dvPad);
            }
            for (int r = 0; r < rows; r++) {
                boolean empty = l[r] == 0f; // fully masked row: output 0, lse -inf (documented choice)
                AttentionBlocks.scale(o, r * g.dvPad, g.dvPad, empty ? 0f : 1f / l[r]);
                if (lse != null) AttentionPacking.store3(lse, b, h, i0 + r, empty ? Float.NEGATIVE_INFINITY : m[r] + (float) Math.log(l[r]));
            }
            AttentionPacking.storeRows(out, b, h, i0, rows, o, 0, g.dvPad);
        }

        /** s[r][0..n) = scaled q_r · k_{j0 + j} for the tile's rows. */
        private void scores(int j0, int n, int rows) {
            if (rowMode) {
                for (int r = 0; r < rows; r++) {
                    AttentionBlocks.dots(qTile, r * g.dPad, kPacked, j0 * g.dPad, g.dPad, g.dPad, n, s, r * KEY_BLOCK);
                }
            } else {
                AttentionBlocks.gemmAbt(qTile, 0, g.dPad, kPacked, j0, g.lkPad, g.d, s, 0, KEY_BLOCK, roundUp(rows, 4), roundUp(n, COLS));
            }
        }
    }
}
