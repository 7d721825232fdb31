package org.vfmtok.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.backend.Backends;
import org.vfmtok.tensor.cpu.Parallel;

/**
 * Our CPU GEMM against OpenBLAS {@code cblas_sgemm} in the same JVM, one line per case:
 * {@code shape threads ours_gflops openblas_gflops ratio}. Each case runs with 1 thread and with all
 * threads; measurements alternate between the two implementations and the medians of
 * {@code -Dbench.reps} (default 7) repetitions of about {@code -Dbench.ms} (default 200) ms are reported.
 *
 * <p>Arguments: shapes "MxKxN" (suffix T: B stored N×K as in nn.Linear), default the list.
 * {@code -Dbench.threads=1,2} picks thread counts; {@code -Dbench.clock=cpu} times with the calling
 * thread's CPU time instead of the wall clock, which is robust on a busy machine but only meaningful
 * with one thread.
 *
 * <pre>
 * mvn -q -o package -DskipTests -pl bench -am
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *      -cp bench/target/classes:tensor/target/classes org.vfmtok.bench.GemmBench [shapes...]
 * </pre>
 */
public final class GemmBench {
    static final List<String> DEFAULT_SHAPES = List.of("256x256x256", "512x512x512", "1024x1024x1024", "2048x2048x2048",
            "576x1024x1024", "576x1024x4096", "4616x1024x4096", "257x768x2304");

    private GemmBench() {}

    public static void main(String[] args) {
        List<String> shapes = args.length > 0 ? Arrays.asList(args) : DEFAULT_SHAPES;
        int reps = Integer.getInteger("bench.reps", 7);
        double targetNs = Integer.getInteger("bench.ms", 200) * 1e6;
        boolean cpuClock = "cpu".equals(System.getProperty("bench.clock"));
        String threadList = System.getProperty("bench.threads", "1," + Parallel.maxThreads());
        int[] threadCounts = Arrays.stream(threadList.split(",")).mapToInt(Integer::parseInt).toArray();
        OpenBlas blas = OpenBlas.load();
        System.out.println("# ours: " + Backends.cpu().name() + "; openblas: " + blas.config() + " (" + blas.path() + ")"
                + "; clock " + (cpuClock ? "thread cpu" : "wall") + ", median of " + reps);
        System.out.println("# shape threads ours_gflops openblas_gflops ratio conditions   (ratio: ours / OpenBLAS GFLOP/s, 'noisy' when other processes took > 5% of a core)");
        Clock clock = cpuClock ? new CpuClock() : System::nanoTime;
        for (String shape : shapes) {
            try (Scope scope = Scope.open("bench")) {
                GemmCase c = GemmCase.parse(shape);
                for (int threads : threadCounts) {
                    Parallel.setThreads(threads);
                    blas.setThreads(threads);
                    Runnable ours = c::runOurs, theirs = () -> c.runOpenBlas(blas);
                    // Warm up (JIT, page faults, OpenMP team) and size the inner loop to the target time.
                    int iters = Math.max(calibrate(ours, targetNs, clock), calibrate(theirs, targetNs, clock));
                    double diff = c.maxRelativeDifference();
                    if (!(diff < 1e-4)) throw new IllegalStateException(c.name() + ": results differ from OpenBLAS by " + diff);
                    List<Double> us = new ArrayList<>(), them = new ArrayList<>();
                    RunConditions.Window window = RunConditions.start();
                    for (int r = 0; r < reps; r++) {
                        us.add(c.flops() * iters / time(ours, iters, clock));
                        them.add(c.flops() * iters / time(theirs, iters, clock));
                    }
                    RunConditions.Noise noise = window.stop();
                    double o = median(us), b = median(them);
                    // rates, not times: ours / theirs is ratio(theirs time, our time); OpenBLAS is called in-process (no reference BLAS to check)
                    System.out.printf("%s %d %.1f %.1f %s %s%n", c.name(), threads, o, b, RunConditions.ratio(o, b, noise, null), noise.describe());
                }
            }
        }
        Parallel.setThreads(Parallel.maxThreads());
    }

    @FunctionalInterface
    interface Clock {
        long nanos();
    }

    private static final class CpuClock implements Clock {
        private final ThreadMXBean mx = ManagementFactory.getThreadMXBean();

        @Override public long nanos() { return mx.getCurrentThreadCpuTime(); }
    }

    private static int calibrate(Runnable body, double targetNs, Clock clock) {
        int iters = 1;
        for (int round = 0; round < 30; round++) {
            double ns = time(body, iters, clock);
            if (ns > targetNs / 4 && round >= 2) return Math.max(1, (int) Math.round(iters * targetNs / ns));
            if (ns <= targetNs / 4) iters *= 2;
        }
        return iters;
    }

    private static double time(Runnable body, int iters, Clock clock) {
        long t0 = clock.nanos();
        for (int i = 0; i < iters; i++) body.run();
        return Math.max(1, clock.nanos() - t0);
    }

    private static double median(List<Double> v) {
        double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
