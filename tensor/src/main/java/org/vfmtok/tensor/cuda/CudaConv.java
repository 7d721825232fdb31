package org.vfmtok.tensor.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import org.vfmtok.cuda.CudaCheck;
import org.vfmtok.cuda.Cudnn;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.ConvKernels;
import org.vfmtok.tensor.backend.PointwiseKernels;
import org.vfmtok.tensor.backend.ReduceKernels;

/**
 * Convolutions through cuDNN's descriptor API (1-d ones as 2-d of height 1, like every backend here):
 * NCHW tensor and KCRS filter descriptors, a cross-correlation descriptor with padding, stride,
 * dilation and groups, the algorithm cuDNN ranks first among those that fit the workspace limit
 * (cudnnGet*Algorithm_v7), and a workspace from the caching allocator. The bias is added by the
 * elementwise kernel and its gradient is a reduction kernel, so cuDNN is needed for the convolution
 * itself only. FP32 convolutions use FMA math unless TF32 is enabled ({@code vfmtok.cuda.conv.tf32}).
 */
final class CudaConv implements ConvKernels {
    private static final long WORKSPACE_LIMIT = 1L << 30;
    private final CudaBackend be;
    private volatile boolean tf32;

    CudaConv(CudaBackend be, boolean tf32) {
        this.be = be;
        this.tf32 = tf32;
    }

    void setTf32(boolean on) { this.tf32 = on; }

    private static int dataType(DType t) {
        return switch (t) {
            case F32 -> Cudnn.CUDNN_DATA_FLOAT;
            case F64 -> Cudnn.CUDNN_DATA_DOUBLE;
            case F16 -> Cudnn.CUDNN_DATA_HALF;
            case BF16 -> Cudnn.CUDNN_DATA_BFLOAT16;
            default -> throw new UnsupportedOperationException("CUDA convolution supports F32, F64, F16 and BF16, got " + t);
        };
    }

    /** The descriptors of one convolution; destroyed on close. */
    private final class Descriptors implements AutoCloseable {
        final Arena arena = Arena.ofConfined();
        final MemorySegment x, w, y, conv;
        final Geometry g;
        final DType t;

        Descriptors(Geometry g, DType t) {
            this.g = g;
            this.t = t;
            int dt = dataType(t);
            x = create(0);
            y = create(0);
            w = create(1);
            conv = create(2);
            CudaCheck.cudnn(Cudnn.cudnnSetTensor4dDescriptor(x, Cudnn.CUDNN_TENSOR_NCHW, dt, g.n(), g.cin(), g.h(), g.w()), "x descriptor");
            CudaCheck.cudnn(Cudnn.cudnnSetTensor4dDescriptor(y, Cudnn.CUDNN_TENSOR_NCHW, dt, g.n(), g.cout(), g.oh(), g.ow()), "y descriptor");
            CudaCheck.cudnn(Cudnn.cudnnSetFilter4dDescriptor(w, dt, Cudnn.CUDNN_TENSOR_NCHW, g.cout(), g.cinG(), g.kh(), g.kw()), "filter descriptor");
            // half types accumulate in float; F32 and F64 in their own type
            int compute = t == DType.F64 ? Cudnn.CUDNN_DATA_DOUBLE : Cudnn.CUDNN_DATA_FLOAT;
            CudaCheck.cudnn(Cudnn.cudnnSetConvolution2dDescriptor(conv, g.ph(), g.pw(), g.sh(), g.sw(), g.dh(), g.dw(),
                    Cudnn.CUDNN_CROSS_CORRELATION, compute), "convolution descriptor");
            CudaCheck.cudnn(Cudnn.cudnnSetConvolutionGroupCount(conv, g.groups()), "group count");
            int math = t == DType.F32 ? (tf32 ? Cudnn.CUDNN_DEFAULT_MATH : Cudnn.CUDNN_FMA_MATH) : Cudnn.CUDNN_TENSOR_OP_MATH;
            if (t == DType.F64) math = Cudnn.CUDNN_DEFAULT_MATH;
            CudaCheck.cudnn(Cudnn.cudnnSetConvolutionMathType(conv, math), "math type");
        }

        private MemorySegment create(int kind) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            int st = switch (kind) {
                case 0 -> Cudnn.cudnnCreateTensorDescriptor(out);
                case 1 -> Cudnn.cudnnCreateFilterDescriptor(out);
                default -> Cudnn.cudnnCreateConvolutionDescriptor(out);
            };
            CudaCheck.cudnn(st, "creating a cuDNN descriptor");
            return out.get(ValueLayout.ADDRESS, 0);
        }

        MemorySegment one() { return t == DType.F64 ? arena.allocateFrom(ValueLayout.JAVA_DOUBLE, 1) : arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1); }

        MemorySegment zero() { return t == DType.F64 ? arena.allocateFrom(ValueLayout.JAVA_DOUBLE, 0) : arena.allocateFrom(ValueLayout.JAVA_FLOAT, 0); }

        @Override
        public void close() {
            Cudnn.cudnnDestroyTensorDescriptor(x);
            Cudnn.cudnnDestroyTensorDescriptor(y);
            Cudnn.cudnnDestroyFilterDescriptor(w);
            Cudnn.cudnnDestroyConvolutionDescriptor(conv);
            arena.close();
        }
    }

    /** Picks the first algorithm (cuDNN's ranking) that succeeded and needs at most the workspace limit. */
    private static int[] pick(Arena a, StructLayout perf, java.util.function.BiFunction<MemorySegment, MemorySegment, Integer> query, String what) {
        int want = 8;
        MemorySegment results = a.allocate(perf, want);
        MemorySegment count = a.allocate(ValueLayout.JAVA_INT);
        CudaCheck.cudnn(query.apply(count, results), what);
        int n = count.get(ValueLayout.JAVA_INT, 0);
        for (int i = 0; i < n; i++) {
            MemorySegment r = results.asSlice(i * perf.byteSize(), perf.byteSize());
            int status = r.get(ValueLayout.JAVA_INT, 4);
            long memory = r.get(ValueLayout.JAVA_LONG, 16);
            if (status == Cudnn.CUDNN_STATUS_SUCCESS && memory <= WORKSPACE_LIMIT) return new int[] {r.get(ValueLayout.JAVA_INT, 0)};
        }
        throw new UnsupportedOperationException(what + ": cuDNN offers no algorithm within " + WORKSPACE_LIMIT + " bytes of workspace");
    }

    private long workspace(long bytes) { return bytes == 0 ? 0 : be.dev.allocator.allocate(bytes, be.dev.stream); }

    private void freeWorkspace(long ptr) { if (ptr != 0) be.dev.allocator.free(ptr); } // stream-ordered: safe to reuse after queued work

    private static MemorySegment p(Tensor t) { return MemorySegment.ofAddress(CudaBackend.addr(t)); }

    @Override
    public void conv(Tensor x, Tensor w, Tensor bias, ConvSpec spec, Tensor out) {
        be.check("conv", x, w, bias, out);
        CudaBackend.refuseStoredBf16("conv", x, w);
        CudaBackend.requireContiguous("conv", x, w, bias, out);
        Geometry g = Geometry.of(x.shape(), w.shape(), spec);
        if (out.numel() == 0) return;
        be.dev.activate();
        MemorySegment h = be.dev.dnn().handle;
        try (Descriptors d = new Descriptors(g, x.dtype())) {
            int algo = pick(d.arena, Cudnn.cudnnConvolutionFwdAlgoPerf_t$LAYOUT, (cnt, res) ->
                    Cudnn.cudnnGetConvolutionForwardAlgorithm_v7(h, d.x, d.w, d.conv, d.y, 8, cnt, res), "conv forward algorithm (" + spec + ")")[0];
            MemorySegment size = d.arena.allocate(ValueLayout.JAVA_LONG);
            CudaCheck.cudnn(Cudnn.cudnnGetConvolutionForwardWorkspaceSize(h, d.x, d.w, d.conv, d.y, algo, size), "conv forward workspace");
            long ws = workspace(size.get(ValueLayout.JAVA_LONG, 0));
            try {
                CudaCheck.cudnn(Cudnn.cudnnConvolutionForward(h, d.one(), d.x, p(x), d.w, p(w), d.conv, algo, MemorySegment.ofAddress(ws),
                        size.get(ValueLayout.JAVA_LONG, 0), d.zero(), d.y, p(out)), "cudnnConvolutionForward (" + spec + ")");
            } finally {
                freeWorkspace(ws);
            }
        }
        if (bias != null) {
            // out += bias broadcast over (N, ·, spatial)
            int[] bs = new int[out.dim()];
            java.util.Arrays.fill(bs, 1);
            bs[1] = out.size(1);
            Tensor b = bias.detach().view(bs).expand(out.shape());
            be.pointwise().binary(PointwiseKernels.BinaryOp.ADD, out, b, out);
        }
    }

    @Override
    public void convBackwardInput(Tensor gradOut, Tensor w, ConvSpec spec, Tensor gradIn) {
        be.check("conv backward (input)", gradOut, w, gradIn);
        CudaBackend.requireContiguous("conv backward (input)", gradOut, w, gradIn);
        Geometry g = Geometry.of(gradIn.shape(), w.shape(), spec);
        if (gradIn.numel() == 0) return;
        if (gradOut.numel() == 0) { be.fill(gradIn, 0); return; }
        be.dev.activate();
        MemorySegment h = be.dev.dnn().handle;
        try (Descriptors d = new Descriptors(g, gradOut.dtype())) {
            int algo = pick(d.arena, Cudnn.cudnnConvolutionBwdDataAlgoPerf_t$LAYOUT, (cnt, res) ->
                    Cudnn.cudnnGetConvolutionBackwardDataAlgorithm_v7(h, d.w, d.y, d.conv, d.x, 8, cnt, res), "conv backward-data algorithm")[0];
            MemorySegment size = d.arena.allocate(ValueLayout.JAVA_LONG);
            CudaCheck.cudnn(Cudnn.cudnnGetConvolutionBackwardDataWorkspaceSize(h, d.w, d.y, d.conv, d.x, algo, size), "backward-data workspace");
            long ws = workspace(size.get(ValueLayout.JAVA_LONG, 0));
            try {
                CudaCheck.cudnn(Cudnn.cudnnConvolutionBackwardData(h, d.one(), d.w, p(w), d.y, p(gradOut), d.conv, algo, MemorySegment.ofAddress(ws),
                        size.get(ValueLayout.JAVA_LONG, 0), d.zero(), d.x, p(gradIn)), "cudnnConvolutionBackwardData (" + spec + ")");
            } finally {
                freeWorkspace(ws);
            }
        }
    }

    @Override
    public void convBackwardWeight(Tensor gradOut, Tensor x, ConvSpec spec, Tensor gw, Tensor gb) {
        be.check("conv backward (weight)", gradOut, x, gw, gb);
        CudaBackend.requireContiguous("conv backward (weight)", gradOut, x, gw, gb);
        Geometry g = Geometry.of(x.shape(), gw.shape(), spec);
        if (gradOut.numel() == 0) {
            be.fill(gw, 0);
            if (gb != null) be.fill(gb, 0);
            return;
        }
        be.dev.activate();
        MemorySegment h = be.dev.dnn().handle;
        try (Descriptors d = new Descriptors(g, x.dtype())) {
            int algo = pick(d.arena, Cudnn.cudnnConvolutionBwdFilterAlgoPerf_t$LAYOUT, (cnt, res) ->
                    Cudnn.cudnnGetConvolutionBackwardFilterAlgorithm_v7(h, d.x, d.y, d.conv, d.w, 8, cnt, res), "conv backward-filter algorithm")[0];
            MemorySegment size = d.arena.allocate(ValueLayout.JAVA_LONG);
            CudaCheck.cudnn(Cudnn.cudnnGetConvolutionBackwardFilterWorkspaceSize(h, d.x, d.y, d.conv, d.w, algo, size), "backward-filter workspace");
            long ws = workspace(size.get(ValueLayout.JAVA_LONG, 0));
            try {
                CudaCheck.cudnn(Cudnn.cudnnConvolutionBackwardFilter(h, d.one(), d.x, p(x), d.y, p(gradOut), d.conv, algo, MemorySegment.ofAddress(ws),
                        size.get(ValueLayout.JAVA_LONG, 0), d.zero(), d.w, p(gw)), "cudnnConvolutionBackwardFilter (" + spec + ")");
            } finally {
                freeWorkspace(ws);
            }
        }
        if (gb != null) {
            // gb[c] = Σ over batch and positions of gradOut[:, c]
            int[] dims = new int[gradOut.dim() - 1];
            dims[0] = 0;
            for (int i = 2; i < gradOut.dim(); i++) dims[i - 1] = i;
            int[] keep = new int[gradOut.dim()];
            java.util.Arrays.fill(keep, 1);
            keep[1] = gradOut.size(1);
            be.reduce().reduce(ReduceKernels.ReduceOp.SUM, gradOut, dims, gb.view(keep));
        }
    }
}
