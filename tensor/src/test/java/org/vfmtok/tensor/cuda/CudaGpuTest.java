package org.vfmtok.tensor.cuda;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Device;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;
import org.vfmtok.tensor.backend.PointwiseKernels.BinaryOp;
import org.vfmtok.tensor.backend.PointwiseKernels.UnaryOp;
import org.vfmtok.tensor.ops.Attention;
import org.vfmtok.tensor.ops.Conv;
import org.vfmtok.tensor.ops.DeformableAttention;
import org.vfmtok.tensor.ops.MatMul;
import org.vfmtok.tensor.ops.Norms;
import org.vfmtok.tensor.ops.Pointwise;
import org.vfmtok.tensor.ops.Reductions;
import org.vfmtok.tensor.testing.Compare;

/**
 * The CUDA backend against the CPU backend, op by op (forward and, where differentiable, backward
 * through autograd). Tagged "gpu": excluded from the default suite; run with
 * {@code mvn test -pl native-bindings,tensor -Dvfm.excludedGroups=heavy -Dgroups=gpu} or tools/gpu-check.sh
 * on a machine with an NVIDIA GPU. Each test also skips cleanly when no GPU is present.
 */
@Tag("gpu")
class CudaGpuTest {
    static final Device GPU = Device.cuda(0);

    @BeforeAll
    static void needsAGpu() { assumeTrue(Cuda.deviceCount() > 0, () -> "no CUDA device: " + Cuda.status()); }

    private static Tensor randn(long seed, int... shape) { return Init.randn(Init.rng(seed), shape); }

    private static Tensor gpu(Tensor cpu) { return cpu.to(GPU); }

    private static Tensor cpu(Tensor t) { return t.to(Device.CPU); }

    /** f on CPU inputs vs f on copies of them on the GPU, the GPU result brought back. */
    private static void same(String what, Function<List<Tensor>, Tensor> f, double atol, double rtol, Tensor... inputs) {
        try (Scope s = Scope.open(); Grad.Mode ng = Grad.noGrad()) {
            Tensor want = f.apply(List.of(inputs));
            List<Tensor> onGpu = java.util.Arrays.stream(inputs).map(CudaGpuTest::gpu).toList();
            Tensor got = f.apply(onGpu);
            assertEquals(GPU, got.device(), what + " ran on the GPU");
            Compare.assertClose(what, want, cpu(got), atol, rtol);
        }
    }

    /** Gradients of sum(f(inputs)·r) with respect to every input, on CPU and GPU. */
    private static void sameGrads(String what, Function<List<Tensor>, Tensor> f, double atol, double rtol, Tensor... inputs) {
        try (Scope s = Scope.open()) {
            List<Tensor> a = java.util.Arrays.stream(inputs).map(t -> t.detach().copy().requiresGrad(true)).toList();
            Tensor ya = f.apply(a);
            Tensor r = randn(99, ya.shape());
            ya.mul(r).sum().backward();
            List<Tensor> b = java.util.Arrays.stream(inputs).map(t -> gpu(t.detach()).requiresGrad(true)).toList();
            Tensor yb = f.apply(b);
            yb.mul(gpu(r)).sum().backward();
            Compare.assertClose(what + " forward", ya.detach(), cpu(yb.detach()), atol, rtol);
            for (int i = 0; i < a.size(); i++) {
                assertNotNull(b.get(i).grad(), what + " grad " + i);
                assertEquals(GPU, b.get(i).grad().device());
                Compare.assertClose(what + " grad " + i, a.get(i).grad(), cpu(b.get(i).grad()), atol, rtol);
            }
        }
    }

    // ------------------------------------------------------------------ memory and copies

    @Test
    void copiesRoundTripEveryDtypeAndLayout() {
        try (Scope s = Scope.open()) {
            Tensor x = randn(1, 3, 5, 7);
            for (DType t : DType.values()) {
                Tensor h = x.mul(10).to(t);
                Tensor back = cpu(gpu(h));
                assertEquals(t, back.dtype());
                Compare.assertClose("round trip " + t, h, back, 0, 0);
            }
            // non-contiguous source on each side, broadcast source, dtype conversion on the GPU
            Compare.assertClose("strided upload", x.permute(2, 0, 1), cpu(gpu(x.permute(2, 0, 1))), 0, 0);
            Compare.assertClose("strided download", x.permute(1, 2, 0).contiguous(), cpu(gpu(x).permute(1, 2, 0)), 0, 0);
            Tensor dst = Tensor.zeros(3, 5, 7);
            dst.copyFrom(gpu(x.narrow(2, 0, 1)));
            Compare.assertClose("broadcast download", x.narrow(2, 0, 1).expand(3, 5, 7), dst, 0, 0);
            Compare.assertClose("convert on GPU", x.to(DType.BF16), cpu(gpu(x).to(DType.BF16)), 0, 0);
            Compare.assertClose("I64 exact", Tensor.ofLongs(new long[] {Long.MAX_VALUE, -3}, 2), cpu(gpu(Tensor.ofLongs(new long[] {Long.MAX_VALUE, -3}, 2))), 0, 0);
            // larger than the 8 MiB staging chunk, not a multiple of it
            Tensor big = randn(2, 3_000_017);
            Compare.assertClose("big", big, cpu(gpu(big)), 0, 0);
            Tensor f = Tensor.full(DType.F32, GPU, 2.5, 4, 4);
            Compare.assertClose("fill", Tensor.full(DType.F32, 2.5, 4, 4), cpu(f), 0, 0);
        }
    }

    @Test
    void allocatorReusesFreedBlocks() {
        CachingAllocator a = Cuda.backend(GPU).device().allocator();
        try (Scope s = Scope.open()) {
            Tensor.empty(DType.F32, GPU, 1000, 1000);
        }
        long mallocs = a.mallocCount(), hits = a.cacheHits();
        try (Scope s = Scope.open()) {
            Tensor.empty(DType.F32, GPU, 1000, 1000);
        }
        assertEquals(mallocs, a.mallocCount(), a.toString());
        assertEquals(hits + 1, a.cacheHits(), a.toString());
    }

    @Test
    void mixingDevicesNamesBoth() {
        try (Scope s = Scope.open()) {
            String m = assertThrows(IllegalArgumentException.class, () -> gpu(Tensor.ones(2)).add(Tensor.ones(2))).getMessage();
            assertTrue(m.contains("operand 0 on cuda:0, operand 1 on cpu"), m);
            assertThrows(IllegalStateException.class, () -> Tensor.empty(DType.F32, Device.cuda(Cuda.deviceCount()), 1));
        }
    }

    // ------------------------------------------------------------------ elementwise

    @Test
    void unaryOpsAndTheirGradients() {
        Tensor x = randn(2, 4, 33, 5);
        Tensor pos = Pointwise.abs(x).add(0.1);
        for (UnaryOp op : UnaryOp.values()) {
            Tensor in = switch (op) { case LOG, SQRT, RSQRT, RECIPROCAL, POW_SCALAR -> pos; default -> x; };
            double a = switch (op) { case POW_SCALAR -> 1.7; case CLAMP -> -0.5; case AFFINE -> 3; case LEAKY_RELU -> 0.1; default -> 0; };
            double b = switch (op) { case CLAMP -> 0.7; case AFFINE -> -1; default -> 0; };
            same(op + " (transposed input)", t -> Pointwise.unary(op, t.get(0).transpose(1, 3), a, b), 2e-6, 2e-6, in);
            if (op != UnaryOp.RELU && op != UnaryOp.ABS && op != UnaryOp.CLAMP && op != UnaryOp.LEAKY_RELU) {
                sameGrads(op.name(), t -> Pointwise.unary(op, t.get(0), a, b), 1e-5, 1e-5, in);
            }
            same(op + " F64", t -> Pointwise.unary(op, t.get(0), a, b), 1e-12, 1e-12, in.to(DType.F64));
        }
    }

    @Test
    void binaryOpsWithBroadcastingComparisonsAndWhere() {
        Tensor x = randn(3, 4, 1, 6), y = randn(4, 4, 5, 1).narrow(0, 1, 3);
        for (BinaryOp op : BinaryOp.values()) {
            Tensor xx = op == BinaryOp.POW ? Pointwise.abs(x).add(0.5) : x;
            if (op.ordinal() >= BinaryOp.EQ.ordinal()) same(op.name(), t -> Pointwise.compare(op, t.get(0), t.get(1)), 0, 0, xx, y);
            else same(op.name(), t -> Pointwise.binary(op, t.get(0), t.get(1)), 1e-6, 1e-6, xx, y);
        }
        sameGrads("mul/div/sub", t -> t.get(0).mul(t.get(1)).div(t.get(1).mul(t.get(1)).add(1)).sub(t.get(0)), 1e-5, 1e-5, x, y);
        Tensor cond = Pointwise.compare(BinaryOp.GT, x, y);
        same("where", t -> Pointwise.where(t.get(0), t.get(1), t.get(2)), 0, 0, cond, x.expand(3, 4, 5, 6), y);
        same("I64 compare", t -> Pointwise.compare(BinaryOp.LT, t.get(0), t.get(1)), 0, 0,
                Tensor.ofLongs(new long[] {1, 5, 9}, 3), Tensor.ofLongs(new long[] {2, 5, 3}, 3));
    }

    // ------------------------------------------------------------------ reductions and softmax

    @Test
    void reductionsOverEveryDimSet() {
        Tensor x = randn(3, 5, 7, 9).permute(0, 2, 1, 3);
        int[][] dimSets = {null, {0}, {1}, {3}, {0, 2}, {1, 3}, {-1, -2}};
        for (int[] dims : dimSets) {
            String d = java.util.Arrays.toString(dims);
            same("sum " + d, t -> Reductions.sum(t.get(0), dims, false), 1e-5, 1e-5, x);
            same("mean " + d, t -> Reductions.mean(t.get(0), dims, true), 1e-6, 1e-5, x);
            same("max " + d, t -> Reductions.max(t.get(0), dims, false), 0, 0, x);
            same("min " + d, t -> Reductions.min(t.get(0), dims, false), 0, 0, x);
            same("var " + d, t -> Reductions.var(t.get(0), dims, 1, false), 1e-5, 1e-5, x);
        }
        same("prod", t -> Reductions.prod(t.get(0), new int[] {1}, false), 1e-6, 1e-5, x.mul(0.5).add(1));
        sameGrads("sum/mean grads", t -> Reductions.mean(t.get(0), new int[] {1}, true).add(Reductions.sum(t.get(0), new int[] {3}, true).mean()), 1e-5, 1e-5, x);
        Tensor ties = Tensor.of(new float[] {1, 3, 3, 0, Float.NaN, 2, 5, 5, 5}, 3, 3);
        same("argmax ties/NaN", t -> Reductions.argmax(t.get(0), 1, false), 0, 0, ties);
        same("argmin", t -> Reductions.argmin(t.get(0), 0, true), 0, 0, x.narrow(1, 0, 3));
    }

    @Test
    void softmaxAndLogSoftmaxAlongEveryDim() {
        Tensor x = randn(4, 2, 3, 1000).mul(3);
        for (int dim = 0; dim < 4; dim++) {
            int d = dim;
            sameGrads("softmax dim " + d, t -> Reductions.softmax(t.get(0), d), 1e-6, 1e-5, x);
            sameGrads("log_softmax dim " + d, t -> Reductions.logSoftmax(t.get(0).transpose(0, 2), d), 1e-5, 1e-5, x);
        }
    }

    // ------------------------------------------------------------------ norms

    @Test
    void layerRmsAndGroupNorm() {
        Tensor x = randn(3, 7, 384).mul(2).add(1), w = randn(4, 384), b = randn(5, 384);
        sameGrads("layer norm", t -> Norms.layerNorm(t.get(0), t.get(1), t.get(2), 1e-5), 2e-5, 1e-4, x, w, b);
        sameGrads("layer norm, no affine", t -> Norms.layerNorm(t.get(0), null, null, 1e-6), 2e-5, 1e-4, x);
        sameGrads("rms norm", t -> Norms.rmsNorm(t.get(0), t.get(1), 1e-6), 2e-5, 1e-4, x, w);
        Tensor img = randn(6, 2, 12, 5, 5), gw = randn(7, 12), gb = randn(8, 12);
        sameGrads("group norm", t -> Norms.groupNorm(t.get(0), 4, t.get(1), t.get(2), 1e-5), 2e-5, 1e-4, img, gw, gb);
        same("layer norm F64", t -> Norms.layerNorm(t.get(0), t.get(1), t.get(2), 1e-5), 1e-12, 1e-12, x.to(DType.F64), w.to(DType.F64), b.to(DType.F64));
    }

    // ------------------------------------------------------------------ GEMM

    @Test
    void matmulLayoutsBatchesAndPrecisions() {
        Tensor a = randn(10, 2, 3, 67, 129), b = randn(11, 2, 3, 129, 33);
        same("batched", t -> MatMul.matmul(t.get(0), t.get(1)), 1e-4, 1e-4, a, b);
        same("transposed operands", t -> MatMul.matmul(t.get(1).mT(), t.get(0).mT()), 1e-4, 1e-4, a, b);
        same("broadcast batch", t -> MatMul.matmul(t.get(0), t.get(1)), 1e-4, 1e-4, a, randn(12, 129, 33));
        same("vector", t -> MatMul.matmul(t.get(0), t.get(1)), 1e-4, 1e-4, randn(13, 129), randn(14, 129, 5));
        same("non-mergeable batch", t -> MatMul.matmul(t.get(0).transpose(0, 1), t.get(1).transpose(0, 1)), 1e-4, 1e-4, a, b);
        same("padded rows", t -> MatMul.matmul(t.get(0).narrow(-1, 0, 64), t.get(1).narrow(-2, 0, 64)), 1e-4, 1e-4, a, b);
        // (2, 7, 6, 5) view with strides (210, 1, 35, 7): no unit stride in the matrix dims, copied first
        same("no unit stride (copied first)", t -> MatMul.matmul(t.get(0).transpose(1, 3), t.get(1)), 1e-4, 1e-4, randn(18, 2, 5, 6, 7),
                randn(19, 2, 7, 5, 4));
        sameGrads("linear grads", t -> MatMul.linear(t.get(0), t.get(1), t.get(2)), 1e-4, 1e-4, randn(15, 8, 96), randn(16, 48, 96), randn(17, 48));
        same("F64", t -> MatMul.matmul(t.get(0), t.get(1)), 1e-10, 1e-10, a.to(DType.F64), b.to(DType.F64));
        CudaBackend be = Cuda.backend(GPU);
        try {
            be.setGemmPrecision(CudaBackend.GemmPrecision.TF32);
            same("TF32", t -> MatMul.matmul(t.get(0), t.get(1)), 5e-2, 5e-3, a, b);
            be.setGemmPrecision(CudaBackend.GemmPrecision.BF16);
            same("BF16 compute", t -> MatMul.matmul(t.get(0), t.get(1)), 2e-1, 2e-2, a, b);
            be.setGemmPrecision(CudaBackend.GemmPrecision.FP32);
            be.setUseCublasLt(true);
            same("cuBLASLt", t -> MatMul.matmul(t.get(0), t.get(1)), 1e-4, 1e-4, a, b);
            same("cuBLASLt transposed", t -> MatMul.matmul(t.get(1).mT(), t.get(0).mT()), 1e-4, 1e-4, a, b);
        } finally {
            be.setGemmPrecision(CudaBackend.GemmPrecision.FP32);
            be.setUseCublasLt(false);
        }
        same("BF16 tensors", t -> MatMul.matmul(t.get(0), t.get(1)).to(DType.F32), 1e-1, 2e-2, a.to(DType.BF16), b.to(DType.BF16));
    }

    // ------------------------------------------------------------------ convolution

    @Test
    void convolutionsThroughCudnn() {
        sameGrads("conv2d 3x3 pad 1", t -> Conv.conv2d(t.get(0), t.get(1), t.get(2), 1, 1), 1e-4, 1e-4, randn(20, 2, 8, 17, 19), randn(21, 16, 8, 3, 3),
                randn(22, 16));
        sameGrads("conv2d strided dilated grouped", t -> Conv.conv2d(t.get(0), t.get(1), t.get(2), new int[] {2, 1}, new int[] {1, 2},
                new int[] {1, 2}, 4, Conv.PaddingMode.ZEROS), 1e-4, 1e-4, randn(23, 2, 8, 15, 15), randn(24, 12, 2, 3, 3), randn(25, 12));
        sameGrads("conv1d", t -> Conv.conv1d(t.get(0), t.get(1), null, 2, 3, 1, 1, Conv.PaddingMode.ZEROS), 1e-4, 1e-4, randn(26, 3, 5, 40),
                randn(27, 7, 5, 4));
        sameGrads("conv2d circular", t -> Conv.conv2d(t.get(0), t.get(1), null, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1,
                Conv.PaddingMode.CIRCULAR), 1e-4, 1e-4, randn(28, 1, 3, 9, 9), randn(29, 4, 3, 3, 3));
    }

    // ------------------------------------------------------------------ attention

    @Test
    void multiScaleDeformableAttention() {
        int[][] shapes = {{8, 8}, {4, 4}, {2, 3}};
        int s = 64 + 16 + 6;
        Tensor value = randn(30, 2, s, 4, 8);
        Tensor loc = Init.rand(Init.rng(31), DType.F32, 2, 10, 4, 3, 4, 2).mul(1.2).add(-0.1); // some samples outside the map
        Tensor w = Reductions.softmax(randn(32, 2, 10, 4, 3, 4), -1);
        sameGrads("msda", t -> DeformableAttention.msDeformAttn(t.get(0), shapes, t.get(1), t.get(2)), 1e-5, 1e-4, value, loc, w);
    }

    @Test
    void scaledDotProductAttention() {
        Tensor q = randn(40, 2, 3, 37, 16), k = randn(41, 2, 3, 53, 16), v = randn(42, 2, 3, 53, 24);
        sameGrads("attention", t -> Attention.scaledDotProductAttention(t.get(0), t.get(1), t.get(2), null, false), 1e-5, 1e-4, q, k, v);
        sameGrads("causal", t -> Attention.scaledDotProductAttention(t.get(0), t.get(1), t.get(2), null, true), 1e-5, 1e-4, q, k, v);
        Tensor mask = Pointwise.compare(BinaryOp.GT, randn(43, 1, 1, 37, 53), Tensor.scalar(-0.5));
        Tensor maskG = gpu(mask);
        sameGrads("masked, heads transposed", t -> Attention.scaledDotProductAttention(t.get(0).transpose(1, 2).transpose(1, 2), t.get(1), t.get(2),
                t.get(0).device().isCpu() ? mask : maskG, false), 1e-5, 1e-4, q, k, v);
    }

    // ------------------------------------------------------------------ optimizer and RoPE

    @Test
    void adamStepMatchesTheCpuFormulaBitForBit() {
        Tensor p = randn(50, 1000), g = randn(51, 1000), m = randn(52, 1000).mul(0.1), v = Pointwise.abs(randn(53, 1000)).mul(0.01);
        float lr = 3e-4f, wd = 0.05f, b1 = 0.9f, b2 = 0.95f, eps = 1e-8f;
        long step = 7;
        float decay = 1 - lr * wd, omb1 = (float) (1 - 0.9), omb2 = (float) (1 - 0.95);
        float stepSize = (float) (lr / (1 - Math.pow(0.9, step))), bc2Sqrt = (float) Math.sqrt(1 - Math.pow(0.95, step));
        for (boolean decoupled : new boolean[] {true, false}) {
            float[] ps = p.toFloatArray(), gs = g.toFloatArray(), ms = m.toFloatArray(), vs = v.toFloatArray();
            for (int i = 0; i < ps.length; i++) { // org.vfmtok.nn.optim.Adam's loop
                float pv = ps[i], gv = gs[i];
                if (decoupled) pv = pv * decay;
                else gv = gv + wd * pv;
                float mv = ms[i] * b1 + omb1 * gv, vv = vs[i] * b2 + omb2 * gv * gv;
                ms[i] = mv;
                vs[i] = vv;
                float denom = (float) Math.sqrt(vv) / bc2Sqrt + eps;
                ps[i] = pv - stepSize * (mv / denom);
            }
            Tensor pg = gpu(p), gg = gpu(g), mg = gpu(m), vg = gpu(v);
            Cuda.backend(GPU).optim().adam(pg, gg, mg, vg, wd, decay, b1, b2, omb1, omb2, stepSize, bc2Sqrt, eps, decoupled);
            assertArrayEquals(ps, cpu(pg).toFloatArray(), "params, decoupled=" + decoupled);
            assertArrayEquals(ms, cpu(mg).toFloatArray(), "m");
            assertArrayEquals(vs, cpu(vg).toFloatArray(), "v");
        }
    }

    @Test
    void ropeRotatesPairsAndItsInverseUndoesIt() {
        int bsz = 2, seq = 5, heads = 3, dim = 8;
        Tensor x = randn(60, bsz, seq, heads, dim);
        float[] f = new float[seq * dim];
        Random r = new Random(61);
        for (int i = 0; i < f.length / 2; i++) {
            double th = r.nextDouble() * 6;
            f[2 * i] = (float) Math.cos(th);
            f[2 * i + 1] = (float) Math.sin(th);
        }
        Tensor freqs = Tensor.of(f, seq, dim / 2, 2);
        // CPU reference with tensor ops: LlamaGen's apply_rotary_emb
        Tensor xs = x.view(bsz, seq, heads, dim / 2, 2), fc = freqs.view(1, seq, 1, dim / 2, 2);
        Tensor x0 = xs.narrow(4, 0, 1), x1 = xs.narrow(4, 1, 1), c = fc.narrow(4, 0, 1), s = fc.narrow(4, 1, 1);
        Tensor want = org.vfmtok.tensor.ops.Indexing.concat(4, x0.mul(c).sub(x1.mul(s)), x1.mul(c).add(x0.mul(s))).view(bsz, seq, heads, dim);
        CudaOptim o = Cuda.backend(GPU).optim();
        Tensor xg = gpu(x), out = Tensor.empty(DType.F32, GPU, x.shape()), back = Tensor.empty(DType.F32, GPU, x.shape());
        o.rope(xg, gpu(freqs), out, false);
        Compare.assertClose("rope", want, cpu(out), 1e-6, 1e-6);
        o.rope(out, gpu(freqs), back, true);
        Compare.assertClose("inverse rope", x, cpu(back), 1e-6, 1e-6);
    }

    // ------------------------------------------------------------------ end to end

    @Test
    void aSmallNetworkTrainsTheSameOnBothDevices() {
        Tensor w1 = randn(70, 64, 32).mul(0.2), b1 = randn(71, 64).mul(0.1), w2 = randn(72, 10, 64).mul(0.2), xin = randn(73, 16, 32);
        sameGrads("mlp", t -> {
            Tensor h = Pointwise.gelu(Norms.layerNorm(MatMul.linear(t.get(3), t.get(0), t.get(1)), null, null, 1e-5));
            return Reductions.logSoftmax(MatMul.linear(h, t.get(2), null), -1);
        }, 1e-4, 1e-4, w1, b1, w2, xin);
    }

    @Test
    void unsupportedKernelsSaySo() {
        try (Scope s = Scope.open()) {
            Tensor table = gpu(randn(80, 10, 4));
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> org.vfmtok.tensor.ops.Indexing.indexSelect(table, 0, gpu(Tensor.ofInts(new int[] {1}, 1))));
            assertTrue(e.getMessage().contains("not implemented on the CUDA backend"), e.getMessage());
        }
    }
}
