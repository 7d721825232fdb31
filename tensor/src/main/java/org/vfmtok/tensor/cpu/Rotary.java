package org.vfmtok.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;

import java.lang.foreign.MemorySegment;
import org.vfmtok.tensor.Tensor;

/**
 * Rotary position embedding on the CPU ({@code AttentionKernels.rotary}): pairs of channels rotated by the
 * (cos, sin) of their position, op by op as the reference rounds. A few (batch, position) rows (a decode step)
 * run on the calling thread without allocating: handing them to a worker costs more than the rotation; a
 * full sequence is spread over the threads.
 */
final class Rotary {
    /** (batch, position) rows per parallel part. */
    private static final int GRAIN = 16;

    private Rotary() {}

    /** For operands checked by the caller: x, out F32 with contiguous last dims, table (P, D/2, 2) contiguous F32. */
    static void run(Tensor x, Tensor table, int first, boolean inverse, Tensor out) {
        int rows = x.size(0) * x.size(1);
        if (FastPath.onCaller((long) rows * x.size(2) * x.size(3))) {
            rotateRows(x, table, first, inverse ? -1f : 1f, out, 0, rows);
        } else {
            float sign = inverse ? -1f : 1f;
            Parallel.forRange(rows, GRAIN, (s, e) -> rotateRows(x, table, first, sign, out, s, e));
        }
    }

    /** (batch, position) rows [s, e) of x (B, L, H, D) into out. */
    private static void rotateRows(Tensor x, Tensor table, int first, float sign, Tensor out, int s, int e) {
        int len = x.size(1), heads = x.size(2), half = x.size(3) / 2;
        MemorySegment xs = x.segment(), os = out.segment(), ts = table.segment();
        long tb0 = table.byteOffset();
        for (int r = s; r < e; r++) {
            int b = r / len, l = r % len;
            long tb = tb0 + 8L * half * (first + l);
            for (int h = 0; h < heads; h++) {
                long a = 4 * (x.offset() + b * x.stride(0) + l * x.stride(1) + h * x.stride(2));
                long o = 4 * (out.offset() + b * out.stride(0) + l * out.stride(1) + h * out.stride(2));
                for (int m = 0; m < half; m++) {
                    float c = ts.get(JAVA_FLOAT_UNALIGNED, tb + 8L * m), sn = sign * ts.get(JAVA_FLOAT_UNALIGNED, tb + 8L * m + 4);
                    float x0 = xs.get(JAVA_FLOAT_UNALIGNED, a + 8L * m), x1 = xs.get(JAVA_FLOAT_UNALIGNED, a + 8L * m + 4);
                    os.set(JAVA_FLOAT_UNALIGNED, o + 8L * m, x0 * c - x1 * sn);
                    os.set(JAVA_FLOAT_UNALIGNED, o + 8L * m + 4, x1 * c + x0 * sn);
                }
            }
        }
    }
}
