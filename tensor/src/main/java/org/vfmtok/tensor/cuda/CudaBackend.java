package org.vfmtok.tensor.cuda;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Storage;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.AttentionKernels;
import org.vfmtok.tensor.backend.Backend;
import org.vfmtok.tensor.backend.ConvKernels;
import org.vfmtok.tensor.backend.DeformableKernels;
import org.vfmtok.tensor.backend.PoolKernels;
import org.vfmtok.tensor.backend.GemmKernels;
import org.vfmtok.tensor.backend.IndexKernels;
import org.vfmtok.tensor.backend.NormKernels;
import org.vfmtok.tensor.backend.PointwiseKernels;
import org.vfmtok.tensor.backend.ReduceKernels;
import org.vfmtok.tensor.backend.ResampleKernels;

/**
 * The backend of one GPU ({@code Device.cuda(n)}): device storage from the {@link CachingAllocator},
 * custom kernels (tensor/src/main/cuda) for elementwise ops, reductions, softmax, norms, deformable
 * attention and attention, cuBLAS(Lt) for GEMM and cuDNN for convolutions. Kernels run asynchronously on
 * the device's stream; reading results on the host (copying to the CPU) waits for them.
 *
 * <p>Not implemented on CUDA yet (a clear {@link UnsupportedOperationException} names the call):
 * index kernels (gather/scatter, cross entropy) and resampling. Device storage is exposed to Java as a
 * zero-length segment at the device address, so host code that touches it by mistake fails with an
 * index error instead of reading unmapped memory.
 *
 * <p>Options (system properties): {@code vfmtok.cuda.gemm=fp32|tf32|bf16} (F32 GEMM precision: full
 * FP32, TF32 tensor cores, or BF16 tensor cores; default fp32), {@code vfmtok.cuda.gemm.lt=true} (cuBLASLt
 * instead of cuBLAS), {@code vfmtok.cuda.conv.tf32=true} (TF32 convolutions), {@code vfmtok.cuda.sync=true}
 * (synchronise after every launch, for debugging).
 */
public final class CudaBackend implements Backend {
    static final boolean SYNC_DEBUG = Boolean.getBoolean("vfmtok.cuda.sync");

    /** Precision of F32 matrix products. */
    public enum GemmPrecision { FP32, TF32, BF16 }

    final CudaDevice dev;
    private final CudaPointwise pointwise;
    private final CudaReduce reduce;
    private final CudaGemm gemm;
    private final CudaNorm norm;
    private final CudaConv conv;
    private final CudaDeformable deformable;
    private final CudaAttention attention;
    private final IndexKernels index;
    private final ResampleKernels resample;

    CudaBackend(CudaDevice dev) {
        this.dev = dev;
        this.pointwise = new CudaPointwise(this);
        this.reduce = new CudaReduce(this);
        this.gemm = new CudaGemm(this, GemmPrecision.valueOf(System.getProperty("vfmtok.cuda.gemm", "fp32").toUpperCase(java.util.Locale.ROOT)),
                Boolean.getBoolean("vfmtok.cuda.gemm.lt"));
        this.norm = new CudaNorm(this);
        this.conv = new CudaConv(this, Boolean.getBoolean("vfmtok.cuda.conv.tf32"));
        this.deformable = new CudaDeformable(this);
        this.attention = new CudaAttention(this);
        this.index = Unsupported.of(IndexKernels.class, dev.device);
        this.resample = Unsupported.of(ResampleKernels.class, dev.device);
    }

    public CudaDevice device() { return dev; }

    /** Sets the precision of F32 GEMMs on this device (see the class comment). */
    public void setGemmPrecision(GemmPrecision p) { gemm.setPrecision(p); }

    public void setUseCublasLt(boolean on) { gemm.setUseLt(on); }

    public void setConvTf32(boolean on) { conv.setTf32(on); }

    @Override public String name() { return "cuda:" + dev.index + " (" + dev.describe() + ")"; }

    @Override
    public Storage allocate(long bytes, Scope scope) {
        long ptr = dev.allocator.allocate(Math.max(1, bytes), dev.stream);
        return Storage.ofDevice(MemorySegment.ofAddress(ptr), dev.device, scope);
    }

    /** Gives a device storage back to the allocator (installed as Storage's device-memory hook). */
    void release(Storage s) { dev.allocator.free(s.deviceAddress()); }

    @Override
    public void copy(Tensor src, Tensor dst) {
        if (!src.device().equals(dst.device())) {
            CudaTransfer.copy(src, dst);
            return;
        }
        check("copy", src, dst);
        if (!Arrays.equals(src.shape(), dst.shape())) {
            throw new IllegalArgumentException("copy between shapes " + Arrays.toString(src.shape()) + " and " + Arrays.toString(dst.shape()));
        }
        Layouts.Merged m = Layouts.merge(dst.shape(), src.strides(), dst.strides());
        long n = m.numel();
        if (n == 0) return;
        try (Launch l = dev.launch(Kernels.COPY)) {
            l.shape(m.sizes()).strided(src.offset(), m.strides()[0]).strided(dst.offset(), m.strides()[1]).ptr(base(src)).ptr(base(dst))
                    .i32(src.dtype().ordinal()).i32(dst.dtype().ordinal()).i32(dst.dtype().byteSize()).i64(n)
                    .launch(dev.gridFor(n), CudaDevice.THREADS, 0);
        }
    }

    @Override
    public void fill(Tensor dst, double value) {
        check("fill", dst);
        Layouts.Merged m = Layouts.merge(dst.shape(), dst.strides());
        long n = m.numel();
        if (n == 0) return;
        try (Launch l = dev.launch(Kernels.FILL)) {
            l.shape(m.sizes()).strided(dst.offset(), m.strides()[0]).ptr(base(dst)).i32(dst.dtype().ordinal()).f64(value).i64(n)
                    .launch(dev.gridFor(n), CudaDevice.THREADS, 0);
        }
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
    /** No CUDA pooling kernel yet (its only user, the FID Inception, runs on the CPU): a clear error instead. */
    @Override public PoolKernels pool() {
        return (x, out, mode, spec) -> {
            throw new UnsupportedOperationException("pool2d (" + mode + ", " + spec + ") is not implemented on CUDA; move the tensor to the CPU");
        };
    }

    /** Adam/AdamW step on this device (see {@link CudaOptim}). */
    public CudaOptim optim() { return new CudaOptim(this); }

    // ------------------------------------------------------------------ helpers for the kernel groups

    /** Device address of the tensor's storage (element offsets are passed separately). */
    static long base(Tensor t) { return t.storage().segment().address(); }

    /** Device address of the tensor's first element. */
    static long addr(Tensor t) { return base(t) + t.byteOffset(); }

    /** Device address of a CUDA tensor's first element, for libraries called directly (NCCL). */
    public static long devicePointer(Tensor t) {
        if (t.device().isCpu()) throw new IllegalArgumentException("devicePointer of a CPU tensor");
        return addr(t);
    }

    /** Every non-null operand must live on this backend's device; the error says which one does not. */
    void check(String op, Tensor... ts) {
        for (int i = 0; i < ts.length; i++) {
            Tensor t = ts[i];
            if (t != null && !t.device().equals(dev.device)) {
                throw new IllegalArgumentException("CUDA " + op + " on " + dev.device + ": operand " + i + " " + t.dtype()
                        + Arrays.toString(t.shape()) + " is on " + t.device() + "; move it with to(Device.cuda(" + dev.index + "))");
            }
        }
    }

    /** Float kernels serve F32/F16/BF16; double kernels F64 and the integer types. */
    static boolean doublePath(Tensor... ts) {
        for (Tensor t : ts) {
            if (t == null) continue;
            DType d = t.dtype();
            if (d != DType.F32 && d != DType.F16 && d != DType.BF16) return true;
        }
        return false;
    }

    /**
     * F32 activations against a BF16 weight (a model with BF16 weight storage, an inference path of the CPU backend):
     * not implemented here; the error says what to do instead.
     */
    static void refuseStoredBf16(String op, Tensor activations, Tensor weight) {
        if (activations.dtype() == DType.F32 && weight.dtype() == DType.BF16) {
            throw new UnsupportedOperationException("CUDA " + op + ": F32 activations with a BF16 weight (BF16 weight storage) are supported on the CPU only; use F32 weights on CUDA");
        }
    }

    static void requireContiguous(String op, Tensor... ts) {
        for (Tensor t : ts) {
            if (t != null && !t.isContiguous()) {
                throw new IllegalArgumentException("CUDA " + op + " needs contiguous tensors, got " + Arrays.toString(t.shape())
                        + " with strides " + Arrays.toString(t.strides()));
            }
        }
    }

    static void requireDType(String op, DType want, Tensor... ts) {
        for (Tensor t : ts) {
            if (t != null && t.dtype() != want) {
                throw new UnsupportedOperationException("CUDA " + op + " supports " + want + " only, got " + t.dtype()
                        + "; convert with to(DType." + want + ") or run it on the CPU");
            }
        }
    }
}
