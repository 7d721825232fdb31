package org.vfmtok.tensor.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Shapes;
import org.vfmtok.tensor.StridedIndex;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.GemmKernels;
import org.vfmtok.tensor.cpu.gemm.Operand;
import org.vfmtok.tensor.cpu.gemm.PackedGemm;
import org.vfmtok.tensor.cpu.gemm.RowGemm;
import org.vfmtok.tensor.cpu.gemm.SkinnyGemm;
import org.vfmtok.tensor.backend.Workspace;

/**
 * Vector API GEMM: F32 accumulation for F32/BF16/F16 operands of any layout (see {@link GemmKernels}).
 * Streams the big operand when M or N is tiny (decode steps, matrix-vector products) and uses the
 * packed, cache-blocked kernel otherwise;
 * batches whose B is broadcast are folded into one taller GEMM when A's layout allows. F64 (the
 * gradient-check dtype) goes to the reference.
 */
public final class CpuGemm implements GemmKernels {
    private final GemmKernels reference;

    public CpuGemm(GemmKernels reference) {
        this.reference = reference;
    }

    @Override
    public void gemm(Tensor a, Tensor b, Tensor c, float alpha, float beta) {
        checkShapes(a, b, c);
        if (!widenable(a.dtype()) || !widenable(b.dtype()) || !widenable(c.dtype()) || !a.device().isCpu()) {
            reference.gemm(a, b, c, alpha, beta);
            return;
        }
        if (c.numel() == 0) return;
        if (c.dtype() != DType.F32 || !c.isContiguous()) {
            // Accumulate in a contiguous F32 copy (freed on return), then round into c once.
            try (Scope scratch = Scope.open("gemm-f32-output")) {
                Tensor tmp = Tensor.empty(DType.F32, c.shape());
                if (beta != 0) c.backend().copy(c, tmp);
                gemmF32(a, b, tmp, alpha, beta, null);
                c.backend().copy(tmp, c);
            }
            return;
        }
        gemmF32(a, b, c, alpha, beta, null);
    }

    @Override
    public Workspace linearWorkspace() {
        return new RowGemm();
    }

    /** The row kernel ({@link RowGemm}) for F32 rows and F32 or BF16 weights with this backend's workspace; else the GEMM on views. */
    @Override
    public void linearRows(Tensor x, Tensor w, Tensor out, boolean accumulate, Workspace workspace) {
        GemmKernels.checkLinearRows(x, w, out);
        if (workspace instanceof RowGemm rows && RowGemm.supports(x, w, out)) {
            rows.run(x, w, out, accumulate);
            return;
        }
        gemm(x.detach(), w.detach().mT(), out.detach(), 1f, accumulate ? 1f : 0f);
    }

    private static void checkShapes(Tensor a, Tensor b, Tensor c) {
        int r = c.dim();
        if (a.dim() != r || b.dim() != r || r < 2) {
            throw new IllegalArgumentException("gemm operands of ranks " + a.dim() + ", " + b.dim() + ", " + r);
        }
        int m = c.size(-2), n = c.size(-1), k = a.size(-1);
        if (a.size(-2) != m || b.size(-2) != k || b.size(-1) != n
                || !Arrays.equals(Arrays.copyOf(a.shape(), r - 2), Arrays.copyOf(c.shape(), r - 2))
                || !Arrays.equals(Arrays.copyOf(b.shape(), r - 2), Arrays.copyOf(c.shape(), r - 2))) {
            throw new IllegalArgumentException("gemm shapes " + Arrays.toString(a.shape()) + " x " + Arrays.toString(b.shape())
                    + " -> " + Arrays.toString(c.shape()));
        }
    }

    /** Folds the bias into the packed GEMM's output pass when that kernel runs; else the default. */
    @Override
    public void gemmBias(Tensor a, Tensor b, Tensor c, Tensor bias) {
        checkShapes(a, b, c);
        int n = c.size(-1);
        boolean plain = widenable(a.dtype()) && widenable(b.dtype())
                && c.dtype() == DType.F32 && c.isContiguous() && c.numel() > 0 && a.size(-1) > 0 && a.device().isCpu()
                && bias.dtype() == DType.F32 && bias.dim() == 1 && bias.size(0) == n && bias.stride(0) == 1 && bias.device().isCpu();
        if (!plain || !gemmF32(a, b, c, 1f, 0f, bias)) GemmKernels.super.gemmBias(a, b, c, bias);
    }

    private static boolean widenable(DType t) {
        return t == DType.F32 || t == DType.BF16 || t == DType.F16;
    }

    /**
     * c is contiguous F32 and non-empty. With a (per-column) bias, only the packed kernel is run (it
     * adds the bias); returns false without touching c when another kernel would be needed.
     */
    private static boolean gemmF32(Tensor a, Tensor b, Tensor c, float alpha, float beta, Tensor bias) {
        int r = c.dim();
        int m = c.size(-2), n = c.size(-1), k = a.size(-1);
        if (k == 0) {
            if (bias != null) return false;
            scale(c, beta);
            return true;
        }
        int[] batch = Arrays.copyOf(c.shape(), r - 2);
        int nb = Math.toIntExact(Shapes.numel(batch));
        Operand oa = new Operand(a.segment(), a.dtype(), 0, a.stride(-2), a.stride(-1));
        Operand ob = new Operand(b.segment(), b.dtype(), 0, b.stride(-2), b.stride(-1));
        long[] aOffs = new long[nb], bOffs = new long[nb], cOffs = new long[nb];
        StridedIndex it = new StridedIndex(batch, Arrays.copyOf(a.strides(), r - 2), Arrays.copyOf(b.strides(), r - 2),
                Arrays.copyOf(c.strides(), r - 2)).start(a.offset(), b.offset(), c.offset());
        for (int t = 0; t < nb; t++, it.next()) {
            aOffs[t] = it.offset(0);
            bOffs[t] = it.offset(1);
            cOffs[t] = it.offset(2);
        }
        long foldedRowStride = nb > 1 ? foldableRowStride(a, b) : -1;
        if (foldedRowStride >= 0) {
            // B is shared by every batch item and A's rows are evenly spaced across items: one tall GEMM.
            oa = new Operand(oa.seg(), oa.dtype(), 0, foldedRowStride, oa.colStride());
            aOffs = new long[] {aOffs[0]};
            bOffs = new long[] {bOffs[0]};
            cOffs = new long[] {cOffs[0]};
            m *= nb;
        }
        MemorySegment cs = c.segment();
        // One tiny side: stream the big operand. M small: W = Bᵀ (rows = columns of C), X = rows of A.
        // N small: W = A, X = columns of B (Bᵀ's rows).
        Operand bt = ob.transposed();
        boolean smallM = SkinnyGemm.supports(bt, m, k);
        boolean smallN = SkinnyGemm.supports(oa, n, k);
        if (bias != null && (smallM || smallN)) return false;
        if (smallM && (!smallN || m <= n)) {
            SkinnyGemm.run(bt, bOffs, oa, aOffs, m, cs, cOffs, 1, n, n, k, alpha, beta);
            return true;
        }
        if (smallN) {
            SkinnyGemm.run(oa, aOffs, bt, bOffs, n, cs, cOffs, n, 1, m, k, alpha, beta);
            return true;
        }
        PackedGemm.run(oa, aOffs, PackedGemm.panels(ob, bOffs), cs, cOffs, n, m, n, k, alpha, beta,
                bias == null ? null : bias.segment(), bias == null ? 0 : bias.offset(), true);
        return true;
    }

    /**
     * The row stride of A viewed as one (batch·M)×K matrix, when B's batch strides are all zero and A's
     * batch and row dims nest evenly (0 is valid: every row the same); -1 when the batch cannot be folded.
     */
    private static long foldableRowStride(Tensor a, Tensor b) {
        int r = a.dim();
        for (int d = 0; d < r - 2; d++) if (b.size(d) != 1 && b.stride(d) != 0) return -1;
        boolean seen = false;
        long inner = 1, span = 0;
        for (int d = r - 2; d >= 0; d--) {
            int size = a.size(d);
            if (size == 1) continue;
            long st = a.stride(d);
            if (seen && st != span) return -1;
            if (!seen) inner = st;
            seen = true;
            span = st * size;
        }
        return inner;
    }

    private static void scale(Tensor c, float beta) {
        MemorySegment seg = c.segment();
        long base = c.byteOffset();
        for (long i = 0, n = c.numel(); i < n; i++) {
            long o = base + 4 * i;
            seg.set(ValueLayout.JAVA_FLOAT_UNALIGNED, o, beta == 0 ? 0f : beta * seg.get(ValueLayout.JAVA_FLOAT_UNALIGNED, o));
        }
    }
}
