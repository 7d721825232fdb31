package org.vfmtok.eval.recon;

import java.util.Locale;

/**
 * Running PSNR and SSIM over a set of image pairs: the means LlamaGen reports (the plain average of the per-image
 * values). An identical pair has infinite PSNR, as in skimage; {@link #infinitePsnr} counts them and the PSNR mean
 * is taken over the finite ones (LlamaGen's mean would be infinite), so one perfect image does not hide the rest.
 */
public final class ReconstructionMetrics {
    private double psnrSum, ssimSum;
    private long count, infinite;

    /** Adds one pair (uint8 RGB, HWC, same size). */
    public void add(byte[] ref, byte[] recon, int height, int width) {
        double p = ImageQuality.psnr(ref, recon, height, width);
        if (Double.isInfinite(p)) infinite++;
        else psnrSum += p;
        ssimSum += ImageQuality.ssim(ref, recon, height, width);
        count++;
    }

    /** Adds one pair of the same size. */
    public void add(RgbImage ref, RgbImage recon) {
        if (ref.height() != recon.height() || ref.width() != recon.width()) {
            throw new IllegalArgumentException("reference " + ref.width() + "x" + ref.height() + " and reconstruction " + recon.width() + "x" + recon.height() + " differ in size");
        }
        add(ref.pixels(), recon.pixels(), ref.height(), ref.width());
    }

    public long count() { return count; }

    /** Pairs that were identical (infinite PSNR, left out of {@link #psnr}). */
    public long infinitePsnr() { return infinite; }

    /** Mean PSNR (dB) over the pairs with a finite value; NaN when there are none. */
    public double psnr() { return count - infinite == 0 ? Double.NaN : psnrSum / (count - infinite); }

    /** Mean SSIM; NaN before the first pair. */
    public double ssim() { return count == 0 ? Double.NaN : ssimSum / count; }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "PSNR %.4f dB, SSIM %.4f over %d image(s)%s", psnr(), ssim(), count,
                infinite > 0 ? " (" + infinite + " identical, left out of the PSNR mean)" : "");
    }
}
