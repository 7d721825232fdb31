package org.vfmtok.tensor.scalar;

import java.util.Arrays;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Storage;
import org.vfmtok.tensor.StridedIndex;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.AttentionKernels;
import org.vfmtok.tensor.backend.Backend;
import org.vfmtok.tensor.backend.ConvKernels;
import org.vfmtok.tensor.backend.DeformableKernels;
import org.vfmtok.tensor.backend.GemmKernels;
import org.vfmtok.tensor.backend.IndexKernels;
import org.vfmtok.tensor.backend.NormKernels;
import org.vfmtok.tensor.backend.PointwiseKernels;
import org.vfmtok.tensor.backend.PoolKernels;
import org.vfmtok.tensor.backend.ReduceKernels;
import org.vfmtok.tensor.backend.ResampleKernels;

/**
 * The reference backend: plain loops in double precision over any dtype and any strides. Slow and
 * obviously correct; every fast kernel is tested against it.
 */
public final class ScalarBackend implements Backend {
    private final PointwiseKernels pointwise = new ScalarPointwise();
    private final ReduceKernels reduce = new ScalarReduce();
    private final GemmKernels gemm = new ScalarGemm();
    private final NormKernels norm = new ScalarNorm();
    private final ConvKernels conv = new ScalarConv();
    private final ResampleKernels resample = new ScalarResample();
    private final AttentionKernels attention = new ScalarAttention();
    private final IndexKernels index = new ScalarIndex();
    private final DeformableKernels deformable = new ScalarDeformable();
    private final PoolKernels pool = new ScalarPool();

    @Override public String name() { return "scalar"; }

    @Override public Storage allocate(long bytes, Scope scope) { return Storage.allocate(bytes, scope); }

    @Override
    public void copy(Tensor src, Tensor dst) {
        if (!Arrays.equals(src.shape(), dst.shape())) {
            throw new IllegalArgumentException("copy between shapes " + Arrays.toString(src.shape()) + " and " + Arrays.toString(dst.shape()));
        }
        DType st = src.dtype(), dt = dst.dtype();
        var ss = src.segment();
        var ds = dst.segment();
        long n = src.numel();
        StridedIndex it = new StridedIndex(src.shape(), src.strides(), dst.strides()).start(src.offset(), dst.offset());
        if (st == DType.I64 && dt == DType.I64) { // doubles cannot hold every long
            for (long i = 0; i < n; i++, it.next()) {
                ds.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, it.offset(1) * 8, ss.get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, it.offset(0) * 8));
            }
            return;
        }
        for (long i = 0; i < n; i++, it.next()) dt.write(ds, it.offset(1), st.read(ss, it.offset(0)));
    }

    @Override
    public void fill(Tensor dst, double value) {
        DType dt = dst.dtype();
        var ds = dst.segment();
        long n = dst.numel();
        StridedIndex it = new StridedIndex(dst.shape(), dst.strides()).start(dst.offset());
        for (long i = 0; i < n; i++, it.next()) dt.write(ds, it.offset(0), value);
    }

    @Override public PointwiseKernels pointwise() { return pointwise; }
    @Override public ReduceKernels reduce() { return reduce; }
    @Override public GemmKernels gemm() { return gemm; }
    @Override public NormKernels norm() { return norm; }
    @Override public ConvKernels conv() { return conv; }
    @Override public ResampleKernels resample() { return resample; }
    @Override public AttentionKernels attention() { return attention; }
    @Override public IndexKernels index() { return index; }
    @Override public DeformableKernels deformable() { return deformable; }
    @Override public PoolKernels pool() { return pool; }
}
