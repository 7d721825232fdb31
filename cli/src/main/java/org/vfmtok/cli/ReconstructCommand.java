package org.vfmtok.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.vfmtok.VFMTokenizer;
import org.vfmtok.vfmtok.image.ImageFiles;
import org.vfmtok.vfmtok.image.Metrics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./vfm reconstruct}: tokenize and detokenize, write the pictures and print PSNR and SSIM. */
@Command(name = "reconstruct", mixinStandardHelpOptions = true,
        description = {"Tokenize and detokenize images; writes <name>.png (reconstruction) and <name>.input.png (the centre crop)",
                "and prints PSNR (dB) and SSIM per image against the centre crop. <name> is the image's file name without its extension;",
                "inputs of the same name (a/x.jpg, b/x.png) get x, x-1, x-2, ... in the order given (each renaming is printed)."})
final class ReconstructCommand implements java.util.concurrent.Callable<Integer> {
    @Mixin DeviceOption device;

    @Mixin TokenizerOptions tok;

    @Option(names = "--vfm", required = true, paramLabel = "V", description = "The frozen VFM's weights, of the family --config names (DINOv2 by default).")
    Path vfm;

    @Option(names = "--out", required = true, description = "Output folder.")
    Path out;

    @Mixin ImageInputs in;

    @Override
    public Integer call() throws Exception {
        device.resolve();
        VFMTokenizer t = tok.load(vfm);
        int size = t.config().imageSize();
        Files.createDirectories(out);
        List<String> names = OutputNames.unique(in.images, List.of(".png", ".input.png"));
        for (int i = 0; i < in.images.size(); i++) {
            String plain = in.images.get(i).getFileName().toString().replaceFirst("(?<=.)\\.[^.]+$", "");
            if (!names.get(i).equals(plain)) System.err.println("note: " + in.images.get(i) + " is written as " + names.get(i) + ".png (another input has its name)");
        }
        double psnrSum = 0, ssimSum = 0;
        System.out.println("image psnr_db ssim");
        for (int b = 0; b < in.images.size(); b += tok.batch) {
            List<Path> chunk = in.images.subList(b, Math.min(in.images.size(), b + tok.batch));
            try (Scope s = Scope.open()) {
                Tensor x = in.load(chunk, size);
                Tensor in8 = VFMTokenizer.toUint8(x), rec8 = VFMTokenizer.toUint8(t.reconstruct(x));
                for (int i = 0; i < chunk.size(); i++) {
                    String name = names.get(b + i);
                    ImageFiles.writePng(ImageFiles.toImage(rec8, i), out.resolve(name + ".png"));
                    ImageFiles.writePng(ImageFiles.toImage(in8, i), out.resolve(name + ".input.png"));
                    int[] a = in8.select(0, i).toIntArray(), r = rec8.select(0, i).toIntArray();
                    double p = Metrics.psnr(a, r), q = Metrics.ssim(a, r, size, size);
                    psnrSum += p;
                    ssimSum += q;
                    System.out.printf(Locale.ROOT, "%s %.3f %.4f%n", chunk.get(i), p, q);
                }
            }
        }
        System.out.printf(Locale.ROOT, "mean %.3f %.4f%n", psnrSum / in.images.size(), ssimSum / in.images.size());
        return 0;
    }
}
