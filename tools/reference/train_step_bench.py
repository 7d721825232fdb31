#!/usr/bin/python3
"""Training throughput of the PyTorch references at the demo geometry (the comparison for ./vfm bench train).

Tokenizer: VFMTok at 24 px (tools/reference/vfmtok_ref.py with the demo config of TokenizerConfigs.demo()),
one step = frozen VFM forward (no grad), encoder, quantizer with straight-through, both decoder branches,
pixel decoder, 2xMSE + vq + 0.25 commit + cosine semantic loss, backward, Adam step.
AR: LlamaGen GPT (tools/reference/llamagen_ref.py) dim 64, 2 layers, 4 heads, FFN 176, vocab 128, 10 classes,
16 tokens, training mode (dropouts on), cross-entropy, backward, AdamW step.

Run: /usr/bin/python3 tools/reference/train_step_bench.py [--threads 2] [--steps 30]
Prints one JSON line per model: {"model", "batch", "step_ms", "images_per_s" | "tokens_per_s"}.
"""
import argparse
import copy
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import vfmtok_ref as V  # noqa: E402
import llamagen_ref as L  # noqa: E402


def demo_config():
    with open(os.path.join(HERE, "small_config.json")) as f:
        cfg = json.load(f)
    cfg["image_size"] = 24
    v = cfg["vfm"]
    v.update(embed_dim=32, depth=4, num_heads=2, mlp_ratio=4.0, patch_size=4, num_registers=0, ffn="mlp",
             levels=[0, 1, 2, 3], img_size_pretrain=24)
    cfg["encoder"].update(dim=32, depth=1, heads=2, ffn_dim=64, n_levels=4, n_points=2, n_carrier=16)
    cfg.update(codebook_size=128, codebook_embed_dim=8, codebook_used_len=1024)
    cfg["decoder"].update(dim=32, depth=2, heads=2, mlp_dim=96, patch_size=4, num_registers=4, pos_grid=6, proj_dim=32)
    cfg["pixel_decoder"].update(ch=8, ch_mult=[1, 2, 2], num_res_blocks=1, z_channels=32, gn_groups=4)
    der = V.derived(cfg)
    for k in ("vfm", "encoder", "decoder", "pixel_decoder"):
        cfg[k]["derived"] = der[k]
    return cfg


def tokenizer_step(model, opt, x):
    enc = model.encode_transformer
    latent = enc.backbone(x)                                   # no grad inside
    kv = enc.kv_features(latent)
    slots = enc.transformer(enc.anchors(x.shape[0]), enc.slots_pos, kv)
    z = model.pre_slots_quant(slots)
    zn = F.normalize(z, p=2, dim=-1)
    idx = torch.argmin(model.slot_quantize.distances(z), dim=1)
    zq = model.slot_quantize.codebook()[idx].view(zn.shape)
    vq = torch.mean((zq - zn.detach()) ** 2)
    commit = 0.25 * torch.mean((zq.detach() - zn) ** 2)
    st = zn + (zq - zn).detach()
    img, _, _, pred = model.decode(st, vfm_branch=True)
    sem = (1 - F.cosine_similarity(pred, latent[-1], dim=2, eps=1e-6)).mean()
    loss = 2 * F.mse_loss(img, x) + vq + commit + sem
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    opt.zero_grad(set_to_none=True)
    return loss.item()


def ar_step(model, opt, labels, codes):
    _, loss = model(codes[:, :-1], labels, targets=codes)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    opt.zero_grad(set_to_none=True)
    return loss.item()


def timed(step, steps, warmup):
    for _ in range(warmup):
        step()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - t0) / steps


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--tok-batch", type=int, default=12)
    ap.add_argument("--ar-batch", type=int, default=64)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)

    model = V.VQModel(demo_config()).train()
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-4, betas=(0.9, 0.95))
    x = torch.rand(a.tok_batch, 3, 24, 24) * 2 - 1
    s = timed(lambda: tokenizer_step(model, opt, x), a.steps, a.warmup)
    print(json.dumps({"model": "tokenizer-demo", "framework": "pytorch " + torch.__version__, "threads": a.threads,
                      "batch": a.tok_batch, "step_ms": round(1000 * s, 2), "images_per_s": round(a.tok_batch / s, 1)}))

    args = L.ModelArgs(dim=64, n_layer=2, n_head=4, ffn_dim=176, vocab_size=128, num_classes=10, block_size=16)
    gpt = L.Transformer(args).train()
    decay = [p for p in gpt.parameters() if p.dim() >= 2]
    no_decay = [p for p in gpt.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=1e-4, betas=(0.9, 0.95))
    labels = torch.randint(0, 10, (a.ar_batch,))
    codes = torch.randint(0, 128, (a.ar_batch, 16))
    s = timed(lambda: ar_step(gpt, opt, labels, codes), a.steps, a.warmup)
    print(json.dumps({"model": "gpt-demo", "framework": "pytorch " + torch.__version__, "threads": a.threads,
                      "batch": a.ar_batch, "step_ms": round(1000 * s, 2), "tokens_per_s": round(a.ar_batch * 16 / s, 1)}))


if __name__ == "__main__":
    main()
