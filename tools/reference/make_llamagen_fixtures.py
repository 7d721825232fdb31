#!/usr/bin/python3
"""Parity fixtures for the Java LlamaGen GPT, made with tools/reference/llamagen_ref.py.

Run:
  /usr/bin/python3 tools/reference/make_llamagen_fixtures.py --config small --out llama/src/test/resources/fixtures/small
      -> OUT/g4  (dim 64, 2 layers, 4 heads x 16, vocab 64, grid 4 = 16 tokens, 10 classes, ffn 128)
         OUT/g16 (dim 32, 2 layers, 2 heads x 16, vocab 128, grid 16 = 256 tokens, 10 classes,
                  ffn = find_multiple(int(2*4*32/3), multiple_of=32) = 96)
  /usr/bin/python3 tools/reference/make_llamagen_fixtures.py --config GPT-B --out /tmp/gptb
      -> full-size GPT-B with the official N(0, 0.02) init (output.weight also N(0, 0.02) instead of
         zeros, so that logits are not all zero); for the opt-in heavy test, not committed.

Each folder holds gpt.pt (a training checkpoint {"model", "ema", "optimizer": {}, "steps": 100,
"args": argparse.Namespace}), .npy arrays (float32 / int64, C order) and manifest.json, which describes
the config, every array and every case. All outputs are computed in float32 on CPU from the "ema"
weights (the official VFMTok sampler loads "ema" when present; "model" holds different weights).
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import torch

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import llamagen_ref as ref  # noqa: E402


# ------------------------------------------------------------------------------------------------
# Configs
# ------------------------------------------------------------------------------------------------
SMALL_CONFIGS = {
    'g4': dict(args=dict(dim=64, n_layer=2, n_head=4, ffn_dim=128, vocab_size=64, block_size=16, num_classes=10),
               std=0.2, emb_std=1.0, seed=4,  # seed chosen for wide greedy margins (>= 7e-3)
               train_classes=[2, 7, 10], gen_classes=[0, 3, 7, 9], record_steps=4,
               cases=[dict(cfg_scale=1.0), dict(cfg_scale=1.5), dict(cfg_scale=1.5, cfg_interval=5),
                      dict(cfg_scale=3.0)],
               sampled=dict(cfg_scale=1.5, temperature=0.8, top_k=8, top_p=0.9)),
    'g16': dict(args=dict(dim=32, n_layer=2, n_head=2, multiple_of=32, vocab_size=128, block_size=256,
                          num_classes=10),
                std=0.25, emb_std=1.0, seed=4,  # margins >= 2.5e-3
                train_classes=[4, 10], gen_classes=[1, 5], record_steps=4,
                cases=[dict(cfg_scale=1.0), dict(cfg_scale=1.5)],
                sampled=None),
}

GPTB_CONFIG = dict(std=None, emb_std=None, seed=2024, train_classes=[207, 1000], gen_classes=[207, 88],
                   record_steps=4, cases=[dict(cfg_scale=1.0), dict(cfg_scale=1.5)], sampled=None)


# ------------------------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------------------------
class Writer:
    """Writes .npy files into a folder and describes them in the manifest."""

    def __init__(self, out):
        self.out = out
        os.makedirs(out, exist_ok=True)
        self.arrays = {}

    def add(self, name, tensor, desc):
        a = tensor.detach().cpu().numpy() if torch.is_tensor(tensor) else np.asarray(tensor)
        if a.dtype in (np.float64, np.float32):
            a = a.astype(np.float32) if name != 'sample_uniforms' else a.astype(np.float64)
        elif a.dtype.kind in 'iu':
            a = a.astype(np.int64)
        a = np.ascontiguousarray(a)
        np.save(os.path.join(self.out, name + '.npy'), a)
        self.arrays[name] = dict(file=name + '.npy', dtype=str(a.dtype), shape=list(a.shape), desc=desc)


def randomize(model, gen, std, emb_std):
    """Non-trivial random weights: Linear N(0, std), embeddings N(0, emb_std), norm weights 1 + N(0, 0.1).
    std None: the official init (N(0, 0.02) everywhere) but output.weight N(0, 0.02) too."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith('norm.weight'):
                s, mean = (0.0 if std is None else 0.1), 1.0
            elif 'embedding' in name:
                s, mean = (0.02 if emb_std is None else emb_std), 0.0
            else:
                s, mean = (0.02 if std is None else std), 0.0
            p.copy_(torch.randn(p.shape, generator=gen) * s + mean)


def train_namespace(name, a: ref.ModelArgs, custom: bool):
    """argparse.Namespace like VFMTok/LlamaGen train_c2i.py's (the checkpoint's "args")."""
    ns = argparse.Namespace(
        code_path='imagenet/lmdb/train_lmdb', cloud_save_path='output', no_local_save=False,
        gpt_model=name, gpt_ckpt=None, gpt_type='c2i', vocab_size=a.vocab_size, ema=True,
        cls_token_num=a.cls_token_num, dropout_p=0.1, token_dropout_p=0.1, drop_path_rate=0.0,
        no_compile=False, results_dir='output', dataset='imagenet_code', image_size=336 if not custom else a.grid * 16,
        downsample_size=16, num_classes=a.num_classes, epochs=300, lr=1e-4, weight_decay=5e-2, beta1=0.9,
        beta2=0.95, max_grad_norm=1.0, global_batch_size=512, global_seed=0, num_workers=4, log_every=1,
        ckpt_every=10000, gradient_accumulation_steps=1, mixed_precision='bf16', latent_size=a.grid,
        vq_model='VQ-16', vq_ckpt='DINOv2/tokenizer/vfmtok-tokenizer.pt', anno_file='imagenet/lmdb/train_lmdb')
    if custom:  # not in the official args: the dims of the custom config
        ns.dim, ns.n_layer, ns.n_head, ns.ffn_dim = a.dim, a.n_layer, a.n_head, a.hidden_dim
        ns.multiple_of = a.multiple_of
    return ns


def max_abs(x, y):
    return float((x - y).abs().max())


@torch.no_grad()
def guided_full_logits(model, cls, seq, cfg, interval):
    """Logits (B, N, V) that generate() combines at each step, recomputed with full forwards over the
    generated sequence: CFG for tokens t <= interval + 1 (prefill and decode steps i <= interval), else cond."""
    seq = seq.long()
    lc = model.forward_full(cls, seq[:, :-1])
    if cfg <= 1.0:
        return lc
    lu = model.forward_full(torch.full_like(cls, model.num_classes), seq[:, :-1])
    guided = lu + (lc - lu) * cfg
    if interval > -1:
        t = torch.arange(seq.shape[1]).view(1, -1, 1)
        guided = torch.where(t <= interval + 1, guided, lc)
    return guided


# ------------------------------------------------------------------------------------------------
# One fixture folder
# ------------------------------------------------------------------------------------------------
def make(name, a: ref.ModelArgs, spec, out, custom):
    torch.manual_seed(spec['seed'])
    gen = torch.Generator().manual_seed(spec['seed'])
    w = Writer(out)
    cases = {}
    checks = {}

    # --- weights: "model" and a different "ema"; outputs use "ema"
    model = ref.Transformer(a)
    randomize(model, gen, spec['std'], spec['emb_std'])
    sd_model = {k: v.clone() for k, v in model.state_dict().items()}
    noise = 0.002 if spec['std'] is None else 0.05
    sd_ema = {k: (v + torch.randn(v.shape, generator=gen) * noise).clone() for k, v in sd_model.items()}
    ckpt = {'model': sd_model, 'ema': sd_ema, 'optimizer': {}, 'steps': 100,
            'args': train_namespace(name, a, custom)}
    torch.save(ckpt, os.path.join(out, 'gpt.pt'))
    ckpt = torch.load(os.path.join(out, 'gpt.pt'), map_location='cpu')
    model = ref.Transformer(a)
    assert ref.load_weights(model, ckpt, prefer_ema=True, strict=True) == 'ema'
    model.eval()
    N, V = a.block_size, a.vocab_size

    # --- (a) full-sequence (training-style) logits
    B = len(spec['train_classes'])
    cls = torch.tensor(spec['train_classes'], dtype=torch.long)
    codes = torch.randint(0, V, (B, N), generator=gen)
    with torch.no_grad():
        logits_full = model.forward_full(cls, codes[:, :-1])  # (B, N, V)
        loss = torch.nn.functional.cross_entropy(logits_full.reshape(-1, V), codes.reshape(-1))
    w.add('train_classes', cls, '(B,) class labels; num_classes = the null class')
    w.add('train_codes', codes, '(B, N) code sequence z_0..z_{N-1}')
    w.add('logits_full', logits_full,
          '(B, N, V) logits of one causal forward of [cls_emb(c), tok_emb(z_0..z_{N-2})]; [:, t] predicts z_t')
    cases['full'] = dict(classes=spec['train_classes'], loss=float(loss),
                         desc='training-style forward, no dropout; loss = mean cross-entropy vs train_codes')

    # --- (b) teacher-forced KV-cache decode of the same sequence
    logits_kv = ref.kv_teacher_forced_logits(model, cls, codes)  # (B, N, V)
    w.add('logits_kv', logits_kv, '(B, N, V) per-step logits of a KV-cache decode (prefill at pos 0, then '
                                  'codes[:, t-1] at pos t), cache length find_multiple(1+N, 8)')
    checks['kv_vs_full_max_abs_diff'] = max_abs(logits_kv, logits_full)
    checks['logits_full_std'] = float(logits_full.std())
    checks['cache_length'] = ref.find_multiple(1 + N, 8)

    # --- (c) greedy generation (top_k = 1, argmax) for several cfg settings
    gcls = torch.tensor(spec['gen_classes'], dtype=torch.long)
    w.add('gen_classes', gcls, '(B,) class labels for generation')
    for case in spec['cases']:
        cfg, interval = case['cfg_scale'], case.get('cfg_interval', -1)
        tag = f"greedy_cfg{cfg:g}" + (f"_int{interval}" if interval > -1 else '')
        rec = ref.StepRecorder(max_steps=spec['record_steps'])
        seq = ref.generate(model, gcls, N, cfg_scale=cfg, cfg_interval=interval, recorder=rec,
                           temperature=1.0, top_k=1, top_p=1.0, sample_logits=False)
        model.clear_caches()
        w.add(tag + '_codes', seq, f'(B, N) greedy codes, cfg_scale {cfg}, cfg_interval {interval}')
        w.add(tag + '_logits', torch.stack(rec.logits),
              f'(steps, B, V) logits after CFG combination (before temperature/top-k) of the first '
              f'{len(rec.logits)} steps (step 0 = prefill)')
        distinct = int(torch.unique(seq).numel())
        cases[tag] = dict(cfg_scale=cfg, cfg_interval=interval, temperature=1.0, top_k=1, top_p=1.0,
                          sample_logits=False, classes=spec['gen_classes'], steps=N,
                          recorded_steps=len(rec.logits), distinct_codes=distinct)
        # cross-check: greedy codes, teacher-forced through the full forward (no cache), are the argmax of
        # the CFG-combined logits at every step (guards the cache path, CFG batching and cfg_interval)
        lc = guided_full_logits(model, gcls, seq, cfg, interval)
        agree = bool((lc.argmax(-1) == seq.long()).all())
        sorted_l = lc.sort(-1, descending=True).values
        cases[tag]['argmax_of_full_forward_agrees'] = agree
        margins = sorted_l[..., 0] - sorted_l[..., 1]  # (B, N)
        cases[tag]['min_top1_margin'] = float(margins.min())
        w.add(tag + '_margins', margins, '(B, N) top-1 minus top-2 of the combined logits at each step: where '
                                         'it is tiny a float32 re-implementation may pick the other code')
        assert agree, tag

    # --- (e) sampling with temperature / top-k / top-p and injected uniforms instead of multinomial
    if spec.get('sampled'):
        s = spec['sampled']
        nb = len(spec['gen_classes'])
        u = torch.rand((N, nb), generator=gen, dtype=torch.float64) * 0.98 + 0.01
        rec = ref.StepRecorder(max_steps=spec['record_steps'], uniforms=u)
        seq = ref.generate(model, gcls, N, cfg_scale=s['cfg_scale'], cfg_interval=-1, recorder=rec,
                           temperature=s['temperature'], top_k=s['top_k'], top_p=s['top_p'])
        model.clear_caches()
        lc = guided_full_logits(model, gcls, seq, s['cfg_scale'], -1)  # (B, N, V)
        probs = torch.stack([ref.sample(lc[:, t:t + 1].clone(), temperature=s['temperature'], top_k=s['top_k'],
                                        top_p=s['top_p'], sample_logits=False)[1] for t in range(N)], 1)
        again = torch.stack([ref.inverse_cdf(probs[:, t], u[t])[:, 0] for t in range(N)], 1)
        cdf = torch.cumsum(probs.double(), -1)
        gap = (cdf - u.t()[..., None] * cdf[..., -1:]).abs().min()
        checks['sampled_full_forward_agrees'] = bool((again == seq.long()).all())
        checks['sampled_min_cdf_gap'] = float(gap)
        assert checks['sampled_full_forward_agrees']
        w.add('sample_uniforms', u, '(N, B) float64 uniforms, one per step and batch row')
        w.add('sampled_codes', seq, '(B, N) codes sampled with the uniforms (inverse CDF, see manifest)')
        w.add('sampled_logits', torch.stack(rec.logits), '(steps, B, V) logits after CFG, first steps')
        w.add('sampled_probs', torch.stack(rec.probs),
              '(steps, B, V) probabilities after temperature, top-k, top-p and softmax, first steps')
        cases['sampled'] = dict(s, cfg_interval=-1, classes=spec['gen_classes'], steps=N,
                                recorded_steps=len(rec.logits),
                                sampler='inverse CDF: first index i with cumsum(probs)[i] >= u * sum(probs), '
                                        'cumsum in float64 over the vocabulary in index order')

    # --- (d) RoPE table of this config
    w.add('freqs_cis', model.freqs_cis, f'(1 + N, hd/2, 2) RoPE (cos, sin); row 0 (class token) zeros')
    w.add('rope_angles', ref.rope_angles_2d(a.grid, a.head_dim, a.rope_base),
          '(N, hd/2) float32 angles behind freqs_cis rows 1..N')

    # --- check values of MODEL-SPEC §2.4 (head dim 64, grid 16, cell (3, 7))
    row, ang = ref.rope_check_values(64, 16, (3, 7))
    w.add('rope_hd64_cell3_7', row, '(32, 2) (cos, sin) of the hd-64 grid-16 RoPE row of cell (3,7) = position 56')
    checks['rope_hd64_cell3_7'] = dict(position=1 + 3 * 16 + 7, angle_mod_2pi={
        str(p): float(ang[p]) for p in (0, 1, 16, 31)}, spec={'0': 3.0, '1': 1.68702, '16': 0.71681, '31': 0.00124})

    manifest = dict(
        name=name,
        generator='tools/reference/make_llamagen_fixtures.py (reference: tools/reference/llamagen_ref.py)',
        torch_version=torch.__version__,
        config=a.to_dict(),
        checkpoint=dict(file='gpt.pt', weights_used='ema', top_level_keys=['model', 'ema', 'optimizer', 'steps', 'args'],
                        state_dict_keys=list(sd_ema.keys()),
                        init=('official N(0,0.02), output.weight N(0,0.02)' if spec['std'] is None else
                              f"Linear N(0,{spec['std']}), embeddings N(0,{spec['emb_std']}), norms 1+N(0,0.1)")
                        + f"; ema = model + N(0,{noise})",
                        params=ref.count_params(model)),
        arrays=w.arrays, cases=cases, checks=checks)
    with open(os.path.join(out, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=1)
    total = sum(os.path.getsize(os.path.join(out, x)) for x in os.listdir(out))
    print(f"{name}: wrote {out} ({total / 1024:.0f} KiB); kv-vs-full max |diff| "
          f"{checks['kv_vs_full_max_abs_diff']:.3g}, logits std {checks['logits_full_std']:.3g}, loss {float(loss):.4f}")
    for k, c in cases.items():
        if 'distinct_codes' in c:
            print(f"  {k}: distinct codes {c['distinct_codes']}, min top-1 margin {c['min_top1_margin']:.3g}")
    if 'sampled_min_cdf_gap' in checks:
        print(f"  sampled: min |cdf - u| {checks['sampled_min_cdf_gap']:.3g}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--config', required=True,
                    help="'small' (g4 and g16), 'g4', 'g16', or an official config name such as GPT-B")
    ap.add_argument('--out', required=True, help='output folder')
    ap.add_argument('--threads', type=int, default=0, help='torch threads (0: torch default)')
    ap.add_argument('--seed', type=int, default=None, help='override the config seed (exploration only)')
    args = ap.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    if args.config in ('small', 'g4', 'g16'):
        names = ['g4', 'g16'] if args.config == 'small' else [args.config]
        for n in names:
            spec = dict(SMALL_CONFIGS[n])
            if args.seed is not None:
                spec['seed'] = args.seed
            make(n, ref.ModelArgs(**spec['args']), spec, os.path.join(args.out, n), custom=True)
    elif args.config in ref.GPT_CONFIGS:
        make(args.config, ref.model_args(args.config), GPTB_CONFIG, args.out, custom=False)
    else:
        ap.error(f'unknown config {args.config}')


if __name__ == '__main__':
    main()
