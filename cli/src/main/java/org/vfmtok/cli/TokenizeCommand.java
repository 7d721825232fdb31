package org.vfmtok.cli;

import java.nio.file.Path;
import java.util.List;
import me.tongfei.progressbar.ProgressBar;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.io.Npy;
import org.vfmtok.tensor.ops.Indexing;
import org.vfmtok.vfmtok.VFMTokenizer;
import org.vfmtok.vfmtok.image.ImageFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./vfm tokenize}: images → codes (N, T) int64 .npy. */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Encode images to VFMTok codes: centre crop and resize to the model size, then write an (N, tokens) int64 .npy.")
final class TokenizeCommand implements java.util.concurrent.Callable<Integer> {
    @Mixin DeviceOption device;

    @Mixin TokenizerOptions tok;

    @Option(names = "--vfm", required = true, paramLabel = "V", description = "The frozen VFM's weights, of the family --config names: DINOv2 (dinov2_*_pretrain.pth or Hugging Face safetensors, the default), CLIP (Hugging Face or open_clip) or SigLIP (Hugging Face).")
    Path vfm;

    @Option(names = "--out", required = true, description = "Output .npy of codes.")
    Path out;

    @Mixin ImageInputs in;

    @Override
    public Integer call() throws Exception {
        device.resolve();
        VFMTokenizer t = tok.load(vfm);
        int size = t.config().imageSize();
        Tensor[] parts = new Tensor[(in.images.size() + tok.batch - 1) / tok.batch];
        try (ProgressBar bar = Progress.bar("tokenize", in.images.size(), "img")) {
            for (int b = 0; b < parts.length; b++) {
                List<Path> chunk = in.images.subList(b * tok.batch, Math.min(in.images.size(), (b + 1) * tok.batch));
                try (Scope s = Scope.open()) {
                    parts[b] = s.keep(t.encode(in.load(chunk, size)));
                }
                bar.stepBy(chunk.size());
            }
        }
        Npy.write(out, Indexing.concat(0, parts));
        System.err.println("wrote " + out + ": " + in.images.size() + " x " + t.config().tokens() + " codes");
        return 0;
    }
}
