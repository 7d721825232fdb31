#!/usr/bin/env bash
# Compiles the CUDA kernels (tensor/src/main/cuda/*.cu) into the resources the CUDA backend loads with
# cuModuleLoadData (org.vfmtok.tensor.cuda.CudaModule):
#   tensor/src/main/resources/cuda/<name>.ptx        PTX for compute_80: the driver JIT-compiles it for
#                                                    any GPU of compute capability 8.0 or newer
#   tensor/src/main/resources/cuda/<name>.sm_90.cubin machine code for Hopper (H100/H200), loaded
#                                                    instead of the PTX there (no JIT at start-up)
# The outputs are committed, so building the project needs no CUDA toolkit; run this after editing a
# .cu file (KernelSourceTest fails when a .cu file is newer than its PTX... by content hash, see below).
# Needs nvcc (CUDA 12.x or 13.x; found on $PATH, in $CUDA_HOME/bin or /usr/local/cuda*/bin).
# Usage: tools/build-cuda-kernels.sh [--check]   (--check: rebuild into a temp dir and compare, no writes)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
src=$root/tensor/src/main/cuda
out=$root/tensor/src/main/resources/cuda
nvcc=${NVCC:-$(command -v nvcc || true)}
for c in ${CUDA_HOME:+$CUDA_HOME/bin/nvcc} /usr/local/cuda/bin/nvcc /usr/local/cuda-*/bin/nvcc; do
  [ -n "$nvcc" ] && break
  [ -x "$c" ] && nvcc=$c
done
[ -n "$nvcc" ] || { echo "build-cuda-kernels: nvcc not found (set NVCC or CUDA_HOME)" >&2; exit 2; }
check=0
[ "${1:-}" = "--check" ] && { check=1; out=$(mktemp -d); }
mkdir -p "$out"
# No fast math: the kernels are tested against the CPU backend with float tolerances, and exp/log/sqrt
# must stay accurate. (No -lineinfo: it triples the PTX; add it locally for compute-sanitizer or ncu.)
flags=(-std=c++17 -O3)
for cu in "$src"/*.cu; do
  name=$(basename "$cu" .cu)
  "$nvcc" "${flags[@]}" -ptx -arch=compute_80 -o "$out/$name.ptx" "$cu"
  "$nvcc" "${flags[@]}" -cubin -arch=sm_90 -o "$out/$name.sm_90.cubin" "$cu"
  # a hash of the sources that went in, so a test can tell that the committed PTX is stale
  cat "$src"/*.cuh "$cu" | sha256sum | cut -c1-16 >"$out/$name.src-hash"
done
if [ $check = 1 ]; then
  status=0
  for f in "$out"/*.src-hash; do
    cmp -s "$f" "$root/tensor/src/main/resources/cuda/$(basename "$f")" || { echo "stale: $(basename "$f" .src-hash)"; status=1; }
  done
  rm -rf "$out"
  exit $status
fi
ls -la "$out"
du -ch "$out"/* | tail -1
