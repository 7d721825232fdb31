package org.vfmtok.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.Backend;
import org.vfmtok.tensor.cpu.LineLoop.Line;

/**
 * Copies, dtype conversions and fills. Same-dtype contiguous copies are one memory copy; F32 copies of
 * any layout run through {@link LineLoop}, except transposes (the source is contiguous along a dim that
 * is not the destination's last), which are copied in cache-sized tiles. Conversions between F32 and
 * BF16/F16/F64/I32/I64 run line by line (BF16 vectorised); everything else goes to the reference.
 */
public final class CpuCopy {
    private static final VectorSpecies<Float> F = VectorSupport.F;
    private static final int VL = F.length();
    private static final VectorSpecies<Integer> I = F.withLanes(int.class);
    /** Shorts with as many lanes as F (null when F is too narrow for a short species). */
    private static final VectorSpecies<Short> BF16 = VectorSupport.BF16;
    private static final int TILE = 32;

    private final Backend reference;

    CpuCopy(Backend reference) {
        this.reference = reference;
    }

    void copy(Tensor src, Tensor dst) {
        if (!Arrays.equals(src.shape(), dst.shape())) {
            throw new IllegalArgumentException("copy between shapes " + Arrays.toString(src.shape()) + " and " + Arrays.toString(dst.shape()));
        }
        if (!src.device().isCpu() || !dst.device().isCpu()) {
            reference.copy(src, dst);
            return;
        }
        DType st = src.dtype(), dt = dst.dtype();
        if (st == dt && src.isContiguous() && dst.isContiguous()) {
            long bytes = src.numel() * st.byteSize();
            MemorySegment.copy(src.segment(), src.byteOffset(), dst.segment(), dst.byteOffset(), bytes);
            return;
        }
        if (st == DType.F32 && dt == DType.F32) {
            if (!transposed(src, dst)) LineLoop.run(CpuCopy::copyLine, dst, src);
            return;
        }
        if ((st == DType.F32 && convertible(dt)) || (dt == DType.F32 && convertible(st))) {
            LineLoop.run((in, out, n) -> convertLine(st, dt, in[0], out, n), dst, src);
            return;
        }
        reference.copy(src, dst);
    }

    private static boolean convertible(DType t) {
        return t == DType.BF16 || t == DType.F16 || t == DType.F64 || t == DType.I32 || t == DType.I64;
    }

    void fill(Tensor dst, double value) {
        if (value == 0.0 && dst.isContiguous() && dst.device().isCpu() && Double.doubleToRawLongBits(value) == 0) {
            dst.segment().asSlice(dst.byteOffset(), dst.numel() * dst.dtype().byteSize()).fill((byte) 0);
            return;
        }
        if (dst.dtype() == DType.F32 && dst.device().isCpu()) {
            float fv = (float) value;
            LineLoop.run((in, out, n) -> {
                for (int i = 0; i < n; i += VL) out.store(FloatVector.broadcast(F, fv), i);
            }, dst);
            return;
        }
        reference.fill(dst, value);
    }

    private static void copyLine(Line[] in, Line out, int n) {
        Line x = in[0];
        if (x.bcast) {
            FloatVector v = FloatVector.broadcast(F, x.value);
            for (int i = 0; i < n; i += VL) out.store(v, i);
        } else {
            MemorySegment.copy(x.seg, x.off, out.seg, out.off, 4L * n);
        }
    }

    // ------------------------------------------------------------------ tiled transpose

    /**
     * Copies in TILE x TILE tiles when the destination is contiguous along its last dim but the source
     * is contiguous along another one; returns false (nothing done) for other layouts.
     */
    private static boolean transposed(Tensor src, Tensor dst) {
        LineLoop.Collapsed c = LineLoop.Collapsed.of(dst.shape(), new long[][] {src.strides(), dst.strides()});
        int rank = c.shape.length;
        long[] ss = c.strides[0], ds = c.strides[1];
        if (rank < 2 || ds[rank - 1] != 1 || ss[rank - 1] == 1) return false;
        int p = -1;
        for (int d = rank - 2; d >= 0; d--) if (ss[d] == 1) { p = d; break; }
        if (p < 0) return false;
        final int pd = p;
        int lenP = c.shape[pd], lenL = c.shape[rank - 1];
        int tilesP = (lenP + TILE - 1) / TILE, tilesL = (lenL + TILE - 1) / TILE;
        long outer = dst.numel() / ((long) lenP * lenL);
        int items = Math.toIntExact(outer * tilesP * tilesL);
        MemorySegment sseg = src.segment(), dseg = dst.segment();
        long sBase = src.offset(), dBase = dst.offset();
        long sStrideL = ss[rank - 1], dStrideP = ds[pd];
        Parallel.forRange(items, Math.max(1, LineLoop.MIN_PER_THREAD / (TILE * TILE)), (s, e) -> {
            for (int it = s; it < e; it++) {
                int tl = it % tilesL, tp = (it / tilesL) % tilesP;
                long o = it / ((long) tilesL * tilesP);
                long so = sBase, dOff = dBase;
                for (int d = rank - 2; d >= 0; d--) {
                    if (d == pd) continue;
                    int i = (int) (o % c.shape[d]);
                    o /= c.shape[d];
                    so += i * ss[d];
                    dOff += i * ds[d];
                }
                int p0 = tp * TILE, p1 = Math.min(lenP, p0 + TILE);
                int l0 = tl * TILE, l1 = Math.min(lenL, l0 + TILE);
                for (int ip = p0; ip < p1; ip++) {
                    long sRow = so + ip, dRow = dOff + ip * dStrideP;
                    for (int il = l0; il < l1; il++) {
                        float v = sseg.getAtIndex(JAVA_FLOAT_UNALIGNED, sRow + il * sStrideL);
                        dseg.setAtIndex(JAVA_FLOAT_UNALIGNED, dRow + il, v);
                    }
                }
            }
        });
        return true;
    }

    // ------------------------------------------------------------------ conversions

    private static void convertLine(DType from, DType to, Line x, Line out, int n) {
        if (from == DType.BF16 && BF16 != null && !x.bcast) {
            for (int i = 0; i < n; i += VL) out.store(VectorSupport.widenBf16(ShortVector.fromMemorySegment(BF16, x.seg, x.off + 2L * i, LineLoop.LE)), i);
            return;
        }
        if (to == DType.BF16 && BF16 != null && !x.bcast) {
            toBf16(x.seg, x.off, out.seg, out.off, n);
            return;
        }
        int es = from.byteSize();
        for (int i = 0; i < n; i++) {
            long xo = x.bcast ? x.off : x.off + (long) i * es;
            if (to == DType.F32) {
                out.setFloat(i, read(from, x.seg, xo));
            } else {
                write(to, out.seg, out.off + (long) i * to.byteSize(), x.seg.get(JAVA_FLOAT_UNALIGNED, xo));
            }
        }
    }

    /**
     * n contiguous floats at byte offset {@code so} rounded to BF16 (to nearest even, NaN to 0x7FC0, as
     * {@link DType#floatToBf16}) at {@code dstOff}; no threads, no allocation (the decode step writes its BF16
     * KV-cache slots this way). Vector lanes and the scalar tail give the same bits.
     */
    public static void toBf16(MemorySegment src, long so, MemorySegment dst, long dstOff, int n) {
        int i = 0;
        if (BF16 != null) {
            for (int bound = F.loopBound(n); i < bound; i += VL) {
                FloatVector v = FloatVector.fromMemorySegment(F, src, so + 4L * i, LineLoop.LE);
                IntVector bits = v.reinterpretAsInts();
                IntVector rounded = bits.add(bits.lanewise(VectorOperators.LSHR, 16).and(1).add(0x7FFF)).lanewise(VectorOperators.LSHR, 16);
                rounded = rounded.blend(0x7FC0, v.test(VectorOperators.IS_NAN).cast(I));
                ((ShortVector) rounded.convertShape(VectorOperators.I2S, BF16, 0)).intoMemorySegment(dst, dstOff + 2L * i, LineLoop.LE);
            }
        }
        for (; i < n; i++) dst.set(JAVA_SHORT_UNALIGNED, dstOff + 2L * i, DType.floatToBf16(src.get(JAVA_FLOAT_UNALIGNED, so + 4L * i)));
    }

    private static float read(DType t, MemorySegment seg, long off) {
        return switch (t) {
            case BF16 -> DType.bf16ToFloat(seg.get(JAVA_SHORT_UNALIGNED, off));
            case F16 -> Float.float16ToFloat(seg.get(JAVA_SHORT_UNALIGNED, off));
            case F64 -> (float) seg.get(JAVA_DOUBLE_UNALIGNED, off);
            case I32 -> (float) seg.get(JAVA_INT_UNALIGNED, off);
            case I64 -> (float) (double) seg.get(JAVA_LONG_UNALIGNED, off); // via double, as the reference does
            default -> throw new IllegalStateException(t.name());
        };
    }

    private static void write(DType t, MemorySegment seg, long off, float v) {
        switch (t) {
            case BF16 -> seg.set(JAVA_SHORT_UNALIGNED, off, DType.floatToBf16(v));
            case F16 -> seg.set(JAVA_SHORT_UNALIGNED, off, Float.floatToFloat16(v));
            case F64 -> seg.set(JAVA_DOUBLE_UNALIGNED, off, v);
            case I32 -> seg.set(JAVA_INT_UNALIGNED, off, (int) v);
            case I64 -> seg.set(JAVA_LONG_UNALIGNED, off, (long) v);
            default -> throw new IllegalStateException(t.name());
        }
    }
}
