package org.vfmtok.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./vfm bench tokenizer}. */
@Command(name = "tokenizer", mixinStandardHelpOptions = true,
        description = {"Tokenizer stages at the official size (random weights) against the PyTorch reference in the same run:",
                "stage batch threads java_s torch_s ratio java_peak_MB. Needs /usr/bin/python3 with torch and libopenblas0-openmp.",
                "Stages: msda (deformable attention alone vs the grid_sample formulation), dinov2, tokenize, detokenize, reconstruct."})
final class BenchTokenizerCommand implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--reps", defaultValue = "2", description = "Timed repetitions per side and round (default: ${DEFAULT-VALUE}).")
    int reps;

    @Option(names = "--batches", defaultValue = "1,8", description = "Batch sizes (default: ${DEFAULT-VALUE}).")
    String batches;

    @Option(names = "--stages", defaultValue = "msda,dinov2,tokenize,detokenize,reconstruct", description = "Stages to run, comma-separated (default: ${DEFAULT-VALUE}).")
    String stages;

    @Override
    public Integer call() throws Exception {
        org.vfmtok.bench.TokenizerBench.main(new String[] {Integer.toString(reps), batches, stages});
        return 0;
    }
}
