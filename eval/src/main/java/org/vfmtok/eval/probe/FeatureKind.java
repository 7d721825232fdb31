package org.vfmtok.eval.probe;

import java.util.List;
import java.util.Locale;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;
import org.vfmtok.vfmtok.VFMTokenizer;

/** Which frozen features of a tokenizer the probe reads, each mean-pooled over its tokens to one vector per image. */
public enum FeatureKind {
    /** The slot encoder's output (B, T, dim), before pre_slots_quant: the continuous tokens. */
    SLOTS,
    /** The quantised tokens: the codebook rows the codes pick (B, T, codeDim), what the GPT models. */
    QUANTIZED,
    /** The frozen VFM's last level (B, G², C): the baseline the tokens are compared with. */
    VFM;

    public static FeatureKind parse(String s) {
        for (FeatureKind k : values()) if (k.name().equalsIgnoreCase(s)) return k;
        throw new IllegalArgumentException("--features must be slots, quantized or vfm, got '" + s + "'");
    }

    public String cliName() { return name().toLowerCase(Locale.ROOT); }

    /** The pooled dimension for this tokenizer. */
    public int dim(VFMTokenizer t) {
        return switch (this) {
            case SLOTS -> t.config().dim();
            case QUANTIZED -> t.config().codeDim();
            case VFM -> t.config().vfm().embedDim();
        };
    }

    /** Mean-pooled features (B × dim, row-major) of images (B, 3, S, S) in [-1, 1]. */
    public float[] extract(VFMTokenizer t, Tensor images) {
        try (Grad.Mode ng = Grad.noGrad()) {
            List<Tensor> levels = t.features(images);
            Tensor tokens = switch (this) {
                case SLOTS -> t.model().encodeTransformer.forward(levels);
                case QUANTIZED -> t.model().quantize(t.model().encode(levels)).rows();
                case VFM -> levels.get(levels.size() - 1);
            };
            return tokens.mean(1, false).contiguous().toFloatArray();
        }
    }
}
