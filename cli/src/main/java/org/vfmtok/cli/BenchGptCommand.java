package org.vfmtok.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./vfm bench gpt}. */
@Command(name = "gpt", mixinStandardHelpOptions = true,
        description = {"Class-conditional generation speed (KV cache, random weights) against the PyTorch reference",
                "(eager, KV cache, OpenBLAS) run alternately in the same session: seconds, tokens/s, s/image, ratio, KV-cache bytes, Java heap bytes per token."})
final class BenchGptCommand implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--models", defaultValue = "GPT-B,GPT-L", description = "Models (default: ${DEFAULT-VALUE}).")
    String models;

    @Option(names = "--batches", defaultValue = "1,8", description = "Batch sizes (default: ${DEFAULT-VALUE}).")
    String batches;

    @Option(names = "--cfgs", defaultValue = "1.0,1.5", description = "CFG scales; 1.0 = no CFG (default: ${DEFAULT-VALUE}).")
    String cfgs;

    @Option(names = "--steps", defaultValue = "256", description = "Decoded tokens per image (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--threads", description = "Threads for both sides (default: all cores).")
    Integer threads;

    @Option(names = "--kv-cache", defaultValue = "f32", paramLabel = "f32|bf16", description = "Our KV-cache storage (default: ${DEFAULT-VALUE}).")
    String kvCache;

    @Option(names = "--no-torch", description = "Skip the PyTorch side.")
    boolean noTorch;

    @Override
    public Integer call() throws Exception {
        List<String> a = new ArrayList<>(List.of("--models", models, "--batches", batches, "--cfgs", cfgs, "--steps", Integer.toString(steps),
                "--kv-cache", GenerateCommand.kvCacheDType(kvCache).label()));
        if (threads != null) a.addAll(List.of("--threads", threads.toString()));
        if (noTorch) a.add("--no-torch");
        org.vfmtok.bench.GptBench.main(a.toArray(String[]::new));
        return 0;
    }
}
