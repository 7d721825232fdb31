package org.vfmtok.tensor.cuda;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.DeformableKernels;

/** Multi-scale deformable attention (deformable.cu), F32, contiguous. */
final class CudaDeformable implements DeformableKernels {
    static final int MAX_LEVELS = 16;
    private final CudaBackend be;

    CudaDeformable(CudaBackend be) { this.be = be; }

    /** deformable.cu's Levels struct: count, h[16], w[16], start[16]. */
    static MemorySegment levels(int[][] shapes, int[] levelStart) {
        if (shapes.length > MAX_LEVELS) throw new UnsupportedOperationException("CUDA deformable attention supports up to " + MAX_LEVELS + " levels, got " + shapes.length);
        MemorySegment s = MemorySegment.ofArray(new int[1 + 3 * MAX_LEVELS]);
        s.set(ValueLayout.JAVA_INT, 0, shapes.length);
        for (int l = 0; l < shapes.length; l++) {
            s.set(ValueLayout.JAVA_INT, 4L * (1 + l), shapes[l][0]);
            s.set(ValueLayout.JAVA_INT, 4L * (1 + MAX_LEVELS + l), shapes[l][1]);
            s.set(ValueLayout.JAVA_INT, 4L * (1 + 2 * MAX_LEVELS + l), levelStart[l]);
        }
        return s;
    }

    private static long p(Tensor t) { return t == null ? 0 : CudaBackend.addr(t); }

    @Override
    public void forward(Tensor value, int[][] shapes, int[] levelStart, Tensor loc, Tensor weights, Tensor out) {
        be.check("deformable attention", value, loc, weights, out);
        CudaBackend.requireContiguous("deformable attention", value, loc, weights, out);
        CudaBackend.requireDType("deformable attention", DType.F32, value, loc, weights, out);
        long total = out.numel();
        if (total == 0) return;
        try (Launch l = be.dev.launch(Kernels.MSDA_FORWARD)) {
            l.ptr(p(value)).struct(KernelSpec.Param.LEVELS, levels(shapes, levelStart)).ptr(p(loc)).ptr(p(weights)).ptr(p(out))
                    .i64(value.size(1)).i64(value.size(2)).i64(value.size(3)).i64(loc.size(1)).i32(loc.size(4)).i64(total)
                    .launch(be.dev.gridFor(total), CudaDevice.THREADS, 0);
        }
    }

    @Override
    public void backward(Tensor value, int[][] shapes, int[] levelStart, Tensor loc, Tensor weights, Tensor gradOut, Tensor gValue,
                         Tensor gLoc, Tensor gWeights) {
        be.check("deformable attention backward", value, loc, weights, gradOut, gValue, gLoc, gWeights);
        CudaBackend.requireContiguous("deformable attention backward", value, loc, weights, gradOut, gValue, gLoc, gWeights);
        CudaBackend.requireDType("deformable attention backward", DType.F32, value, loc, weights, gradOut, gValue, gLoc, gWeights);
        if (gValue != null) be.fill(gValue, 0); // the kernel accumulates atomically
        long total = weights.numel();
        if (total == 0) {
            if (gLoc != null) be.fill(gLoc, 0);
            return;
        }
        try (Launch l = be.dev.launch(Kernels.MSDA_BACKWARD)) {
            l.ptr(p(value)).struct(KernelSpec.Param.LEVELS, levels(shapes, levelStart)).ptr(p(loc)).ptr(p(weights)).ptr(p(gradOut))
                    .ptr(p(gValue)).ptr(p(gLoc)).ptr(p(gWeights)).i64(value.size(1)).i64(value.size(2)).i64(value.size(3)).i64(loc.size(1))
                    .i32(loc.size(4)).i64(total).launch(be.dev.gridFor(total), CudaDevice.THREADS, 0);
        }
    }
}
