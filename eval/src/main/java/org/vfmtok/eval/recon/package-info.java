/**
 * Reconstruction metrics of a tokenizer: PSNR and SSIM as LlamaGen's reconstruction script computes them with
 * scikit-image, their means over a set, and codebook usage.
 */
package org.vfmtok.eval.recon;
