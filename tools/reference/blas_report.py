"""Runs a reference benchmark script after reporting which BLAS library torch really loaded.

    python3 tools/reference/blas_report.py tools/reference/SCRIPT.py ARGS...

Imports torch, runs one matrix product (so that a lazily loaded BLAS is mapped), prints every mapped file whose
name mentions blas as a line "# blas-map <maps line>" plus torch's version and thread count, then runs SCRIPT with
ARGS as its __main__. The Java side (org.vfmtok.bench.RunConditions) reads those lines and refuses to report a
ratio against Debian's reference BLAS (libblas.so.3 of the libblas3 package), which is 30-80x slower than OpenBLAS.
"""
import runpy
import sys

import torch

a = torch.randn(128, 128)
float((a @ a).sum())
with open("/proc/self/maps") as f:
    seen = set()
    for line in f:
        parts = line.split()
        if len(parts) >= 6 and "blas" in parts[-1].lower() and parts[-1] not in seen:
            seen.add(parts[-1])
            print("# blas-map " + line.rstrip(), flush=True)
print("# torch %s, %d threads, LD_LIBRARY_PATH as set by the launcher" % (torch.__version__, torch.get_num_threads()), flush=True)
if len(sys.argv) < 2:
    sys.exit(0)
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
