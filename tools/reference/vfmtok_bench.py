#!/usr/bin/python3
"""PyTorch side of `./vfm bench tokenizer`: times one stage of the VFMTok tokenizer on random weights.

    LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 \
      /usr/bin/python3 tools/reference/vfmtok_bench.py --what tokenize --batch 1 --reps 3 --threads 2

--what: dinov2 (DINOv2-L features), tokenize (images -> codes), detokenize (codes -> images),
reconstruct (both), msda (the deformable-attention core alone, grid_sample formulation, one layer's shapes).
Prints one JSON line: what, batch, threads, seconds (list of repetitions after one warm-up), peak RSS, BLAS."""
import argparse
import json
import os
import resource
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(__file__))
import vfmtok_ref as R  # noqa: E402


def blas():
    cfg = torch.__config__.show()
    maps = open("/proc/self/maps").read()
    libs = sorted({l.split()[-1] for l in maps.splitlines() if "blas" in l.lower() and l.split()[-1].startswith("/")})
    return {"blas_libs": libs, "torch_config_blas": [l.strip() for l in cfg.splitlines() if "BLAS" in l]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--what", required=True, choices=["dinov2", "tokenize", "detokenize", "reconstruct", "msda"])
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--config", default="full")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    cfg = R.load_config(a.config)
    s = cfg["image_size"]
    with torch.no_grad():
        if a.what == "msda":
            n_l, m, p, c = 4, cfg["encoder"].get("heads", 8), cfg["encoder"]["n_points"], cfg["encoder"]["dim"]
            g = s // cfg["vfm"]["patch_size"]
            q = cfg["encoder"]["n_carrier"]
            value = torch.randn(a.batch, n_l * g * g, m, c // m)
            loc = torch.rand(a.batch, q, m, n_l, p, 2)
            w = torch.softmax(torch.randn(a.batch, q, m, n_l * p), -1).view(a.batch, q, m, n_l, p)
            shapes = [(g, g)] * n_l
            run = lambda: R.ms_deform_attn_core_pytorch(value, shapes, loc, w)
        else:
            model = R.VQModel(cfg).eval()
            x = torch.rand(a.batch, 3, s, s) * 2 - 1
            codes = torch.randint(0, cfg["codebook_size"], (a.batch, cfg["encoder"]["n_carrier"]))
            if a.what == "dinov2":
                run = lambda: model.encode_transformer.backbone(x)
            elif a.what == "tokenize":
                run = lambda: model.encode(x)["codes"]
            elif a.what == "detokenize":
                run = lambda: model.decode_code(codes)
            else:
                run = lambda: model.decode_code(model.encode(x)["codes"])
        run()  # warm-up
        times = []
        for _ in range(a.reps):
            t0 = time.perf_counter()
            run()
            times.append(time.perf_counter() - t0)
    out = {"what": a.what, "batch": a.batch, "threads": torch.get_num_threads(), "seconds": times,
           "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    out.update(blas())
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
