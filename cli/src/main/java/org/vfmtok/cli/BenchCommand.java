package org.vfmtok.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Parent of the benchmark commands ({@code ./vfm bench gemm}, ...). */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Run a benchmark against its reference and print ratios.",
        subcommands = {BenchGemmCommand.class, BenchTokenizerCommand.class, BenchGptCommand.class, CudaBenchCommand.class, BenchTrainCommand.class, BenchServeCommand.class, BenchWeightsCommand.class,
                BenchDistCommand.class, BenchDistCommand.Rank.class, BenchVfmCommand.class})
final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
