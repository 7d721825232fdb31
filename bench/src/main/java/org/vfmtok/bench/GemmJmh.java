package org.vfmtok.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.vfmtok.tensor.cpu.Parallel;

/**
 * JMH version of {@link GemmBench}: time per call of our GEMM and of OpenBLAS for each shape and
 * thread count (threads = 0 means all). GFLOP/s = 2·M·K·N / time. Run with
 * {@code java -cp <bench classpath> org.openjdk.jmh.Main GemmJmh [-p shape=512x512x512 -p threads=1]}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class GemmJmh {
    @Param({"256x256x256", "512x512x512", "1024x1024x1024", "2048x2048x2048",
            "576x1024x1024", "576x1024x4096", "4616x1024x4096", "257x768x2304", "1x1024x4096T"})
    public String shape;

    @Param({"1", "0"})
    public int threads;

    private GemmCase gemm;
    private OpenBlas blas;

    @Setup(Level.Trial)
    public void setup() {
        int t = threads == 0 ? Parallel.maxThreads() : threads;
        Parallel.setThreads(t);
        blas = OpenBlas.load();
        blas.setThreads(t);
        gemm = GemmCase.parse(shape);
    }

    @Benchmark
    public void ours() { gemm.runOurs(); }

    @Benchmark
    public void openblas() { gemm.runOpenBlas(blas); }
}
