package org.vfmtok.cli;

import java.nio.file.Path;
import java.util.List;
import org.vfmtok.bench.VfmBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./vfm bench vfm}. */
@Command(name = "vfm", mixinStandardHelpOptions = true,
        description = {"Multi-level feature extraction of each frozen VFM (random weights, real architecture and input size) against its "
                + "PyTorch reference (tools/reference/vfm_bench.py on make_vfm_fixtures.py's models, OpenBLAS), one row per model and batch: "
                + "java s, torch s, ratio (torch s / java s; 'noisy' when other processes ran), GFLOP of the matrix products, Java's GFLOP/s.",
                "Both sides must build the same number of parameters and return the same feature shapes (printed).",
                "Needs /usr/bin/python3 with torch and libopenblas0-openmp unless --no-torch.",
                "Models: " + VfmBench.MODEL_NAMES + "."})
final class BenchVfmCommand implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--models", split = ",", paramLabel = "NAME", defaultValue = "dinov2-l14-reg,dinov2-b14,clip-l14-224,clip-l14-336,siglip2-b16,siglip2-so400m14",
            description = "Models, comma-separated (default: ${DEFAULT-VALUE}).")
    List<String> models;

    @Option(names = "--batch", split = ",", paramLabel = "N", defaultValue = "1,8", description = "Batch sizes (default: ${DEFAULT-VALUE}).")
    int[] batches;

    @Option(names = "--reps", defaultValue = "3", paramLabel = "N", description = "Timed passes per side and case after one warm-up; the median is reported (default: ${DEFAULT-VALUE}).")
    int reps;

    @Option(names = "--threads", paramLabel = "N", description = "Threads for both sides (default: the runtime's worker threads, all cores unless -Dvfmtok.threads).")
    Integer threads;

    @Option(names = "--image-size", paramLabel = "PX", description = "Input side for every model, for smoke runs (default: each model's own: 336 for DINOv2, the checkpoint's for CLIP/SigLIP2).")
    Integer imageSize;

    @Option(names = "--no-torch", description = "Skip the PyTorch side (Java only; no ratio).")
    boolean noTorch;

    @Option(names = "--out", paramLabel = "FILE", description = "Also write the table: JSON for a .json name, else Markdown (default: none).")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (imageSize != null && imageSize < 1) throw new IllegalArgumentException("--image-size must be at least 1, got " + imageSize);
        int t = threads != null ? threads : org.vfmtok.tensor.cpu.Parallel.threads();
        VfmBench.run(new VfmBench.Options(models, batches, reps, t, imageSize == null ? 0 : imageSize, !noTorch, out));
        return 0;
    }
}
