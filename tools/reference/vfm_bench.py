#!/usr/bin/python3
"""PyTorch side of `./vfm bench vfm`: times one frozen VFM's multi-level feature extraction on random weights.

Launched by the Java side through org.vfmtok.bench.RunConditions (OpenBLAS with OpenMP, thread variables,
tools/reference/blas_report.py in front); by hand:

    LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 \\
      /usr/bin/python3 tools/reference/vfm_bench.py --arch ARCH_JSON --image-size 336 --batch 1 --reps 3 --threads 2

The models are the plain-torch definitions of make_vfm_fixtures.py (CLIP / SigLIP towers from the Hugging Face
modeling files, their random weights, the tokenizer's preprocessing) and vfmtok_ref.py (DINOv2), imported, not
copied. --arch is the architecture as the Java side writes it (org.vfmtok.bench.VfmBench.archJson):
  {"family": "dinov2", "embed_dim", "depth", "num_heads", "mlp_ratio", "patch_size", "num_registers", "ffn",
   "ln_eps", "img_size_pretrain", "interpolate_antialias", "interpolate_offset", "levels"}
  {"family": "clip" | "siglip", "dim", "depth", "heads", "mlp", "patch", "image", "eps", "levels", "norm_last"}
The images are uniform in [-1, 1] at --image-size; the timed call is preprocessing (clamp, mean/std; the resize is
the identity at the model's input size) and the features at every level, without grad: one warm-up, then --reps.
Prints the feature shapes and, as its last line, one JSON object: params (the vision tower's parameters, which the
Java side compares with its own), batch, image_size, threads, seconds (one per repetition), shapes, peak_rss_mb.
"""
import argparse
import json
import os
import resource
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(__file__))
import make_vfm_fixtures as V  # noqa: E402
import vfmtok_ref  # noqa: E402

MEAN_STD = {
    "dinov2": ([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
    "clip": ([0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711]),
    "siglip": ([0.5] * 3, [0.5] * 3),
}
DINO_KEYS = ("embed_dim", "depth", "num_heads", "mlp_ratio", "patch_size", "num_registers", "ffn", "ln_eps",
             "img_size_pretrain", "interpolate_antialias", "interpolate_offset")
TOWER_KEYS = ("family", "dim", "depth", "heads", "mlp", "patch", "image", "eps", "levels", "norm_last")


def build(arch, side, gen):
    """(features(images) -> list of tensors, parameter count) for a random model of this architecture."""
    family = arch["family"]
    mean, std = MEAN_STD[family]
    if family == "dinov2":
        vcfg = {k: arch[k] for k in DINO_KEYS}
        vcfg.update(qkv_bias=True, layerscale=True)
        model = V.random_dino(vcfg, gen).eval()
        params = sum(t.numel() for t in model.state_dict().values())
        levels = list(arch["levels"])
        assert levels[-1] == arch["depth"] - 1, "forward_features_levels normalises the last block's output: the last level must be depth - 1"
        return (lambda x: model.forward_features_levels(V.preprocess(x, side, mean, std), levels)), params
    cfg = {k: arch[k] for k in TOWER_KEYS}
    sd = V.random_tower(cfg, gen)
    # the tower's own tensors: not the SigLIP MAP head, the CLIP text tower and projections, or position_ids
    params = sum(t.numel() for k, t in sd.items()
                 if k.startswith("vision_model.") and not k.startswith("vision_model.head.") and not k.endswith("position_ids"))
    return (lambda x: V.tower_features(sd, cfg, V.preprocess(x, side, mean, std))), params


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", required=True, help="architecture JSON (see the module docstring)")
    ap.add_argument("--image-size", type=int, required=True)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    gen = torch.Generator().manual_seed(a.seed)
    arch = json.loads(a.arch)
    features, params = build(arch, a.image_size, gen)
    x = torch.rand(a.batch, 3, a.image_size, a.image_size, generator=gen) * 2 - 1
    with torch.no_grad():
        shapes = [list(f.shape) for f in features(x)]   # the warm-up
        print("# torch features " + " ".join("x".join(map(str, s)) for s in shapes), flush=True)
        times = []
        for _ in range(a.reps):
            t0 = time.perf_counter()
            features(x)
            times.append(time.perf_counter() - t0)
    out = {"params": params, "batch": a.batch, "image_size": a.image_size, "threads": torch.get_num_threads(), "seconds": times,
           "shapes": shapes, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
