/** The LlamaGen autoregressive image GPT: model, decoding, sampling, image generation and training. */
module org.vfmtok.llama {
    requires transitive org.vfmtok.nn;
    requires transitive org.vfmtok.vfmtok;

    exports org.vfmtok.llama;
    exports org.vfmtok.llama.train;
}
