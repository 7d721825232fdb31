package org.vfmtok.eval.recon;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.io.Npy;

/** PSNR and SSIM against scikit-image 0.19 called as LlamaGen calls it (tools/reference/recon_metrics_ref.py). */
class ImageQualityTest {
    private static final Path DIR = Path.of("src/test/resources/fixtures/recon");

    private static byte[] bytes(Tensor t) {
        byte[] b = new byte[(int) t.numel()];
        java.lang.foreign.MemorySegment.copy(t.segment(), t.byteOffset(), java.lang.foreign.MemorySegment.ofArray(b), 0, b.length);
        return b;
    }

    @Test
    void matchesSkimageAsLlamaGenCallsIt() throws Exception {
        try (Scope s = Scope.open("test")) {
            double[] want = Npy.read(DIR.resolve("metrics.npy")).toDoubleArray();
            ReconstructionMetrics all = new ReconstructionMetrics();
            double psnrSum = 0, ssimSum = 0;
            for (int k = 0; k < want.length / 2; k++) {
                Tensor ref = Npy.read(DIR.resolve("pair" + k + "_ref.npy")), recon = Npy.read(DIR.resolve("pair" + k + "_recon.npy"));
                int h = ref.size(0), w = ref.size(1);
                double psnr = ImageQuality.psnr(bytes(ref), bytes(recon), h, w), ssim = ImageQuality.ssim(bytes(ref), bytes(recon), h, w);
                assertEquals(want[2 * k], psnr, 1e-3, "PSNR of pair " + k + " (" + h + "x" + w + ")");
                assertEquals(want[2 * k + 1], ssim, 1e-4, "SSIM of pair " + k + " (" + h + "x" + w + ")");
                all.add(bytes(ref), bytes(recon), h, w);
                psnrSum += want[2 * k];
                ssimSum += want[2 * k + 1];
            }
            assertEquals(psnrSum / (want.length / 2), all.psnr(), 1e-3);
            assertEquals(ssimSum / (want.length / 2), all.ssim(), 1e-4);
            assertEquals(want.length / 2, all.count());
        }
    }

    @Test
    void identicalImagesAndBadSizes() {
        byte[] a = new byte[8 * 9 * 3];
        for (int i = 0; i < a.length; i++) a[i] = (byte) (i * 7);
        assertEquals(Double.POSITIVE_INFINITY, ImageQuality.psnr(a, a.clone(), 8, 9));
        assertEquals(1.0, ImageQuality.ssim(a, a.clone(), 8, 9), 1e-12);
        ReconstructionMetrics m = new ReconstructionMetrics();
        m.add(a, a.clone(), 8, 9);
        assertEquals(1, m.infinitePsnr());
        assertTrue(Double.isNaN(m.psnr()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageQuality.ssim(new byte[6 * 6 * 3], new byte[6 * 6 * 3], 6, 6));
        assertTrue(e.getMessage().contains("at least 7x7"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ImageQuality.psnr(a, new byte[5], 8, 9));
        assertTrue(e.getMessage().contains("216 bytes"), e.getMessage());
    }

    @Test
    void codebookUsageCountsDistinctCodes() {
        CodebookUsage u = new CodebookUsage(8);
        u.add(new long[] {0, 1, 1, 3});
        u.add(new long[] {3, 0, 1, 0});
        assertEquals(3, u.used());
        assertEquals(3 / 8.0, u.usage(), 0);
        double p0 = 3 / 8.0, p1 = 3 / 8.0, p3 = 2 / 8.0;
        assertEquals(Math.exp(-(p0 * Math.log(p0) + p1 * Math.log(p1) + p3 * Math.log(p3))), u.perplexity(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> u.add(new long[] {8}));
    }
}
