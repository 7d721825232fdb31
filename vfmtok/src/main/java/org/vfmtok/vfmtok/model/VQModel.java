package org.vfmtok.vfmtok.model;

import org.vfmtok.nn.Module;
import org.vfmtok.nn.layers.Linear;
import org.vfmtok.tensor.Rng;

/**
 * The trainable part of the tokenizer with the official state-dict layout (the released checkpoints'
 * {@code model}/{@code ema} entries, which omit every {@code backbone} key): decoder, encode_transformer,
 * decode_transformer, slot_quantize, pre_slots_quant, post_slots_quant.
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
}
