/** Panama FFM bindings for CUDA, cuBLAS(Lt), cuDNN and NCCL (issue: CUDA backend). */
package org.vfmtok.cuda;
