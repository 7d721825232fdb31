/** The LlamaGen autoregressive image GPT: model, decoding, sampling, image generation and training. */
module org.vfmtok.llama {
    requires transitive org.vfmtok.nn;
    requires transitive org.vfmtok.vfmtok;
    // TODO(lead): remove after h-decode merge (RowLinear and DecodeAttention move into tensor.cpu).

    exports org.vfmtok.llama;
    exports org.vfmtok.llama.train;
}
