package org.vfmtok.tensor.cpu.gemm;

import static org.vfmtok.tensor.cpu.gemm.MicroKernel.MR;
import static org.vfmtok.tensor.cpu.gemm.MicroKernel.NR;

import java.lang.foreign.MemorySegment;
import org.vfmtok.tensor.cpu.Parallel;

/**
 * Cache-blocked GEMM over packed panels (the BLIS loop nest): for each NC-wide column block and
 * KC-deep slice, B is packed once (kc×nc, kept in L2/L3), then for each MC-tall row block A is packed
 * (mc×kc, kept in L2) and the micro-kernel sweeps the block with one kc×NR panel of B hot in L1/L2.
 *
 * <p>Threads split the batch and then C into as few rectangular tiles as give every thread work,
 * cutting the longer side so that the operand each thread packs redundantly is the smaller one. Each
 * tile is computed start to finish by one thread with its own packing buffers, so there is no barrier
 * inside a GEMM; tiles are claimed dynamically ({@link Claim}).
 */
public final class PackedGemm {
    /**
     * Maximum depth of a packed slice. Deep slices amortise the load and store of the C tile that ends
     * every micro-kernel call (C is read and written once per slice); that saving outweighs a kc×NR panel
     * of B outgrowing the L1 (the L2 feeds it), so KC is well above the L1-sized 256.
     * K is cut into equal slices of at most KC ({@link #sliceDepth}), so there is no thin last slice.
     */
    static final int KC = Integer.getInteger("vfmtok.gemm.kc", 768);
    /** Rows of A packed at once (mc×kc floats, about 200 KiB: L2-resident). Multiple of MR. */
    static final int MC = roundUp(Integer.getInteger("vfmtok.gemm.mc", 192), MR);
    /** Columns of B packed at once (kc×nc floats). Multiple of NR. */
    static final int NC = roundUp(Integer.getInteger("vfmtok.gemm.nc", 2048), NR);

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    /** Width of a packed B panel (columns of C one micro-kernel call computes). */
    public static final int PANEL_WIDTH = NR;

    private PackedGemm() {}

    /**
     * Produces packed B blocks in {@link Packing#packB}'s layout: rows [p0, p0+kc) × cols [j0, j0+nc)
     * of batch item t's B into ceil(nc/NR) panels of kc·{@link #PANEL_WIDTH} floats (panel q holds, for
     * each p, the NR values B[p0 + p][j0 + q·NR + j], zero past column nc). Lets callers pack a B that
     * is never materialised (a convolution's im2col matrix read straight from the image).
     */
    @FunctionalInterface
    public interface PanelSource {
        void pack(int t, int p0, int kc, int j0, int nc, float[] dst);
    }

    /** Per-thread packing buffers, grown on demand and reused across calls. */
    private static final class Workspace {
        float[] a = new float[0];
        float[] b = new float[0];
        final float[] scratch = new float[MR * NR];

        float[] a(int n) { return a.length >= n ? a : (a = new float[n]); }
        float[] b(int n) { return b.length >= n ? b : (b = new float[n]); }
    }

    /** Packs batch item t's B from {@code b} at element offset {@code bOffs[t]} (any layout, F32/BF16/F16). */
    public static PanelSource panels(Operand b, long[] bOffs) {
        return (t, p0, kc, j0, nc, dst) -> Packing.packB(b.at(bOffs[t]), p0, kc, j0, nc, dst);
    }

    /**
     * For every batch item t: C_t = alpha·A_t·B_t + beta·C_t, where A_t is {@code a} at element offset
     * {@code aOffs[t]} (m×k), B_t likewise (k×n) and C_t is row-major F32 at element offset
     * {@code cOffs[t]} with rows {@code ldc} elements apart. Requires k > 0.
     */
    public static void run(Operand a, long[] aOffs, Operand b, long[] bOffs, MemorySegment c, long[] cOffs, long ldc,
                           int m, int n, int k, float alpha, float beta) {
        run(a, aOffs, panels(b, bOffs), c, cOffs, ldc,
                m, n, k, alpha, beta, null, 0, false);
    }

    /**
     * As above with B given by a {@link PanelSource}, and an optional bias shared by the batch items:
     * C_t[i][j] = (alpha·A_t·B_t + beta·C_t)[i][j] + bias[i] (or bias[j] with {@code biasPerColumn}),
     * where bias[x] is the F32 element {@code biasOff + x} of {@code bias} (null: none). The bias is added
     * once, after the last k-slice, so the result rounds exactly like a GEMM followed by a bias add.
     */
    public static void run(Operand a, long[] aOffs, PanelSource b, MemorySegment c, long[] cOffs, long ldc,
                           int m, int n, int k, float alpha, float beta, MemorySegment bias, long biasOff, boolean biasPerColumn) {
        int nb = aOffs.length;
        int mPanels = (m + MR - 1) / MR, nPanels = (n + NR - 1) / NR;
        // Tiles per matrix so that nb·tiles covers the threads; split the longer side first.
        int want = Math.max(1, (Parallel.threads() + nb - 1) / nb);
        int gm, gn;
        if (n >= m) {
            gn = Math.min(want, nPanels);
            gm = Math.min((want + gn - 1) / gn, mPanels);
        } else {
            gm = Math.min(want, mPanels);
            gn = Math.min((want + gm - 1) / gm, nPanels);
        }
        int tiles = gm * gn;
        int units = nb * tiles;
        // Below ~2 MFLOP in total a second thread costs more than it saves.
        int workers = 2.0 * m * n * k * nb < (1 << 21) ? 1 : Parallel.threads();
        Claim.forEach(units, workers, u -> {
            int t = u / tiles, tile = u % tiles;
            int tm = tile / gn, tn = tile % gn;
            int m0 = (int) ((long) mPanels * tm / gm) * MR, m1 = Math.min(m, (int) ((long) mPanels * (tm + 1) / gm) * MR);
            int n0 = (int) ((long) nPanels * tn / gn) * NR, n1 = Math.min(n, (int) ((long) nPanels * (tn + 1) / gn) * NR);
            tile(a.at(aOffs[t]), b, t, c, cOffs[t], ldc, m0, m1, n0, n1, k, alpha, beta, bias, biasOff, biasPerColumn, WORKSPACE.get());
        });
    }

    /** Rows [m0, m1) × cols [n0, n1) of one C, on the calling thread. */
    private static void tile(Operand a, PanelSource b, int t, MemorySegment c, long cOff, long ldc, int m0, int m1, int n0, int n1,
                             int k, float alpha, float beta, MemorySegment bias, long biasOff, boolean biasPerColumn, Workspace ws) {
        long ldcBytes = 4 * ldc;
        int depth = sliceDepth(k);
        for (int jc = n0; jc < n1; jc += NC) {
            int nc = Math.min(NC, n1 - jc);
            for (int pc = 0; pc < k; pc += depth) {
                int kc = Math.min(depth, k - pc);
                float[] bp = ws.b(roundUp(nc, NR) * kc);
                b.pack(t, pc, kc, jc, nc, bp);
                float betaNow = pc == 0 ? beta : 1f;
                MemorySegment biasNow = pc + kc == k ? bias : null;
                for (int ic = m0; ic < m1; ic += MC) {
                    int mc = Math.min(MC, m1 - ic);
                    float[] ap = ws.a(roundUp(mc, MR) * kc);
                    Packing.packA(a, ic, mc, pc, kc, ap);
                    for (int jr = 0; jr < nc; jr += NR) {
                        int nr = Math.min(NR, nc - jr);
                        long cCol = 4 * (cOff + jc + jr);
                        for (int ir = 0; ir < mc; ir += MR) {
                            MicroKernel.run(kc, ap, ir * kc, bp, jr * kc, c, cCol + (ic + ir) * ldcBytes, ldcBytes,
                                    Math.min(MR, mc - ir), nr, alpha, betaNow, biasNow,
                                    4 * (biasOff + (biasPerColumn ? jc + jr : ic + ir)), biasPerColumn, ws.scratch);
                        }
                    }
                }
            }
        }
    }

    /** The slice depth for a given k: the fewest slices of at most KC, equal up to a multiple of 8. */
    static int sliceDepth(int k) {
        int slices = (k + KC - 1) / KC;
        return Math.min(k, roundUp((k + slices - 1) / slices, 8));
    }

    static int roundUp(int v, int to) { return (v + to - 1) / to * to; }
}
