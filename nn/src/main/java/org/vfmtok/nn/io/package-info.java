/**
 * Checkpoint IO. {@link org.vfmtok.nn.io.TorchCheckpoint} reads {@code torch.save} files (zip and legacy
 * formats) with a safe pickle machine ({@link org.vfmtok.nn.io.Unpickler}) that only builds data: globals
 * outside a short allow-list are rejected, nothing from the file is ever executed. Tensor data is mapped
 * from the file where torch stored it uncompressed.
 */
package org.vfmtok.nn.io;
