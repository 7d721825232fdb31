package org.vfmtok.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import me.tongfei.progressbar.ProgressBar;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.io.Npy;
import org.vfmtok.vfmtok.VFMTokenizer;
import org.vfmtok.vfmtok.image.ImageFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./vfm detokenize}: codes .npy → PNG images. */
@Command(name = "detokenize", mixinStandardHelpOptions = true,
        description = "Decode VFMTok codes (an (N, tokens) integer .npy) to PNG images 000000.png, 000001.png, ...")
final class DetokenizeCommand implements java.util.concurrent.Callable<Integer> {
    @Mixin TokenizerOptions tok;

    @Option(names = "--codes", required = true, description = "Codes .npy (N, tokens), int32 or int64.")
    Path codes;

    @Option(names = "--out", required = true, description = "Output folder.")
    Path out;

    @Option(names = "--size", description = "Output side in pixels (bicubic resize, as decode_codes_to_img; default: the model size).")
    Integer size;

    @Override
    public Integer call() throws Exception {
        VFMTokenizer t = tok.load(null);
        Tensor all = Npy.read(codes);
        if (all.dim() == 1) all = all.unsqueeze(0);
        int n = all.size(0), px = size == null ? t.config().imageSize() : size;
        if (px < 1) throw new IllegalArgumentException("--size must be positive, got " + px);
        Files.createDirectories(out);
        try (ProgressBar bar = Progress.bar("detokenize", n, "img")) {
            for (int b = 0; b < n; b += tok.batch) {
                int m = Math.min(tok.batch, n - b);
                try (Scope s = Scope.open()) {
                    Tensor u8 = t.decodeToUint8(all.narrow(0, b, m).contiguous(), px);
                    for (int i = 0; i < m; i++) ImageFiles.writePng(ImageFiles.toImage(u8, i), out.resolve(String.format("%06d.png", b + i)));
                }
                bar.stepBy(m);
            }
        }
        System.err.println("wrote " + n + " images to " + out);
        return 0;
    }
}
