/**
 * The VFMTok tokenizer: frozen VFM encoders ({@code vfm}), the region-adaptive deformable sampler, the
 * quantizer and the decoders ({@code model}), image pre/post-processing ({@code image}), and the
 * tokenizer API {@link org.vfmtok.vfmtok.VFMTokenizer}.
 */
package org.vfmtok.vfmtok;
