package org.vfmtok.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.vfmtok.eval.recon.ImageQuality;
import org.vfmtok.eval.recon.PairedFolders;
import org.vfmtok.eval.recon.ReconstructionMetrics;
import org.vfmtok.eval.recon.RgbImage;
import org.vfmtok.tensor.io.AtomicFiles;
import org.vfmtok.vfmtok.train.JsonOut;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./vfm eval-recon}: PSNR and SSIM between two folders of PNGs with the same names. */
@Command(name = "eval-recon", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"PSNR and SSIM of reconstructions against their references: two folders of PNGs with the same names",
                "and sizes. Computed as LlamaGen's reconstruction_vq_ddp.py calls scikit-image: both images / 255,",
                "peak_signal_noise_ratio (data range 1) and structural_similarity(channel_axis=-1, data_range=2.0)",
                "(7x7 uniform window); the means over the images. Identical pairs (infinite PSNR) are counted apart.",
                "With --inception, also rFID: the Frechet distance between the FID Inception-v3 pool3 statistics of the",
                "references and of the reconstructions (this set against itself, not ADM's VIRTUAL reference batch).",
                "Example: ./vfm eval-recon --json recon.json originals/ reconstructions/"})
final class EvalReconCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "REF_DIR", description = "Folder of reference PNGs.")
    Path refDir;

    @Parameters(index = "1", paramLabel = "RECON_DIR", description = "Folder of reconstructed PNGs, one per reference, same names.")
    Path reconDir;

    @Option(names = "--json", paramLabel = "OUT", description = "Also write the metrics as JSON (psnr, ssim, count, ...).")
    Path json;

    @Mixin
    RfidOptions rfid;

    @Override
    public Integer call() throws Exception {
        PairedFolders pairs = PairedFolders.of(refDir, reconDir);
        ReconstructionMetrics m = new ReconstructionMetrics();
        Double fid = null;
        try (RfidOptions.Pair inception = rfid.open()) {
            for (int i = 0; i < pairs.names().size(); i++) {
                RgbImage[] p = pairs.read(i);
                m.add(p[0], p[1]);
                if (inception != null) inception.add(p[0], p[1]);
            }
            System.out.println("eval-recon: " + m);
            if (inception != null) {
                fid = inception.fid();
                System.out.printf(java.util.Locale.ROOT, "eval-recon: rFID %.4f (%d reconstructions against their %d references, Inception resize %s)%n",
                        fid, m.count(), m.count(), rfid.resize);
            }
        }
        if (json != null) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("psnr", m.psnr());
            out.put("ssim", m.ssim());
            out.put("count", m.count());
            out.put("psnr_infinite", m.infinitePsnr());
            out.put("ssim_data_range", ImageQuality.SSIM_DATA_RANGE);
            if (fid != null) {
                out.put("rfid", fid);
                out.put("rfid_resize", rfid.resize);
            }
            out.put("reference", refDir.toAbsolutePath().toString());
            out.put("reconstruction", reconDir.toAbsolutePath().toString());
            writeJson(json, out);
        }
        return 0;
    }

    /** Writes a metrics map as JSON atomically; NaN and infinities become null (JSON has no such numbers). */
    static void writeJson(Path file, Map<String, Object> values) throws java.io.IOException {
        Map<String, Object> clean = new LinkedHashMap<>();
        values.forEach((k, v) -> clean.put(k, v instanceof Double d && !Double.isFinite(d) ? null : v));
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) java.nio.file.Files.createDirectories(parent);
        AtomicFiles.writeString(file, JsonOut.write(clean));
    }
}
