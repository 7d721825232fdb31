package org.vfmtok.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./vfm bench weights}. */
@Command(name = "weights", mixinStandardHelpOptions = true,
        description = {"BF16 against F32 weights on a GPT with random weights, batch 1: greedy codes' agreement over all the image's tokens",
                "(free-running and teacher-forced), the largest logit difference, and the decode step's time for both (speed-up printed only on a quiet machine);",
                "with the agreement, the tokenizer's too: equal codes and reconstruction PSNR of BF16 vs F32 weights on the demo geometry (random weights)."})
final class BenchWeightsCommand implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--model", defaultValue = "GPT-B", description = "GPT preset (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--rounds", defaultValue = "3", description = "Timed decodes per storage type, alternated (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--no-speed", description = "Only the agreement.")
    boolean noSpeed;

    @Option(names = "--no-agreement", description = "Only the speed.")
    boolean noAgreement;

    @Override
    public Integer call() throws Exception {
        List<String> a = new ArrayList<>(List.of("--model", model, "--rounds", Integer.toString(rounds)));
        if (noSpeed) a.add("--no-speed");
        if (noAgreement) a.add("--no-agreement");
        org.vfmtok.bench.WeightsBench.main(a.toArray(String[]::new));
        return 0;
    }
}
