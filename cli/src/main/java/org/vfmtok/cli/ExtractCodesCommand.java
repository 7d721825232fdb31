package org.vfmtok.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.vfmtok.llama.train.CodeShards;
import org.vfmtok.vfmtok.VFMTokenizer;
import org.vfmtok.vfmtok.data.ImageSource;
import org.vfmtok.vfmtok.train.CodeExtraction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./vfm extract-codes}: tokenises a dataset (and the flipped copies) into .npy shards for train-ar. */
@Command(name = "extract-codes", mixinStandardHelpOptions = true,
        description = {"Encode every image of a dataset (centre crop) and its horizontal flip with a trained tokenizer; writes",
                "codes-NNNNN.npy (n, 2, tokens) int64 and labels-NNNNN.npy (n) int64 shards into --out."})
final class ExtractCodesCommand implements Callable<Integer> {
    @Mixin DeviceOption device;

    @Mixin TrainData data;

    @Mixin TokenizerOptions tok;

    @Option(names = "--vfm", required = true, paramLabel = "W", description = "The frozen VFM's weights (a run's vfm.safetensors when it trained over a random ViT).")
    Path vfm;

    @Option(names = "--out", required = true, description = "Folder for the shards.")
    Path out;

    @Option(names = "--shard-size", defaultValue = "10000", description = "Images per shard (default: ${DEFAULT-VALUE}).")
    int shardSize;

    @Option(names = "--no-flip", description = "Only the images, not their flips.")
    boolean noFlip;

    @Override
    public Integer call() throws Exception {
        OptionChecks.atLeast("--shard-size", 1, shardSize);
        device.resolve();
        VFMTokenizer t = tok.load(vfm);
        ImageSource src = data.source(false);
        int total = 0, skipped = 0, shard = 0;
        try (ProgressBar bar = Progress.bar("extract", src.size(), "img")) {
            for (int start = 0; start < src.size(); start += shardSize, shard++) {
                ImageSource part = new Slice(src, start, Math.min(src.size(), start + shardSize));
                int base = total + skipped;
                CodeExtraction.Codes c = CodeExtraction.extract(t, part, tok.batch, !noFlip, n -> bar.stepTo(base + n));
                CodeShards.write(out, shard, c.codes(), c.labels());
                total += c.labels().length;
                skipped += c.skipped();
            }
        }
        System.err.printf("wrote %d images x %d views x %d codes in %d shards to %s%s%n", total, noFlip ? 1 : 2, t.config().tokens(), shard, out,
                skipped > 0 ? " (skipped " + skipped + " unreadable images)" : "");
        return 0;
    }

    /** A contiguous range of a source. */
    record Slice(ImageSource src, int from, int to) implements ImageSource {
        @Override public int size() { return to - from; }

        @Override public int label(int i) { return src.label(from + i); }

        @Override public java.util.List<String> classNames() { return src.classNames(); }

        @Override public float[] load(int i, int side, org.vfmtok.tensor.Rng rng) throws java.io.IOException { return src.load(from + i, side, rng); }

        @Override public String describe() { return src.describe() + " [" + from + ", " + to + ")"; }
    }
}
