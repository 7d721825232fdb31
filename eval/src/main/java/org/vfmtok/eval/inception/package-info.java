/**
 * The Inception-v3 network of pytorch-fid ({@code FIDInceptionA/C/E} blocks, 1008 classes), loaded from its
 * released weights file, and the input pipeline of the ADM evaluator (TensorFlow 1.x bilinear resize to 299).
 */
package org.vfmtok.eval.inception;
