package org.vfmtok.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.vfmtok.eval.recon.CodebookUsage;
import org.vfmtok.eval.recon.ImageQuality;
import org.vfmtok.eval.recon.ReconstructionMetrics;
import org.vfmtok.eval.recon.RgbImage;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;
import org.vfmtok.tensor.ops.Indexing;
import org.vfmtok.vfmtok.VFMTokenizer;
import org.vfmtok.vfmtok.data.ImageFolder;
import org.vfmtok.vfmtok.image.ImageFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./vfm eval-tok}: a tokenizer's reconstruction metrics over a validation folder. */
@Command(name = "eval-tok", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Reconstruction metrics of a tokenizer on a validation set (ImageFolder layout: one subfolder per class):",
                "each image ADM-centre-cropped to the tokenizer's size (336 for the official one), encoded, decoded,",
                "quantised as LlamaGen does (x127.5+128, clamp, truncate). PSNR and SSIM as LlamaGen's reconstruction",
                "script computes them (skimage; SSIM data range 2.0), at the tokenizer's size; codebook usage (codes used",
                "at least once, and the perplexity of the code histogram) over the whole set. With --inception, rFID of the",
                "reconstructions against the originals of this set (not against ADM's VIRTUAL reference batch).",
                "Example: ./vfm eval-tok --tokenizer vfmtok.pt --vfm dinov2.pth --data imagenet/val --json tok.json"})
final class EvalTokCommand implements Callable<Integer> {
    @Mixin
    TokenizerOptions tok;

    @Option(names = "--vfm", required = true, paramLabel = "V", description = "DINOv2 weights (the encoder needs them).")
    Path vfm;

    @Option(names = "--data", required = true, paramLabel = "VAL_DIR", description = "Validation images, one subfolder per class (files found recursively, sorted).")
    Path data;

    @Option(names = "--limit", defaultValue = "0", paramLabel = "N",
            description = "Evaluate N images spread evenly over the sorted set (every class represented; 0 = all; default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--save", paramLabel = "DIR", description = "Also write DIR/ref/NNNNNN.png (the crops) and DIR/recon/NNNNNN.png (their reconstructions), for eval-recon or an FID tool.")
    Path save;

    @Option(names = "--json", paramLabel = "OUT", description = "Also write the metrics as JSON.")
    Path json;

    @Mixin
    RfidOptions rfid;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
        if (limit < 0) throw new IllegalArgumentException("--limit must be >= 0, got " + limit);
        ImageFolder folder = new ImageFolder(data, ImageFolder.Crop.CENTER);
        int n = limit == 0 ? folder.size() : Math.min(limit, folder.size());
        int[] pick = new int[n];
        for (int i = 0; i < n; i++) pick[i] = (int) ((long) i * folder.size() / n);
        if (save != null) {
            Files.createDirectories(save.resolve("ref"));
            Files.createDirectories(save.resolve("recon"));
        }
        ReconstructionMetrics metrics = new ReconstructionMetrics();
        long t0 = System.nanoTime();
        try (Scope all = Scope.open("eval-tok"); RfidOptions.Pair inception = rfid.open(); VFMTokenizer t = tok.load(vfm);
                ProgressBar bar = noProgress ? null : Progress.bar("eval-tok", n, "img")) {
            int size = t.config().imageSize();
            CodebookUsage usage = new CodebookUsage(t.config().codebookSize());
            System.err.printf(Locale.ROOT, "eval-tok: %d of %d images of %s at %dx%d%n", n, folder.size(), data, size, size);
            for (int lo = 0; lo < n; lo += tok.batch) {
                int hi = Math.min(n, lo + tok.batch);
                try (Scope s = Scope.open("eval-tok-batch"); Grad.Mode ng = Grad.noGrad()) {
                    Tensor[] crops = new Tensor[hi - lo];
                    for (int i = lo; i < hi; i++) crops[i - lo] = ImageFiles.centerCrop(ImageFiles.read(folder.file(pick[i])), size);
                    Tensor x = Indexing.stack(0, crops);
                    Tensor codes = t.encode(x);
                    usage.add(codes.toLongArray());
                    Tensor rec8 = VFMTokenizer.toUint8(t.decode(codes));
                    for (int i = lo; i < hi; i++) {
                        RgbImage ref = RgbImage.ofUnitRange(crops[i - lo]), rec = RgbImage.ofNhwc(rec8, i - lo);
                        metrics.add(ref, rec);
                        if (inception != null) inception.add(ref, rec);
                        if (save != null) {
                            String name = String.format(Locale.ROOT, "%06d.png", i);
                            ImageFiles.writePng(ImageFiles.toImage(VFMTokenizer.toUint8(crops[i - lo].unsqueeze(0)), 0), save.resolve("ref").resolve(name));
                            ImageFiles.writePng(ImageFiles.toImage(rec8, i - lo), save.resolve("recon").resolve(name));
                        }
                    }
                }
                if (bar != null) bar.stepTo(hi);
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "eval-tok: %s%neval-tok: %s%neval-tok: %.1f s (%.2f s/image)%n", metrics, usage, secs, secs / n);
            Double fid = null;
            if (inception != null) {
                fid = inception.fid();
                System.out.printf(Locale.ROOT, "eval-tok: rFID %.4f: the reconstructions against the originals of this set (%d images at %dx%d, Inception resize %s),"
                        + " not against ADM's VIRTUAL_imagenet256 reference batch%n", fid, n, size, size, rfid.resize);
            }
            if (json != null) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("psnr", metrics.psnr());
                out.put("ssim", metrics.ssim());
                out.put("count", metrics.count());
                out.put("psnr_infinite", metrics.infinitePsnr());
                out.put("ssim_data_range", ImageQuality.SSIM_DATA_RANGE);
                out.put("image_size", size);
                out.put("codebook_size", usage.codebookSize());
                out.put("codebook_used", usage.used());
                out.put("codebook_usage", usage.usage());
                out.put("codebook_perplexity", usage.perplexity());
                if (fid != null) {
                    out.put("rfid", fid);
                    out.put("rfid_reference", "the originals of this set (not the VIRTUAL batch)");
                    out.put("rfid_resize", rfid.resize);
                }
                out.put("tokenizer", tok.tokenizer.toAbsolutePath().toString());
                out.put("data", data.toAbsolutePath().toString());
                EvalReconCommand.writeJson(json, out);
            }
        }
        return 0;
    }
}
