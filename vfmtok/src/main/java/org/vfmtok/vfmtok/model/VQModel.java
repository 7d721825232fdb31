package org.vfmtok.vfmtok.model;

import java.util.List;
import org.vfmtok.nn.Module;
import org.vfmtok.nn.layers.Linear;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Tensor;

/**
 * The trainable part of the tokenizer with the official state-dict layout (the released checkpoints'
 * {@code model}/{@code ema} entries, which omit every {@code backbone} key): decoder, encode_transformer,
 * decode_transformer, slot_quantize, pre_slots_quant, post_slots_quant.
 *
 * <p>It owns the pipeline after the frozen VFM (spec §1.1 steps 2–8), one method per stage; the inference
 * API ({@code VFMTokenizer}) and the training loss both call these:
 * <pre>
 *   features ─encode→ z ─quantize→ codes, z_q ─decode→ image
 *                                          └──predictFeatures→ VFM features (training)
 *   codes ─lookup→ z_q                                   (decode_from_indices)
 * </pre>
 * Every method reads only the weights (and, in training mode, {@link Quantizer#quantize} appends to the
 * usage ring buffer); all intermediate state belongs to the call.
 */
public final class VQModel extends Module {
    public final PixelDecoder decoder;
    public final SlotEncoder encodeTransformer;
    public final DecoderViT decodeTransformer;
    public final Quantizer slotQuantize;
    public final Linear preSlotsQuant;
    public final Linear postSlotsQuant;
    public final TokenizerConfig config;

    public VQModel(TokenizerConfig cfg, Rng rng) {
        this.config = cfg;
        decoder = register("decoder", new PixelDecoder(cfg, rng));
        encodeTransformer = register("encode_transformer", new SlotEncoder(cfg, rng));
        decodeTransformer = register("decode_transformer", new DecoderViT(cfg, rng));
        slotQuantize = register("slot_quantize", new Quantizer(cfg.codebookSize(), cfg.codeDim(), cfg.codebookUsedLen(), rng));
        preSlotsQuant = register("pre_slots_quant", new Linear(cfg.dim(), cfg.codeDim(), true, rng));
        postSlotsQuant = register("post_slots_quant", new Linear(cfg.codeDim(), cfg.dim(), true, rng));
    }

    /**
     * The training forward (official {@code VQModel.forward}): encode, quantise, decode and, when asked,
     * predict the VFM features. In training mode the decoder reads the straight-through vectors; in eval mode
     * it reads the codebook rows of the codes (decode_from_indices), so an eval forward reconstructs exactly
     * what encoding then decoding the codes gives.
     *
     * @param reconstruction  (B, 3, S, S)
     * @param predictedFeatures (B, G_vfm², C_vfm), or null when not asked for
     */
    public record Output(Quantizer.Quantized quantized, Tensor reconstruction, Tensor predictedFeatures) {}

    /** features: the frozen VFM's levels, each (B, G_vfm², C_vfm). */
    public Output forward(List<Tensor> features, boolean predictFeatures) {
        Quantizer.Quantized q = quantize(encode(features));
        Tensor zq = isTraining() ? q.straightThrough() : q.rows();      // (B, T, c)
        Tensor reconstruction = decode(zq);                               // (B, 3, S, S)
        // each branch applies post_slots_quant itself: a (B·T, c) × (c, dim) product, cheaper than a third entry point
        return new Output(q, reconstruction, predictFeatures ? predictFeatures(zq) : null);
    }

    /** Steps 2–4: VFM levels, each (B, G_vfm², C_vfm) → z (B, T, c), the slots through pre_slots_quant. */
    public Tensor encode(List<Tensor> features) {
        Tensor slots = encodeTransformer.forward(features); // (B, T, dim)
        return preSlotsQuant.forward(slots);               // (B, T, c)
    }

    /** Step 5: z (B, T, c) → codes (B, T) and their normalised codebook rows (B, T, c). */
    public Quantizer.Quantized quantize(Tensor z) {
        return slotQuantize.quantize(z);
    }

    /** decode_from_indices: codes (B, T) → quantised vectors (B, T, c); throws on a code outside the codebook. */
    public Tensor lookup(Tensor codes) {
        return slotQuantize.lookup(codes);
    }

    /** Steps 6–7, pixel branch: quantised vectors (B, T, c) → latent grid (B, dim, G_lat, G_lat). */
    public Tensor decodeLatent(Tensor zq) {
        Tensor slots = postSlotsQuant.forward(zq);  // (B, T, dim)
        return decodeTransformer.forward(slots);    // (B, dim, G_lat, G_lat)
    }

    /** Steps 6–8: quantised vectors (B, T, c) → images (B, 3, S, S), about [-1, 1]. */
    public Tensor decode(Tensor zq) {
        return decoder.forward(decodeLatent(zq));
    }

    /**
     * Steps 6–7, VFM branch (training only officially): quantised vectors (B, T, c) → predicted VFM last-level
     * features (B, G_vfm², C_vfm), the semantic-reconstruction target's counterpart.
     */
    public Tensor predictFeatures(Tensor zq) {
        Tensor slots = postSlotsQuant.forward(zq);        // (B, T, dim)
        return decodeTransformer.predictVfmFeatures(slots);
    }
}
