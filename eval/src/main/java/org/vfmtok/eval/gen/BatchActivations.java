package org.vfmtok.eval.gen;

/**
 * What the ADM evaluator knows about one npz batch: the pool3 activations of its images (null when it holds
 * only statistics) and the FID and sFID statistics (from the file's {@code mu, sigma, mu_s, sigma_s} when
 * present, as ADM's {@code read_statistics} prefers them, else computed from the activations).
 *
 * @param count   number of images (0 without images)
 * @param pool3   count x 2048 row-major, or null
 * @param pool    FID statistics (2048-d)
 * @param spatial sFID statistics (2023-d)
 */
public record BatchActivations(int count, float[] pool3, ActivationStatistics pool, ActivationStatistics spatial) {}
