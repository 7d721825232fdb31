#!/usr/bin/python3
"""Independent checks of tools/reference/llamagen_ref.py (no official code needed).

Run: /usr/bin/python3 tools/reference/selftest_llamagen.py [CHECKPOINT_DIR]
     (default: llama/src/test/resources/fixtures/small/g4; uses gpt.pt and manifest.json there)

1. a naive float64 numpy forward written from MODEL-SPEC §2 (per-position loops, RoPE from the angle
   formula, explicit causal softmax) against Transformer.forward_full;
2. the official forward() path in training mode (dropouts off) against forward_full;
3. RoPE as complex multiplication against apply_rotary_emb, and the zeroed class-token q/k;
4. top-k / top-p filtering against a direct numpy statement of the rules (with ties);
5. the stored fixtures reproduce (logits_full, greedy codes) when recomputed from gpt.pt.
"""
import json
import math
import os
import sys

import numpy as np
import torch

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import llamagen_ref as ref  # noqa: E402

FAILS = []


def check(name, ok, detail=''):
    print(f"{'OK  ' if ok else 'FAIL'} {name} {detail}")
    if not ok:
        FAILS.append(name)


def naive_forward(sd, a: ref.ModelArgs, cls, codes):
    """float64 numpy: cls int, codes (N-1,) -> logits (N, V)."""
    g = {k: v.double().numpy() for k, v in sd.items()}
    D, H, hd, G = a.dim, a.n_head, a.head_dim, a.grid
    x = np.concatenate([g['cls_embedding.embedding_table.weight'][cls][None],
                        g['tok_embeddings.weight'][codes]], 0)  # (N, D)
    N = x.shape[0]

    def rms(v, w):
        return v / np.sqrt((v * v).mean(-1, keepdims=True) + a.norm_eps) * w

    def rope(v, pos):  # v (hd,), sequence position pos
        if pos == 0:
            return np.zeros_like(v)
        i, j = divmod(pos - 1, G)
        out = np.empty_like(v)
        q = hd // 4
        for m in range(hd // 2):
            f = a.rope_base ** (-(2 * (m % q)) / (hd // 2))
            ang = (i if m < q else j) * f
            c, s = math.cos(ang), math.sin(ang)
            out[2 * m] = v[2 * m] * c - v[2 * m + 1] * s
            out[2 * m + 1] = v[2 * m + 1] * c + v[2 * m] * s
        return out

    for li in range(a.n_layer):
        p = f'layers.{li}.'
        hn = rms(x, g[p + 'attention_norm.weight'])
        qkv = hn @ g[p + 'attention.wqkv.weight'].T  # (N, 3D)
        q, k, v = qkv[:, :D], qkv[:, D:2 * D], qkv[:, 2 * D:]
        att_out = np.zeros((N, D))
        for h in range(H):
            sl = slice(h * hd, (h + 1) * hd)
            qh = np.stack([rope(q[t, sl], t) for t in range(N)])
            kh = np.stack([rope(k[t, sl], t) for t in range(N)])
            for t in range(N):
                sc = kh[:t + 1] @ qh[t] / math.sqrt(hd)
                w = np.exp(sc - sc.max())
                w /= w.sum()
                att_out[t, sl] = w @ v[:t + 1, sl]
        x = x + att_out @ g[p + 'attention.wo.weight'].T
        hn = rms(x, g[p + 'ffn_norm.weight'])
        a1 = hn @ g[p + 'feed_forward.w1.weight'].T
        a3 = hn @ g[p + 'feed_forward.w3.weight'].T
        x = x + (a1 / (1 + np.exp(-a1)) * a3) @ g[p + 'feed_forward.w2.weight'].T
    return rms(x, g['norm.weight']) @ g['output.weight'].T


def naive_filter(logits, top_k, top_p):
    """Direct statement of the rules on one row (numpy float64 of float32 values)."""
    l = logits.astype(np.float64).copy()
    if top_k > 0:
        kth = np.sort(l)[::-1][top_k - 1]
        l[l < kth] = -np.inf
    if top_p < 1.0:
        order = np.argsort(-l, kind='stable')
        p = np.exp(l[order] - l[order][0])
        p /= p.sum()
        cum = np.cumsum(p)
        remove = cum > top_p
        remove[1:] = remove[:-1].copy()
        remove[0] = False
        l[order[remove]] = -np.inf
    return l


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    d = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, '../../llama/src/test/resources/fixtures/small/g4')
    man = json.load(open(os.path.join(d, 'manifest.json')))
    c = man['config']
    a = ref.ModelArgs(**{k: c[k] for k in ('dim', 'n_layer', 'n_head', 'ffn_dim', 'multiple_of', 'vocab_size',
                                         'block_size', 'num_classes', 'rope_base', 'norm_eps')})
    ckpt = torch.load(os.path.join(d, 'gpt.pt'), map_location='cpu')
    model = ref.Transformer(a)
    ref.load_weights(model, ckpt)
    model.eval()
    sd = ckpt['ema']
    N = a.block_size
    codes = torch.from_numpy(np.load(os.path.join(d, 'train_codes.npy')))
    cls = torch.from_numpy(np.load(os.path.join(d, 'train_classes.npy')))

    # 1. naive float64 forward (first batch row; all rows for short sequences)
    with torch.no_grad():
        full = model.forward_full(cls, codes[:, :-1]).double().numpy()
    rows = range(len(cls)) if N <= 16 else range(1)
    err = max(np.abs(naive_forward(sd, a, int(cls[b]), codes[b, :-1].numpy()) - full[b]).max() for b in rows)
    check('naive float64 forward == forward_full', err < 1e-4, f'max |diff| {err:.3g}')

    # 2. official forward() training path with dropouts off
    model.train()
    for m in model.modules():
        if isinstance(m, torch.nn.Dropout):
            m.p = 0.0
    model.cls_embedding.dropout_prob = 0.0  # keeps the null row, disables random label drop
    with torch.no_grad():
        lt, loss = model(codes[:, :-1], cls, targets=codes)
    model.eval()
    model.cls_embedding.dropout_prob = a.class_dropout_prob
    err = float((lt.double() - torch.from_numpy(full)).abs().max())
    check('official training forward == forward_full', err < 1e-5, f'max |diff| {err:.3g}')
    check('loss matches manifest', abs(float(loss) - man['cases']['full']['loss']) < 1e-5,
          f"{float(loss):.6f} vs {man['cases']['full']['loss']:.6f}")

    # 3. RoPE as complex rotation; class row zeros q/k
    x = torch.randn(2, N + 1, a.n_head, a.head_dim)
    out = ref.apply_rotary_emb(x, model.freqs_cis)
    ang = ref.rope_angles_2d(a.grid, a.head_dim, a.rope_base).double()  # (N, hd/2)
    xc = torch.complex(x[..., 0::2].double(), x[..., 1::2].double())[:, 1:]
    rc = xc * torch.polar(torch.ones_like(ang), ang)[None, :, None, :]
    want = torch.stack([rc.real, rc.imag], -1).flatten(3)
    err = float((out[:, 1:].double() - want).abs().max())
    check('RoPE == complex rotation by angles', err < 1e-5, f'max |diff| {err:.3g}')
    check('RoPE zeroes the class position', float(out[:, 0].abs().max()) == 0.0)
    check('RoPE table shape', tuple(model.freqs_cis.shape) == (N + 1, a.head_dim // 2, 2))

    # 4. top-k / top-p
    g = torch.Generator().manual_seed(0)
    ok = True
    for top_k, top_p in [(1, 1.0), (5, 1.0), (0, 0.7), (8, 0.9), (3, 0.5), (0, 0.999)]:
        lg = torch.randn(4, 50, generator=g) * 2
        lg[0, :6] = lg[0, 10]  # ties at the k-th value
        got = ref.top_k_top_p_filtering(lg.clone(), top_k=top_k, top_p=top_p).numpy()
        for r in range(4):
            exp = naive_filter(lg[r].numpy(), top_k, top_p)
            ok &= bool(np.array_equal(np.isinf(got[r]), np.isinf(exp)))
    check('top-k / top-p filtering == direct rules', ok)

    # 5. fixtures reproduce
    stored = np.load(os.path.join(d, 'logits_full.npy'))
    check('logits_full reproduces', np.array_equal(stored, full.astype(np.float32)))
    gcls = torch.from_numpy(np.load(os.path.join(d, 'gen_classes.npy')))
    for tag, case in man['cases'].items():
        if not tag.startswith('greedy'):
            continue
        seq = ref.generate(model, gcls, N, cfg_scale=case['cfg_scale'], cfg_interval=case['cfg_interval'],
                           top_k=1, sample_logits=False)
        check(f'{tag} codes reproduce', np.array_equal(seq.long().numpy(), np.load(os.path.join(d, tag + '_codes.npy'))))
    print('ALL OK' if not FAILS else f'{len(FAILS)} FAILED: {FAILS}')
    return not FAILS


if __name__ == '__main__':
    sys.exit(0 if main() else 1)
