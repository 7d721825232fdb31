package org.vfmtok.tensor.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.ConvKernels.Geometry;
import org.vfmtok.tensor.cpu.gemm.PackedGemm;

/**
 * The im2col matrix of a run of images side by side (column j = image j / P, output position j % P; one
 * row per (input channel of the group, ky, kx)), never materialised: {@link #pack} writes blocks of it
 * straight into GEMM B panels. Putting the images of a batch next to each other gives one GEMM per group
 * instead of one per image, so the weights are packed once per call rather than once per image (the late
 * Inception layers have 8×8 outputs: 64 columns per image for 2048-deep weights).
 *
 * <p>Element (r, j) is {@code source[groupBase + rowOffset[r] + columnOffset[j]]}: the tap offsets
 * separate into a row part (channel, ky, kx) and a column part (image, oy, ox) once the planes are
 * zero-padded. Every offset lands on a real element, so packing needs no bounds logic: a vector of columns
 * whose offsets are consecutive (same output row, stride 1) is one vector load per row. A padded or
 * strided conv reads a (zero-padded) heap copy of the images, where the other vectors are gathers
 * through the column offsets; an unpadded stride-1 conv (every 1×1) reads its input in place, where only
 * the vectors across a row or image end are read lane by lane.
 */
final class ConvColumns {
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final VectorSpecies<Float> F = VectorSupport.F;
    private static final int VL = F.length();
    private static final int NR = PackedGemm.PANEL_WIDTH;

    /** The heap copy, or null: then {@link #segment} from element {@link #segmentBase} is read in place. */
    private final float[] heap;
    private final MemorySegment segment;
    private final long segmentBase;
    /** Per column-matrix row (ci, ky, kx): ci·plane + ky·dh·rowLength + kx·dw, in source elements. */
    private final int[] rowOffset;
    /** Per column (image, oy, ox): source element of its tap (ci 0 of group 0, ky 0, kx 0). */
    private final int[] columnOffset;
    /** Whether columns [j, j + VL) exist and have consecutive offsets (one vector load). */
    private final boolean[] vectorRun;
    private final int groupStride;

    private ConvColumns(float[] heap, MemorySegment segment, long segmentBase, int[] rowOffset, int[] columnOffset, int groupStride) {
        this.heap = heap;
        this.segment = segment;
        this.segmentBase = segmentBase;
        this.rowOffset = rowOffset;
        this.columnOffset = columnOffset;
        this.groupStride = groupStride;
        int n = columnOffset.length;
        vectorRun = new boolean[n];
        // run = consecutive offsets starting at j, counted from the end
        for (int j = n - 1, run = 0; j >= 0; j--) {
            run = j + 1 < n && columnOffset[j + 1] == columnOffset[j] + 1 ? run + 1 : 1;
            vectorRun[j] = run >= VL;
        }
    }

    /** Whether the conv reads a heap copy (padded or strided along the row) rather than its input in place. */
    static boolean copies(Geometry g) {
        return g.ph() != 0 || g.pw() != 0 || g.sw() != 1;
    }

    /** Source floats per image (the padded planes): at most one image's worth must fit an int index. */
    static long floatsPerImage(Geometry g) {
        return (long) g.cin() * (g.h() + 2L * g.ph()) * (g.w() + 2L * g.pw());
    }

    /**
     * The columns of images [n0, n0 + count) of contiguous F32 {@code x}; count·{@link #floatsPerImage}
     * must be below 2³¹. A conv that {@link #copies} copies the images into zero-padded heap planes (in
     * parallel, one bulk copy per input row).
     */
    static ConvColumns of(Geometry g, Tensor x, int n0, int count) {
        int hp = g.h() + 2 * g.ph(), wp = g.w() + 2 * g.pw();
        int plane = hp * wp, image = g.cin() * plane;
        float[] heap = null;
        if (copies(g)) {
            heap = new float[count * image];
            copyPadded(g, x, n0, count, heap, hp, wp);
        }
        int kk = g.kh() * g.kw();
        int[] rows = new int[g.kdim()];
        for (int r = 0; r < rows.length; r++) {
            int ci = r / kk, ky = (r / g.kw()) % g.kh(), kx = r % g.kw();
            rows[r] = ci * plane + ky * g.dh() * wp + kx * g.dw();
        }
        int[] cols = new int[count * g.outPlane()];
        for (int i = 0, j = 0; i < count; i++) {
            for (int oy = 0; oy < g.oh(); oy++) {
                int at = i * image + oy * g.sh() * wp;
                for (int ox = 0; ox < g.ow(); ox++) cols[j++] = at + ox * g.sw();
            }
        }
        return new ConvColumns(heap, x.segment(), x.offset() + (long) n0 * image, rows, cols, g.cinG() * plane);
    }

    private static void copyPadded(Geometry g, Tensor x, int n0, int count, float[] dst, int hp, int wp) {
        MemorySegment xs = x.segment();
        int h = g.h(), w = g.w(), planes = count * g.cin();
        long xBase = x.offset() + (long) n0 * g.cin() * h * w;
        Parallel.forRange(planes, Math.max(1, 16384 / Math.max(1, h * w)), (c0, c1) -> {
            for (int c = c0; c < c1; c++) {
                for (int y = 0; y < h; y++) {
                    long from = xBase + ((long) c * h + y) * w;
                    MemorySegment.copy(xs, FLOAT, from * 4, dst, (c * hp + y + g.ph()) * wp + g.pw(), w);
                }
            }
        });
    }

    /** Columns of the GEMM (images × output positions). */
    int columns() { return columnOffset.length; }

    /**
     * Group {@code grp}'s rows [r0, r0 + kc) × columns [j0, j0 + nc) into B panels of width
     * {@link PackedGemm#PANEL_WIDTH} (the layout of {@link PackedGemm.PanelSource}), zeros past nc.
     */
    void pack(int grp, int r0, int kc, int j0, int nc, float[] dst) {
        int gBase = grp * groupStride;
        // row by row: the source is read along its rows; each panel gets one NR-float row (a cache line) per row
        for (int pr = 0; pr < kc; pr++) {
            int at = gBase + rowOffset[r0 + pr];
            for (int q0 = 0, d = pr * NR; q0 < nc; q0 += NR, d += NR * kc) {
                for (int c = 0; c < NR; c += VL) {
                    int j = j0 + q0 + c, lanes = Math.min(VL, nc - q0 - c);
                    FloatVector v;
                    if (lanes == VL && vectorRun[j]) {
                        v = heap != null ? FloatVector.fromArray(F, heap, at + columnOffset[j])
                                : FloatVector.fromMemorySegment(F, segment, 4 * (segmentBase + at + columnOffset[j]), ByteOrder.nativeOrder());
                    } else if (lanes == VL && heap != null) {
                        v = FloatVector.fromArray(F, heap, at, columnOffset, j);
                    } else {
                        for (int l = 0; l < VL; l++) dst[d + c + l] = l < lanes ? element(at + columnOffset[j + l]) : 0f;
                        continue;
                    }
                    v.intoArray(dst, d + c);
                }
            }
        }
    }

    private float element(int i) {
        return heap != null ? heap[i] : segment.get(FLOAT, 4 * (segmentBase + i));
    }
}
