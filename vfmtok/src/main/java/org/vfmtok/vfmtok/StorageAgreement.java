package org.vfmtok.vfmtok;

import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;

/**
 * How far a tokenizer with another weight storage (BF16) moves from the reference (F32) on the same images: the
 * fraction of equal codes, the PSNR of its reconstructions against the reference's (each tokenizer encodes and
 * decodes on its own), and the PSNR of its decoder alone on the reference's codes (the decoder's share of the
 * difference). PSNRs are on the [0, 1] scale of images in [-1, 1] (clamped), as the reconstruct command reports them;
 * identical images give {@code +Infinity}.
 */
public record StorageAgreement(long codes, long equalCodes, double reconstructionPsnrDb, double decoderPsnrDb) {

    /** Equal codes / codes. */
    public double codeAgreement() { return codes == 0 ? 1 : (double) equalCodes / codes; }

    /** {@code images} (B, 3, S, S) in [-1, 1] through both tokenizers (which need their VFMs). */
    public static StorageAgreement measure(VFMTokenizer reference, VFMTokenizer other, Tensor images) {
        try (Scope s = Scope.open("storage agreement")) {
            Tensor refCodes = reference.encode(images), ownCodes = other.encode(images);
            long[] a = refCodes.toLongArray(), b = ownCodes.toLongArray();
            long equal = 0;
            for (int i = 0; i < a.length; i++) if (a[i] == b[i]) equal++;
            float[] refImages = reference.decode(refCodes).toFloatArray();
            float[] ownImages = other.decode(ownCodes).toFloatArray();
            float[] sameCodes = other.decode(refCodes).toFloatArray();
            return new StorageAgreement(a.length, equal, psnr(refImages, ownImages), psnr(refImages, sameCodes));
        }
    }

    /** PSNR in dB of two images in [-1, 1] (clamped), on the [0, 1] scale. */
    static double psnr(float[] x, float[] y) {
        double se = 0;
        for (int i = 0; i < x.length; i++) {
            double d = (clamp(x[i]) - clamp(y[i])) / 2;
            se += d * d;
        }
        return se == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(x.length / se);
    }

    private static double clamp(float v) { return Math.max(-1, Math.min(1, v)); }
}
