/**
 * Generation metrics as the ADM evaluator (openai/guided-diffusion {@code evaluations/evaluator.py}) computes
 * them: activation statistics, FID, sFID, Inception Score, precision and recall, and ADM's npz reference batches.
 */
package org.vfmtok.eval.gen;
