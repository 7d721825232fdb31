package org.vfmtok.tensor.cpu.gemm;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * 8×8 block transposes in registers, for packing B panels from a weight stored transposed (nn.Linear's W, B = Wᵀ)
 * when vectors have 8 float lanes (AVX2). A scalar interleave costs several cycles per element there and was over a
 * third of a batch-1 ViT's GEMM time; this costs under one.
 *
 * <p>Three butterfly stages, one per bit b of the lane index (1, 2, 4): for rows x and y = x + b (bit b of x clear),
 * the lanes with bit b set in x trade places with the lanes with bit b clear in y. Each stage swaps bit b of the
 * row index with bit b of the lane index, so after all three element (i, j) sits at (j, i). A stage is two
 * single-vector permutes and two blends per pair of rows.
 */
final class Transpose8 {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorShuffle<Float> SWAP1 = VectorShuffle.fromOp(F, j -> j ^ 1);
    private static final VectorShuffle<Float> SWAP2 = VectorShuffle.fromOp(F, j -> j ^ 2);
    private static final VectorShuffle<Float> SWAP4 = VectorShuffle.fromOp(F, j -> j ^ 4);
    private static final VectorMask<Float> BIT1 = mask(1);
    private static final VectorMask<Float> BIT2 = mask(2);
    private static final VectorMask<Float> BIT4 = mask(4);

    private Transpose8() {}

    /** Whether {@link #block} applies: the kernels' species has 8 float lanes. */
    static boolean applies(VectorSpecies<Float> species) {
        return species.length() == 8;
    }

    /**
     * The F32 rows at byte {@code s0 + i·ldBytes + 4p} of {@code seg} for i, p < 8 to {@code dst[d0 + p·dstStride + i]}:
     * 8 columns of 8 source rows become, for each column p, 8 consecutive floats.
     */
    static void block(MemorySegment seg, long s0, long ldBytes, float[] dst, int d0, int dstStride) {
        FloatVector r0 = load(seg, s0), r1 = load(seg, s0 + ldBytes), r2 = load(seg, s0 + 2 * ldBytes), r3 = load(seg, s0 + 3 * ldBytes);
        FloatVector r4 = load(seg, s0 + 4 * ldBytes), r5 = load(seg, s0 + 5 * ldBytes), r6 = load(seg, s0 + 6 * ldBytes);
        FloatVector r7 = load(seg, s0 + 7 * ldBytes);
        // b = 1: pairs (0,1) (2,3) (4,5) (6,7)
        FloatVector a0 = r0.blend(r1.rearrange(SWAP1), BIT1), a1 = r0.rearrange(SWAP1).blend(r1, BIT1);
        FloatVector a2 = r2.blend(r3.rearrange(SWAP1), BIT1), a3 = r2.rearrange(SWAP1).blend(r3, BIT1);
        FloatVector a4 = r4.blend(r5.rearrange(SWAP1), BIT1), a5 = r4.rearrange(SWAP1).blend(r5, BIT1);
        FloatVector a6 = r6.blend(r7.rearrange(SWAP1), BIT1), a7 = r6.rearrange(SWAP1).blend(r7, BIT1);
        // b = 2: pairs (0,2) (1,3) (4,6) (5,7)
        FloatVector b0 = a0.blend(a2.rearrange(SWAP2), BIT2), b2 = a0.rearrange(SWAP2).blend(a2, BIT2);
        FloatVector b1 = a1.blend(a3.rearrange(SWAP2), BIT2), b3 = a1.rearrange(SWAP2).blend(a3, BIT2);
        FloatVector b4 = a4.blend(a6.rearrange(SWAP2), BIT2), b6 = a4.rearrange(SWAP2).blend(a6, BIT2);
        FloatVector b5 = a5.blend(a7.rearrange(SWAP2), BIT2), b7 = a5.rearrange(SWAP2).blend(a7, BIT2);
        // b = 4: pairs (0,4) (1,5) (2,6) (3,7)
        b0.blend(b4.rearrange(SWAP4), BIT4).intoArray(dst, d0);
        b1.blend(b5.rearrange(SWAP4), BIT4).intoArray(dst, d0 + dstStride);
        b2.blend(b6.rearrange(SWAP4), BIT4).intoArray(dst, d0 + 2 * dstStride);
        b3.blend(b7.rearrange(SWAP4), BIT4).intoArray(dst, d0 + 3 * dstStride);
        b0.rearrange(SWAP4).blend(b4, BIT4).intoArray(dst, d0 + 4 * dstStride);
        b1.rearrange(SWAP4).blend(b5, BIT4).intoArray(dst, d0 + 5 * dstStride);
        b2.rearrange(SWAP4).blend(b6, BIT4).intoArray(dst, d0 + 6 * dstStride);
        b3.rearrange(SWAP4).blend(b7, BIT4).intoArray(dst, d0 + 7 * dstStride);
    }

    private static FloatVector load(MemorySegment seg, long at) {
        return FloatVector.fromMemorySegment(F, seg, at, ByteOrder.LITTLE_ENDIAN);
    }

    private static VectorMask<Float> mask(int bit) {
        boolean[] set = new boolean[8];
        for (int j = 0; j < 8; j++) set[j] = (j & bit) != 0;
        return VectorMask.fromArray(F, set, 0);
    }
}
