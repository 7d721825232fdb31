package org.vfmtok.tensor.cpu.gemm;

import static org.vfmtok.tensor.cpu.gemm.MicroKernel.MR;
import static org.vfmtok.tensor.cpu.gemm.MicroKernel.NR;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.vfmtok.tensor.DType;

/**
 * Copies blocks of A and B into the micro-panel layouts the {@link MicroKernel} reads, widening
 * BF16/F16 to F32 and zero-padding partial panels (padded lanes are computed but never stored; zeros
 * keep stale buffer contents such as NaN or denormals out of the FMAs). Every layout reduces to strided 1-D runs
 * ({@link #copyRun}); the orientation of the runs is chosen so that the source is read sequentially
 * when one of its strides is 1 (row-major operands and transposed views alike).
 */
final class Packing {
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfShort H = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final VectorSpecies<Float> F = MicroKernel.F;
    private static final int VL = MicroKernel.VL;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private Packing() {}

    /**
     * Rows [i0, i0+mc) × cols [p0, p0+kc) of {@code a} into ceil(mc/MR) panels of MR·kc floats: panel q
     * holds, for each p, the MR values A[i0 + q·MR + i][p0 + p].
     */
    static void packA(Operand a, int i0, int mc, int p0, int kc, float[] dst) {
        for (int q = 0, r0 = 0; r0 < mc; q++, r0 += MR) {
            int rows = Math.min(MR, mc - r0);
            int base = q * MR * kc;
            long origin = a.offset() + (long) (i0 + r0) * a.rowStride() + (long) p0 * a.colStride();
            if (a.colStride() == 1 && a.dtype() == DType.F32 && rows == MR) {
                transposePanel(a.seg(), origin, a.rowStride(), MR, kc, dst, base);
                continue;
            }
            if (a.rowStride() == 1 && a.colStride() != 1) {
                for (int p = 0; p < kc; p++) {
                    copyRun(a.seg(), a.dtype(), origin + p * a.colStride(), 1, rows, dst, base + p * MR, 1);
                }
            } else {
                for (int i = 0; i < rows; i++) {
                    copyRun(a.seg(), a.dtype(), origin + i * a.rowStride(), a.colStride(), kc, dst, base + i, MR);
                }
            }
            if (rows < MR) {
                for (int p = 0; p < kc; p++) Arrays.fill(dst, base + p * MR + rows, base + (p + 1) * MR, 0f);
            }
        }
    }

    /**
     * Rows [p0, p0+kc) × cols [j0, j0+nc) of {@code b} into ceil(nc/NR) panels of kc·NR floats: panel q
     * holds, for each p, the NR values B[p0 + p][j0 + q·NR + j].
     */
    static void packB(Operand b, int p0, int kc, int j0, int nc, float[] dst) {
        if (b.colStride() == 1 && b.dtype() == DType.F32) {
            // Row-major F32 B: whole panels move as vector pairs straight from the segment.
            MemorySegment seg = b.seg();
            int full = nc / NR * NR;
            for (int p = 0; p < kc; p++) {
                long row = 4 * (b.offset() + (long) (p0 + p) * b.rowStride() + j0);
                for (int c0 = 0, d = p * NR; c0 < full; c0 += NR, d += NR * kc) {
                    FloatVector.fromMemorySegment(F, seg, row + 4L * c0, LE).intoArray(dst, d);
                    FloatVector.fromMemorySegment(F, seg, row + 4L * (c0 + VL), LE).intoArray(dst, d + VL);
                }
                for (int c = full, d = full * kc + p * NR; c < nc; c++, d++) dst[d] = seg.get(FLOAT, row + 4L * c);
            }
        } else if (b.colStride() == 1) {
            // Row-major B: one bulk copy per row of the block, then plain array copies into the panels.
            Staging st = STAGING.get();
            float[] row = st.row.length >= nc ? st.row : (st.row = new float[nc]);
            for (int p = 0; p < kc; p++) {
                copyRun(b.seg(), b.dtype(), b.offset() + (long) (p0 + p) * b.rowStride() + j0, 1, nc, row, 0, 1);
                for (int q = 0, c0 = 0; c0 < nc; q++, c0 += NR) {
                    System.arraycopy(row, c0, dst, q * NR * kc + p * NR, Math.min(NR, nc - c0));
                }
            }
        } else {
            for (int q = 0, c0 = 0; c0 < nc; q++, c0 += NR) {
                int cols = Math.min(NR, nc - c0);
                int base = q * NR * kc;
                long origin = b.offset() + (long) p0 * b.rowStride() + (long) (j0 + c0) * b.colStride();
                if (b.rowStride() == 1 && b.dtype() == DType.F32 && cols == NR) {
                    // B = Wᵀ of a row-major F32 weight (nn.Linear's layout): the panel's NR columns are NR rows of W
                    transposePanel(b.seg(), origin, b.colStride(), NR, kc, dst, base);
                } else if (b.rowStride() == 1) {
                    for (int j = 0; j < cols; j++) {
                        copyRun(b.seg(), b.dtype(), origin + j * b.colStride(), 1, kc, dst, base + j, NR);
                    }
                } else {
                    for (int p = 0; p < kc; p++) {
                        copyRun(b.seg(), b.dtype(), origin + p * b.rowStride(), b.colStride(), cols, dst, base + p * NR, 1);
                    }
                }
            }
        }
        int cols = nc % NR;
        if (cols != 0) {
            int base = nc / NR * NR * kc;
            for (int p = 0; p < kc; p++) Arrays.fill(dst, base + p * NR + cols, base + (p + 1) * NR, 0f);
        }
    }

    /**
     * A full panel of {@code rows} contiguous F32 source rows ({@code ld} elements apart, kc long from
     * {@code origin}) interleaved so that dst holds, for each p, the rows' p-th values: A's MR-row panels of
     * a row-major A, and B's NR-column panels of a B stored transposed (a Linear weight W, B = Wᵀ). With 8-lane
     * vectors and rows a multiple of 8, 8×8 blocks are transposed in registers straight from the segment
     * ({@link Transpose8}); the rest is staged on the heap and interleaved by a scalar loop.
     */
    private static void transposePanel(MemorySegment seg, long origin, long ld, int rows, int kc, float[] dst, int base) {
        int blocked = 0;
        if (rows % 8 == 0 && Transpose8.applies(F)) {
            // straight from the segment, 8 rows by 8 columns at a time
            blocked = kc - kc % 8;
            for (int g = 0; g < rows; g += 8) {
                long rowBytes = 4 * (origin + g * ld);
                for (int p = 0; p < blocked; p += 8) Transpose8.block(seg, rowBytes + 4L * p, 4 * ld, dst, base + p * rows + g, rows);
            }
            if (blocked == kc) return;
        }
        Staging st = STAGING.get();
        // Staged rows are padded by a cache line: at a power-of-two kc they would all map to the same few L1 sets
        // and the column-wise reads below would evict each other.
        int stride = kc + 16;
        float[] tmp = st.f.length >= rows * stride ? st.f : (st.f = new float[rows * stride]);
        for (int i = 0; i < rows; i++) MemorySegment.copy(seg, FLOAT, 4 * (origin + i * ld + blocked), tmp, i * stride, kc - blocked);
        for (int i = 0; i < rows; i++) {
            int t = i * stride, d = base + i;
            for (int p = blocked; p < kc; p++) dst[d + p * rows] = tmp[t + p - blocked];
        }
    }

    /** Staging for contiguous runs: one bulk copy out of the segment beats per-element segment reads. */
    private static final ThreadLocal<Staging> STAGING = ThreadLocal.withInitial(Staging::new);

    private static final class Staging {
        float[] f = new float[0];
        short[] h = new short[0];
        float[] row = new float[0];
    }

    /**
     * dst[dstOff + i·dstStride] = (float) src[from + i·srcStride] for i < count (element indices), the
     * dtype switch hoisted out of the loop. Contiguous sources are bulk-copied to the heap first
     * (MemorySegment.copy), so the strided scatter that transposes runs on plain arrays.
     */
    static void copyRun(MemorySegment seg, DType t, long from, long srcStride, int count, float[] dst, int dstOff, int dstStride) {
        long o = from * t.byteSize(), step = srcStride * t.byteSize();
        boolean contiguous = srcStride == 1;
        switch (t) {
            case F32 -> {
                if (contiguous && dstStride == 1) {
                    MemorySegment.copy(seg, FLOAT, o, dst, dstOff, count);
                } else if (contiguous) {
                    Staging st = STAGING.get();
                    float[] tmp = st.f.length >= count ? st.f : (st.f = new float[count]);
                    MemorySegment.copy(seg, FLOAT, o, tmp, 0, count);
                    for (int i = 0, d = dstOff; i < count; i++, d += dstStride) dst[d] = tmp[i];
                } else {
                    for (int i = 0, d = dstOff; i < count; i++, d += dstStride, o += step) dst[d] = seg.get(FLOAT, o);
                }
            }
            case BF16, F16 -> {
                boolean bf16 = t == DType.BF16;
                if (contiguous) {
                    Staging st = STAGING.get();
                    short[] tmp = st.h.length >= count ? st.h : (st.h = new short[count]);
                    MemorySegment.copy(seg, H, o, tmp, 0, count);
                    if (bf16) {
                        for (int i = 0, d = dstOff; i < count; i++, d += dstStride) dst[d] = Float.intBitsToFloat((tmp[i] & 0xFFFF) << 16);
                    } else {
                        for (int i = 0, d = dstOff; i < count; i++, d += dstStride) dst[d] = Float.float16ToFloat(tmp[i]);
                    }
                } else if (bf16) {
                    for (int i = 0, d = dstOff; i < count; i++, d += dstStride, o += step) dst[d] = Float.intBitsToFloat((seg.get(H, o) & 0xFFFF) << 16);
                } else {
                    for (int i = 0, d = dstOff; i < count; i++, d += dstStride, o += step) dst[d] = Float.float16ToFloat(seg.get(H, o));
                }
            }
            default -> throw new IllegalArgumentException("gemm packing supports F32, BF16 and F16 operands, not " + t);
        }
    }
}
