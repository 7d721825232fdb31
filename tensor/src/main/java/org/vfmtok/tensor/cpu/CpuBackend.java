package org.vfmtok.tensor.cpu;

import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Storage;
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
 * The fast CPU backend: Vector API kernels over the shared {@link Parallel} pool. Each kernel group
 * handles F32 (and the layouts that matter) itself and hands everything else to the scalar reference,
 * so every dtype works everywhere.
 */
public final class CpuBackend implements Backend {
    private final Backend reference;
    private final CpuCopy copy;
    private final PointwiseKernels pointwise;
    private final ReduceKernels reduce;
    private final GemmKernels gemm;
    private final NormKernels norm;
    private final ConvKernels conv;
    private final ResampleKernels resample;
    private final AttentionKernels attention;
    private final IndexKernels index;
    private final DeformableKernels deformable;
    private final PoolKernels pool;

    public CpuBackend(Backend reference) {
        this.reference = reference;
        this.copy = new CpuCopy(reference);
        this.pointwise = new CpuPointwise(reference.pointwise());
        this.reduce = new CpuReduce(reference.reduce());
        this.gemm = new CpuGemm(reference.gemm());
        this.norm = new CpuNorm(reference.norm());
        this.conv = new CpuConv(reference.conv());
        this.resample = new CpuResample(reference.resample());
        this.attention = new CpuAttention(reference.attention());
        this.index = new CpuIndex(reference.index());
        this.deformable = new CpuDeformable(reference.deformable());
        this.pool = new CpuPool(reference.pool());
    }

    @Override public String name() { return "cpu-vector(" + VectorSupport.F.vectorBitSize() + " bit, " + Parallel.threads() + " threads)"; }

    @Override public Storage allocate(long bytes, Scope scope) { return Storage.allocate(bytes, scope); }

    @Override public void copy(Tensor src, Tensor dst) { copy.copy(src, dst); }

    @Override public void fill(Tensor dst, double value) { copy.fill(dst, value); }

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
