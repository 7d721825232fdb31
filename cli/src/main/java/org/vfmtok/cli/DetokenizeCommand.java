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
        description = {"Decode VFMTok codes (an (N, tokens) integer .npy) to PNG images 000000.png, 000001.png, ... (row i is image i).",
                "A 1-D array of exactly `tokens` codes is one image; any other shape, and an empty array, is an error."})
final class DetokenizeCommand implements java.util.concurrent.Callable<Integer> {
    @Mixin DeviceOption device;

    @Mixin TokenizerOptions tok;

    @Option(names = "--codes", required = true, description = "Codes .npy (N, tokens) or (tokens), int32 or int64.")
    Path codes;

    @Option(names = "--out", required = true, description = "Output folder.")
    Path out;

    @Option(names = "--size", description = "Output side in pixels (bicubic resize, as decode_codes_to_img; default: the model size).")
    Integer size;

    @Override
    public Integer call() throws Exception {
        device.resolve();
        VFMTokenizer t = tok.load(null);
        Tensor all = codeRows(Npy.read(codes), t.config().tokens(), codes);
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

    /** The codes as (N, tokens) rows: a 1-D array of exactly {@code tokens} codes is one image; anything else is refused. */
    static Tensor codeRows(Tensor codes, int tokens, Path file) {
        String shape = java.util.Arrays.toString(codes.shape());
        if (codes.numel() == 0) throw new IllegalArgumentException(file + ": the code array " + shape + " is empty: nothing to decode");
        if (codes.dim() == 1) {
            if (codes.size(0) != tokens) {
                throw new IllegalArgumentException(file + ": a 1-D code array must hold one image's " + tokens + " codes, got " + codes.size(0)
                        + " (give an (N, " + tokens + ") array for several images)");
            }
            return codes.unsqueeze(0);
        }
        if (codes.dim() != 2 || codes.size(1) != tokens) {
            throw new IllegalArgumentException(file + ": expected codes of shape (N, " + tokens + ") for this tokenizer, got " + shape);
        }
        return codes;
    }
}
