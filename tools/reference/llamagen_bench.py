#!/usr/bin/python3
"""CPU generation speed of the PyTorch reference (eager, fp32, KV cache) for the Java comparison.

Run (OpenBLAS with OpenMP, 2 threads):
  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp \\
    /usr/bin/python3 tools/reference/llamagen_bench.py --models GPT-B,GPT-L --batches 1,8 --cfgs 1.0,1.5
  quick check: ... llamagen_bench.py --models GPT-B --batches 1 --cfgs 1.0 --steps 32

Weights: the official init (N(0, 0.02)) with output.weight N(0, 0.02) too; sampling: multinomial,
temperature 1, no top-k/top-p (the official sample_c2i_ddp defaults apart from cfg). The cache is
set up for 1 + 256 tokens (264 slots) whatever --steps is, as in a full run.

Reported per (model, batch, cfg): seconds for prefill + (steps-1) decode steps, image tokens/s
(= batch * steps / s; with CFG each token costs two rows), forward rows/s (= batch_eff * steps / s),
and s/image extrapolated to 256 tokens (= s / steps * 256 / batch).
"""
import argparse
import os
import sys

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument('--models', default='GPT-B,GPT-L')
ap.add_argument('--batches', default='1,8')
ap.add_argument('--cfgs', default='1.0,1.5', help='cfg scales; > 1 doubles the batch ([cond; uncond])')
ap.add_argument('--steps', type=int, default=256, help='tokens to generate per image (256 = a full image)')
ap.add_argument('--warmup', type=int, default=4, help='warm-up tokens before each timed run')
ap.add_argument('--threads', type=int, default=2)
ap.add_argument('--json', default=None, help='also write the results here')
args = ap.parse_args()

# thread counts must be in the environment before torch / the BLAS load
for var in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ[var] = str(args.threads)

import json  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import llamagen_ref as ref  # noqa: E402


def loaded_blas():
    """Shared libraries of BLAS/LAPACK/OpenMP mapped into this process."""
    libs = set()
    with open('/proc/self/maps') as f:
        for line in f:
            path = line.split()[-1]
            base = os.path.basename(path)
            if any(s in base for s in ('blas', 'lapack', 'mkl', 'omp', 'gomp')):
                libs.add(os.path.realpath(path) if os.path.exists(path) else path)
    return sorted(libs)


def build(name):
    torch.manual_seed(0)
    model = ref.Transformer(ref.model_args(name))
    with torch.no_grad():
        model.output.weight.normal_(0.0, 0.02)
    return model.eval()


@torch.no_grad()
def timed_generate(model, batch, cfg, steps):
    """generate() with the cache sized for a full image; returns seconds."""
    cond = torch.arange(batch) % model.num_classes
    setup = model.setup_caches

    def setup_full(max_batch_size, max_seq_length, dtype):  # keep the 264-slot cache of a full run
        setup(max_batch_size, max(max_seq_length, 1 + model.block_size), dtype)

    model.setup_caches = setup_full
    try:
        t0 = time.perf_counter()
        ref.generate(model, cond, steps, cfg_scale=cfg, temperature=1.0, top_k=0, top_p=1.0, sample_logits=True)
        return time.perf_counter() - t0
    finally:
        model.setup_caches = setup
        model.clear_caches()


def main():
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    torch.randn(64, 64) @ torch.randn(64, 64)  # make sure the BLAS is loaded
    print(torch.__config__.show())
    print(torch.__config__.parallel_info())
    print('torch', torch.__version__, '| threads', torch.get_num_threads(),
          '| LD_LIBRARY_PATH', os.environ.get('LD_LIBRARY_PATH', ''))
    print('BLAS/OpenMP libraries mapped:')
    for lib in loaded_blas():
        print('  ', lib)
    try:
        print('load average', open('/proc/loadavg').read().split()[:3], '| cpus', os.cpu_count())
    except OSError:
        pass

    results = []
    print(f"\n{'model':6s} {'batch':>5s} {'cfg':>4s} {'steps':>5s} {'seconds':>9s} {'img tok/s':>10s} "
          f"{'rows/s':>8s} {'s/image(256)':>13s}")
    for name in args.models.split(','):
        model = build(name)
        for batch in [int(b) for b in args.batches.split(',')]:
            for cfg in [float(c) for c in args.cfgs.split(',')]:
                if args.warmup > 0:
                    timed_generate(model, batch, cfg, args.warmup)
                s = timed_generate(model, batch, cfg, args.steps)
                b_eff = batch * (2 if cfg > 1.0 else 1)
                r = dict(model=name, batch=batch, cfg=cfg, steps=args.steps, seconds=s,
                         tokens_per_s=batch * args.steps / s, rows_per_s=b_eff * args.steps / s,
                         s_per_image=s / args.steps * 256 / batch, threads=args.threads)
                results.append(r)
                print(f"{name:6s} {batch:5d} {cfg:4.1f} {args.steps:5d} {s:9.2f} {r['tokens_per_s']:10.2f} "
                      f"{r['rows_per_s']:8.2f} {r['s_per_image']:13.2f}", flush=True)
        del model
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(dict(torch=torch.__version__, blas=loaded_blas(), results=results), f, indent=1)


if __name__ == '__main__':
    main()
