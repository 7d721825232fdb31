/**
 * Tensor files: safetensors ({@link org.vfmtok.tensor.io.SafetensorsFile} for zero-copy memory-mapped
 * reading, {@link org.vfmtok.tensor.io.Safetensors} for copying loads and atomic saves) and NumPy
 * {@code .npy} ({@link org.vfmtok.tensor.io.Npy}).
 *
 * <p>Files are treated as untrusted input. Every declared size (header length, shape, data offsets)
 * is checked with overflow-safe arithmetic against the real file before anything is allocated or
 * mapped; the header must describe the data section exactly, as the reference implementation
 * requires. Failures are {@link org.vfmtok.tensor.io.SafetensorsException} /
 * {@link org.vfmtok.tensor.io.NpyException} whose message names the file and the tensor key.
 *
 * <p>Writers produce files that are byte-identical to the reference writers' (huggingface/safetensors
 * {@code serialize_to_file}; {@code numpy.save}), and replace the target atomically (temporary file in
 * the same directory, fsync, atomic rename, directory fsync): a failed or interrupted save leaves the
 * previous file intact and no temporary file behind.
 */
package org.vfmtok.tensor.io;
