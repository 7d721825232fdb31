package org.vfmtok.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Device;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;
import org.vfmtok.tensor.cuda.Cuda;
import org.vfmtok.tensor.cuda.CudaBackend;
import org.vfmtok.tensor.ops.Attention;
import org.vfmtok.tensor.ops.MatMul;
import org.vfmtok.tensor.ops.Norms;
import org.vfmtok.tensor.ops.Reductions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./vfm bench cuda}: the CUDA backend's throughput on one GPU: GEMM in each precision (TFLOP/s),
 * memory-bound kernels (GB/s of bytes read + written), attention, and host/device copies. Each figure
 * is the median of timed runs after warm-up, timed on the host around a device synchronisation.
 */
@Command(name = "cuda", mixinStandardHelpOptions = true, description = "GPU throughput of the CUDA backend (GEMM, elementwise, softmax, norm, attention, copies).")
final class CudaBenchCommand implements Callable<Integer> {
    @Option(names = "--device", description = "CUDA device index (default 0).")
    int device;

    @Option(names = "--repeat", description = "Timed runs per case (default 10).")
    int repeat = 10;

    @Option(names = "--size", description = "GEMM size M = N = K (default 4096).")
    int size = 4096;

    private record Row(String what, String value) {}

    @Override
    public Integer call() {
        if (Cuda.deviceCount() == 0) throw new IllegalStateException("no CUDA device: " + Cuda.status());
        Device gpu = Device.cuda(device);
        CudaBackend be = Cuda.backend(gpu);
        List<Row> rows = new ArrayList<>();
        try (Scope s = Scope.open(); Grad.Mode ng = Grad.noGrad()) {
            Tensor a = Init.randn(Init.rng(1), size, size).to(gpu), b = Init.randn(Init.rng(2), size, size).to(gpu);
            double flops = 2.0 * size * size * size;
            for (CudaBackend.GemmPrecision p : CudaBackend.GemmPrecision.values()) {
                be.setGemmPrecision(p);
                rows.add(new Row("gemm F32 " + size + "³ (" + p + ")", tflops(flops, time(be, () -> MatMul.matmul(a, b)))));
            }
            be.setGemmPrecision(CudaBackend.GemmPrecision.FP32);
            be.setUseCublasLt(true);
            rows.add(new Row("gemm F32 " + size + "³ (FP32, cuBLASLt)", tflops(flops, time(be, () -> MatMul.matmul(a, b)))));
            be.setUseCublasLt(false);
            Tensor ab = a.to(DType.BF16), bb = b.to(DType.BF16);
            rows.add(new Row("gemm BF16 " + size + "³", tflops(flops, time(be, () -> MatMul.matmul(ab, bb)))));

            Tensor x = Init.randn(Init.rng(3), 64 << 20).to(gpu), y = Init.randn(Init.rng(4), 64 << 20).to(gpu);
            rows.add(new Row("add F32 64M", gbs(3L * 4 * (64 << 20), time(be, () -> x.add(y)))));
            Tensor rowsX = x.view(65536, 1024);
            rows.add(new Row("softmax 65536x1024", gbs(2L * 4 * (64 << 20), time(be, () -> Reductions.softmax(rowsX, -1)))));
            rows.add(new Row("layer norm 65536x1024", gbs(2L * 4 * (64 << 20), time(be, () -> Norms.layerNorm(rowsX, null, null, 1e-5)))));
            rows.add(new Row("sum over rows 65536x1024", gbs(4L * (64 << 20), time(be, () -> Reductions.sum(rowsX, new int[] {1}, false)))));

            Tensor q = Init.randn(Init.rng(5), 8, 16, 1024, 64).to(gpu);
            double attnFlops = 4.0 * 8 * 16 * 1024 * 1024 * 64;
            rows.add(new Row("attention 8x16x1024x64 (naive kernel)", tflops(attnFlops, time(be, () -> Attention.scaledDotProductAttention(q, q, q, null, false)))));

            Tensor host = Init.randn(Init.rng(6), 64 << 20);
            rows.add(new Row("host -> device 256 MiB", gbs(4L * (64 << 20), time(be, () -> host.to(gpu)))));
            rows.add(new Row("device -> host 256 MiB", gbs(4L * (64 << 20), time(be, () -> x.to(Device.CPU)))));
        }
        System.out.println("CUDA backend on " + be.name());
        int w = rows.stream().mapToInt(r -> r.what().length()).max().orElse(10);
        for (Row r : rows) System.out.printf(Locale.ROOT, "  %-" + w + "s  %s%n", r.what(), r.value());
        System.out.println("  allocator: " + be.device().allocator());
        return 0;
    }

    /** Median seconds of one run of op (each run in its own scope, so memory is recycled through the cache). */
    private double time(CudaBackend be, Supplier<Tensor> op) {
        for (int i = 0; i < 3; i++) {
            try (Scope s = Scope.open()) {
                op.get();
                be.device().synchronize();
            }
        }
        double[] t = new double[repeat];
        for (int i = 0; i < repeat; i++) {
            try (Scope s = Scope.open()) {
                long t0 = System.nanoTime();
                op.get();
                be.device().synchronize();
                t[i] = (System.nanoTime() - t0) / 1e9;
            }
        }
        java.util.Arrays.sort(t);
        return t[t.length / 2];
    }

    private static String tflops(double flops, double seconds) {
        return String.format(Locale.ROOT, "%8.1f TFLOP/s  (%.3f ms)", flops / seconds / 1e12, seconds * 1e3);
    }

    private static String gbs(double bytes, double seconds) {
        return String.format(Locale.ROOT, "%8.1f GB/s     (%.3f ms)", bytes / seconds / 1e9, seconds * 1e3);
    }
}
