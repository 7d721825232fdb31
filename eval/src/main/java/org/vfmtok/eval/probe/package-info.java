/**
 * Linear probing of a frozen tokenizer's tokens with MAE's recipe: mean-pooled token features, BatchNorm without
 * affine parameters, a linear head trained with LARS on a cosine schedule with warm-up; top-1 accuracy.
 */
package org.vfmtok.eval.probe;
