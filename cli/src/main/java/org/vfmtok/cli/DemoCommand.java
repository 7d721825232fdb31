package org.vfmtok.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.vfmtok.demo.Demo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./vfm demo}: the whole pipeline on a procedural dataset, on the CPU, in about ten minutes. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"End to end on the CPU: makes a procedural dataset (ten classes of coloured shapes over textures), trains a small",
                "tokenizer and a small class-conditional AR model, and judges the samples with a small classifier trained on the",
                "same images. Writes dataset.png, reconstructions.png, samples.png, tokenizer-loss.png, ar-loss.png, summary.json",
                "and the two run folders (checkpoints, metrics.jsonl) into --out; prints PSNR, codebook usage and sample accuracy."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "runs/demo", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--quick", description = "The short version the test suite runs (under a minute; rougher results).")
    boolean quick;

    @Option(names = "--vfm", paramLabel = "W", description = "Real DINOv2 weights (.pth or safetensors) instead of a random frozen ViT.")
    Path vfm;

    @Option(names = "--vfm-arch", defaultValue = "dinov2_vits14_reg4", description = "Architecture of --vfm (default: ${DEFAULT-VALUE}).")
    String vfmArch;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the data and every initialisation (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        Demo.Result r = Demo.run(new Demo.Options(out, quick ? Demo.Plan.quick() : Demo.Plan.full(), vfm, vfmArch, seed, true, System.out));
        return Double.isFinite(r.psnr()) ? 0 : 1;
    }
}
