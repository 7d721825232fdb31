package org.vfmtok.cli;

import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./vfm bench gemm}. */
@Command(name = "gemm", mixinStandardHelpOptions = true,
        description = {"Our CPU GEMM against OpenBLAS (called through FFM in the same JVM), one line per case:",
                "  shape threads ours_gflops openblas_gflops ratio",
                "Default shapes: 256, 512, 1024, 2048 squares and the transformer shapes 576x1024x1024, 576x1024x4096,",
                "4616x1024x4096, 257x768x2304 (MxKxN), each with 1 thread and all threads.",
                "Needs libopenblas (apt-get install libopenblas0-openmp) or -Dvfmtok.openblas=/path/libopenblas.so."})
final class BenchGemmCommand implements Runnable {
    @Parameters(arity = "0..*", paramLabel = "MxKxN", description = "Shapes to run instead of the defaults.")
    List<String> shapes;

    @Option(names = "--reps", description = "Repetitions per measurement (median reported; default 7).")
    Integer reps;

    @Option(names = "--threads", description = "Thread counts, e.g. 1,2 (default: 1 and all).")
    String threads;

    @Override
    public void run() {
        if (reps != null) System.setProperty("bench.reps", reps.toString());
        if (threads != null) System.setProperty("bench.threads", threads);
        org.vfmtok.bench.GemmBench.main(shapes == null ? new String[0] : shapes.toArray(String[]::new));
    }
}
