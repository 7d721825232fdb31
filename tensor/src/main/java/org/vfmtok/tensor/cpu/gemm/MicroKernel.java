package org.vfmtok.tensor.cpu.gemm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.vfmtok.tensor.cpu.VectorSupport;

/**
 * The register-tiled inner kernel: an {@link #MR}×{@link #NR} block of C from a packed A micro-panel
 * (kc steps of MR values) and a packed B micro-panel (kc steps of NR values). The 12 accumulators are
 * explicit locals on purpose (C2 keeps them in registers only as long as no vector escapes into an
 * array or a non-inlined call); the finished tile goes through {@code scratch} to C.
 *
 * <p>NR is two vectors of {@link VectorSupport#F}; MR = 6 rows keeps 12 accumulators, the two B vectors and
 * the broadcast in 15 registers, which fits AVX2's 16 (a 12-row tile needs 27 and spills there, which cost
 * more than half the speed) and leaves AVX-512's 32 room. Each step still issues 12 FMAs for 8 loads, so the
 * kernel is FMA-bound on both. A narrower species than the preferred one would halve the work per FMA
 * instruction, so the preferred species is used.
 */
final class MicroKernel {
    static final VectorSpecies<Float> F = VectorSupport.F;
    static final int VL = F.length();
    static final int MR = 6;
    static final int NR = 2 * VL;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private MicroKernel() {}

    /**
     * C[i][j] = alpha·Σ_p A[i][p]·B[p][j] + beta·C[i][j] for i < mr, j < nr; C is row-major at byte
     * offset {@code cOff} with rows {@code ldcBytes} apart. beta == 0 never reads C (it may hold NaN).
     * A non-null {@code bias} is added after the scaling: the F32 at byte {@code biasOff + 4i} to row i,
     * or with {@code biasPerColumn} the one at {@code biasOff + 4j} to column j.
     */
    static void run(int kc, float[] a, int ao, float[] b, int bo, MemorySegment c, long cOff, long ldcBytes,
                    int mr, int nr, float alpha, float beta, MemorySegment bias, long biasOff, boolean biasPerColumn, float[] scratch) {
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
        // One induction variable (p) indexes both panels, so C2 can prove every index in range once per call.
        for (int p = 0; p < kc; p++) {
            int ai = ao + p * MR, bi = bo + p * NR;
            FloatVector b0 = FloatVector.fromArray(F, b, bi), b1 = FloatVector.fromArray(F, b, bi + VL);
            FloatVector x;
            x = FloatVector.broadcast(F, a[ai]);      c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(F, a[ai + 1]);  c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(F, a[ai + 2]);  c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(F, a[ai + 3]);  c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(F, a[ai + 4]);  c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(F, a[ai + 5]);  c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
        }
        c00.intoArray(scratch, 0);           c01.intoArray(scratch, VL);
        c10.intoArray(scratch, NR);          c11.intoArray(scratch, NR + VL);
        c20.intoArray(scratch, 2 * NR);      c21.intoArray(scratch, 2 * NR + VL);
        c30.intoArray(scratch, 3 * NR);      c31.intoArray(scratch, 3 * NR + VL);
        c40.intoArray(scratch, 4 * NR);      c41.intoArray(scratch, 4 * NR + VL);
        c50.intoArray(scratch, 5 * NR);      c51.intoArray(scratch, 5 * NR + VL);
        writeBack(scratch, c, cOff, ldcBytes, mr, nr, alpha, beta, bias, biasOff, biasPerColumn);
    }

    /**
     * Scales the tile in {@code scratch} into C. Kept out of {@link #run}: writing the accumulators
     * straight to the MemorySegment there makes C2 spill them out of their registers.
     */
    private static void writeBack(float[] scratch, MemorySegment c, long cOff, long ldcBytes, int mr, int nr, float alpha, float beta,
                                  MemorySegment bias, long biasOff, boolean biasPerColumn) {
        if (mr == MR && nr == NR) {
            // One loop per bias kind: a FloatVector that may be null, or that is chosen between branches, made
            // C2 crash (a halt in compiled code under the Vector API) or box the vectors.
            if (bias == null) {
                for (int i = 0; i < MR; i++) {
                    long off = cOff + i * ldcBytes;
                    storeVector(c, off, FloatVector.fromArray(F, scratch, i * NR), alpha, beta);
                    storeVector(c, off + 4L * VL, FloatVector.fromArray(F, scratch, i * NR + VL), alpha, beta);
                }
            } else if (biasPerColumn) {
                FloatVector col0 = FloatVector.fromMemorySegment(F, bias, biasOff, LE);
                FloatVector col1 = FloatVector.fromMemorySegment(F, bias, biasOff + 4L * VL, LE);
                for (int i = 0; i < MR; i++) {
                    long off = cOff + i * ldcBytes;
                    storeVector(c, off, FloatVector.fromArray(F, scratch, i * NR), alpha, beta, col0);
                    storeVector(c, off + 4L * VL, FloatVector.fromArray(F, scratch, i * NR + VL), alpha, beta, col1);
                }
            } else {
                for (int i = 0; i < MR; i++) {
                    long off = cOff + i * ldcBytes;
                    FloatVector b = FloatVector.broadcast(F, bias.get(FLOAT, biasOff + 4L * i));
                    storeVector(c, off, FloatVector.fromArray(F, scratch, i * NR), alpha, beta, b);
                    storeVector(c, off + 4L * VL, FloatVector.fromArray(F, scratch, i * NR + VL), alpha, beta, b);
                }
            }
            return;
        }
        for (int i = 0; i < mr; i++) {
            long row = cOff + i * ldcBytes;
            for (int j = 0; j < nr; j++) {
                float v = alpha * scratch[i * NR + j];
                long o = row + 4L * j;
                if (beta != 0) v = v + beta * c.get(FLOAT, o);
                c.set(FLOAT, o, bias == null ? v : v + bias.get(FLOAT, biasOff + 4L * (biasPerColumn ? j : i)));
            }
        }
    }

    /** C = alpha·acc + beta·C for one vector of a row. */
    private static void storeVector(MemorySegment c, long off, FloatVector acc, float alpha, float beta) {
        scaled(c, off, acc, alpha, beta).intoMemorySegment(c, off, LE);
    }

    /** C = alpha·acc + beta·C + bias (bias never null: see writeBack). */
    private static void storeVector(MemorySegment c, long off, FloatVector acc, float alpha, float beta, FloatVector bias) {
        scaled(c, off, acc, alpha, beta).add(bias).intoMemorySegment(c, off, LE);
    }

    private static FloatVector scaled(MemorySegment c, long off, FloatVector v, float alpha, float beta) {
        if (alpha != 1f) v = v.mul(alpha);
        if (beta != 0f) v = FloatVector.fromMemorySegment(F, c, off, LE).mul(beta).add(v);
        return v;
    }
}
