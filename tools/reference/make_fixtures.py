#!/usr/bin/python3
"""Writes VFMTok parity fixtures from the plain-PyTorch reference (vfmtok_ref.py).

    /usr/bin/python3 tools/reference/make_fixtures.py --config small --out vfmtok/src/test/resources/fixtures/small
    /usr/bin/python3 tools/reference/make_fixtures.py --config full --out /tmp/vfm_full [--images 1]
    /usr/bin/python3 tools/reference/make_fixtures.py --check-counts

Everything runs on the CPU in float32 with torch.set_num_threads(2) and fixed seeds, so a rerun writes
the same numbers. Output folder (see manifest.json there for every file, shape, dtype and meaning):
    dinov2.pth       DINOv2 state dict with DINOv2's own key names (torch.save(state_dict)).
    tokenizer.pt     {"model", "ema", "optimizer", "discriminator", "optimizer_disc", "steps", "args"} as
                     the official vq_train.py writes it; model/ema exclude every key containing "backbone".
                     All outputs are computed with the "ema" weights (what vqgan_test.py / test_net.py load).
    *.npy            inputs, every intermediate of the eval path, the training-branch VFM prediction, and
                     unit-level cases (pos-embed resizes, one MSDeformAttn layer).
    manifest.json    file list, shapes, dtypes, VQ distance gaps and near-ties, self-check results.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vfmtok_ref as R  # noqa: E402

FULL_COUNTS = {"tokenizer_params": 73286831, "tokenizer_buffers": 65536, "backbone_params": 304372736,
               "backbone_tensors": 344}
NEAR_TIE = 1e-5


# ------------------------------------------------------------------------------------------------
# Non-trivial random weights
# ------------------------------------------------------------------------------------------------

def randn(g, *shape):
    return torch.randn(*shape, generator=g)


# Gains on the N(0, 1/fan_in) Linear init, chosen so that the fixture exercises the data path: layers
# writing into a residual stream are damped (a random ReLU/SiLU FFN adds a component shared by all tokens
# that would otherwise swamp the token-specific part and collapse the VQ codes), while the paths that carry
# image information (deformable cross-attention, codes -> decoder memory, decoder attention) are boosted
# so that the two input images give clearly different slots, codes and pictures.
LINEAR_GAINS = [  # (name suffix, gain); first match wins
    ("cross_attn.output_proj", 1.5),
    ("post_slots_quant", None),            # None: N(0, 1) so that a unit-norm code gives O(1) features
    ("attn1.q_proj", 1.5), ("attn1.k_proj", 1.5), ("attn1.out_proj", 1.0),
    ("linear2", 0.5), ("out_proj", 0.5), ("w3", 0.5), ("fc2", 0.5), ("attn.proj", 0.5),
]


def linear_gain(name, fan_in):
    for suffix, gain in LINEAR_GAINS:
        if name.endswith(suffix):
            return 1.0 if gain is None else gain / math.sqrt(fan_in)
    return 1.0 / math.sqrt(fan_in)


@torch.no_grad()
def randomize_(model, g):
    """Weights chosen so that every layer matters and activations stay O(1): Linear/Conv ~ N(0, 1/fan_in)
    (Linear times the LINEAR_GAINS above) with N(0, 0.1) biases, norm weights 1 + N(0, 0.1) and biases N(0, 0.1), LayerScale gamma U(0.1, 1),
    learned tokens/tables N(0, 0.5^2), the codebook N(0, 1) (not normalised: lookups must normalise),
    MSDeformAttn offsets of a few pixels around the official grid init (some samples fall outside)."""
    for name, m in model.named_modules():
        if isinstance(m, nn.Linear):
            m.weight.copy_(linear_gain(name, m.in_features) * randn(g, *m.weight.shape))
            if m.bias is not None:
                m.bias.copy_(0.1 * randn(g, *m.bias.shape))
        elif isinstance(m, nn.Conv2d):
            fan_in = m.in_channels * m.kernel_size[0] * m.kernel_size[1]
            m.weight.copy_(randn(g, *m.weight.shape) / math.sqrt(fan_in))
            m.bias.copy_(0.1 * randn(g, *m.bias.shape))
        elif isinstance(m, (nn.LayerNorm, nn.GroupNorm)):
            m.weight.copy_(1 + 0.1 * randn(g, *m.weight.shape))
            m.bias.copy_(0.1 * randn(g, *m.bias.shape))
        elif isinstance(m, R.LayerScale):
            m.gamma.copy_(0.1 + 0.9 * torch.rand(m.gamma.shape, generator=g))
        elif isinstance(m, nn.Embedding):
            m.weight.copy_(randn(g, *m.weight.shape))
    for name, m in model.named_modules():
        if isinstance(m, R.MSDeformAttn):
            m.sampling_offsets.weight.copy_(randn(g, *m.sampling_offsets.weight.shape) / math.sqrt(m.d_model))
            grid = R.MSDeformAttn(m.d_model, m.n_levels, m.n_heads, m.n_points).sampling_offsets.bias
            m.sampling_offsets.bias.copy_(grid + 0.3 * randn(g, *grid.shape))
            m.attention_weights.bias.copy_(0.3 * randn(g, *m.attention_weights.bias.shape))
    dino = model.dinov2()
    for p in (dino.cls_token, dino.pos_embed, dino.register_tokens, dino.mask_token):
        p.copy_(0.5 * randn(g, *p.shape))
    enc, dec = model.encode_transformer, model.decode_transformer
    enc.carrier_tokens.copy_(randn(g, *enc.carrier_tokens.shape))
    enc.slots_pos.copy_(0.5 * randn(g, *enc.slots_pos.shape))
    for p in (dec.position_embedding, dec.slot_position_embedding, dec.mask_embedding, dec.mask_dino,
              dec.cls_token, dec.register_tokens):
        p.copy_(0.5 * randn(g, *p.shape))
    q = model.slot_quantize
    q.codebook_used.copy_(torch.randint(0, q.n_e, q.codebook_used.shape, generator=g).float())


def ema_state(model, g):
    """EMA weights: the model's values plus 1% relative noise on parameters; buffers copied."""
    params = {n for n, _ in model.named_parameters()}
    out = {}
    for k, v in model.tokenizer_state_dict().items():
        if k in params:
            scale = 0.01 * (v.std() if v.numel() > 1 else v.abs()) + 1e-3
            out[k] = (v + scale * randn(g, *v.shape)).contiguous()
        else:
            out[k] = v.clone()
    return out


def small_optimizer_state(g):
    """A real torch.optim.Adam state_dict (betas 0.9/0.95 as vq_train.py) over two tiny tensors."""
    ps = [nn.Parameter(randn(g, 3, 2)), nn.Parameter(randn(g, 2))]
    opt = torch.optim.Adam(ps, lr=1e-4, betas=(0.9, 0.95))
    with torch.enable_grad():
        (ps[0].sum() * 2 + ps[1].pow(2).sum()).backward()
    opt.step()
    return opt.state_dict()


def train_args(cfg):
    return argparse.Namespace(
        data_path="imagenet/lmdb/train_lmdb", transformer_config_file="configs/vit_transformer.yaml",
        no_local_save=False, vq_model="VQ-16", vq_ckpt=None, finetune=False, ema=True,
        codebook_size=cfg["codebook_size"], codebook_slots_embed_dim=cfg["codebook_embed_dim"],
        codebook_l2_norm=True, codebook_weight=1.0, entropy_loss_ratio=0.0, commit_loss_beta=0.25,
        reconstruction_weight=1.0, reconstruction_loss="l2", z_channels=cfg["pixel_decoder"]["z_channels"],
        warming_up_epochs=4, warming_up_init_lr=1e-7, perceptual_weight=1.0, disc_weight=0.5,
        disc_start=20000, disc_type="dinogan", disc_loss="hinge", gen_loss="softplus_g_loss", compile=False,
        dropout_p=0.0, results_dir="results_tokenizer_image", image_size=cfg["image_size"], epochs=50,
        lr=1e-4, weight_decay=5e-2, beta1=0.9, beta2=0.95, max_grad_norm=1.0, global_batch_size=16,
        global_seed=0, num_workers=16, log_every=100, ckpt_every=5000, mixed_precision="bf16",
        reference_config=cfg["name"])


# ------------------------------------------------------------------------------------------------
# Inputs
# ------------------------------------------------------------------------------------------------

def smooth_images(n, size, g):
    """n images (n, 3, size, size) in [-1, 1]: a few low-frequency sinusoids, a Gaussian blob and a soft
    edge per channel, squashed by tanh and scaled to [-0.98, 0.98] with a few pixels exactly at +-1."""
    ys, xs = torch.meshgrid(torch.linspace(0, 1, size), torch.linspace(0, 1, size), indexing="ij")
    imgs = torch.zeros(n, 3, size, size)
    for b in range(n):
        for c in range(3):
            r = lambda *s: torch.rand(*s, generator=g)  # noqa: E731
            f = torch.zeros(size, size)
            for _ in range(4):
                fx, fy, ph, a = r(1) * 3, r(1) * 3, r(1) * 6.283, 0.3 + r(1) * 0.5
                f += a * torch.sin(6.283 * (fx * xs + fy * ys) + ph)
            cx, cy, s = r(1), r(1), 0.08 + 0.2 * r(1)
            f += (r(1) * 2 - 1) * 1.5 * torch.exp(-((xs - cx) ** 2 + (ys - cy) ** 2) / (2 * s * s))
            ang = r(1) * 6.283
            f += 0.6 * torch.tanh(20 * ((xs - 0.5) * torch.cos(ang) + (ys - 0.5) * torch.sin(ang)))
            f = torch.tanh(f)
            imgs[b, c] = 0.98 * f / f.abs().max()
        imgs[b, :, 0, 0] = 1.0
        imgs[b, :, -1, -1] = -1.0
    return imgs


# ------------------------------------------------------------------------------------------------
# Checks
# ------------------------------------------------------------------------------------------------

@torch.no_grad()
def decoder_self_check(model, quant):
    """Appendix A: decoder register tokens must have zero effect; perturbing the last slot must not."""
    dec = model.decode_transformer
    q = model.post_slots_quant(quant)
    base, base_vfm = dec(q, vfm_branch=True)
    saved = dec.register_tokens.detach().clone()
    dec.register_tokens.add_(5.0 * torch.randn(saved.shape, generator=torch.Generator().manual_seed(7)))
    pert, pert_vfm = dec(q, vfm_branch=True)
    dec.register_tokens.copy_(saved)
    q2 = q.clone()
    q2[:, -1] += torch.randn(q.shape[-1], generator=torch.Generator().manual_seed(8))  # not constant: LN
    slot, slot_vfm = dec(q2, vfm_branch=True)
    res = {"register_perturbation_max_abs_diff": float((pert - base).abs().max()),
           "register_perturbation_max_abs_diff_vfm_branch": float((pert_vfm - base_vfm).abs().max()),
           "last_slot_perturbation_max_abs_diff": float((slot - base).abs().max()),
           "last_slot_perturbation_max_abs_diff_vfm_branch": float((slot_vfm - base_vfm).abs().max())}
    assert res["register_perturbation_max_abs_diff"] == 0.0, res
    assert res["register_perturbation_max_abs_diff_vfm_branch"] == 0.0, res
    assert res["last_slot_perturbation_max_abs_diff"] > 1e-3, res
    assert res["last_slot_perturbation_max_abs_diff_vfm_branch"] > 1e-3, res
    return res


def check_counts():
    t = time.time()
    model = R.VQModel(R.load_config("full"))
    nb, buf, bb = R.count_params(model)
    n_bb = sum(1 for k in model.state_dict() if "backbone" in k)
    got = {"tokenizer_params": nb, "tokenizer_buffers": buf, "backbone_params": bb, "backbone_tensors": n_bb}
    print("full-size counts:", json.dumps(got), f"({time.time() - t:.1f}s)")
    assert got == FULL_COUNTS, f"expected {FULL_COUNTS}"
    print("OK: matches MODEL-SPEC.md §1.10")


# ------------------------------------------------------------------------------------------------
# Fixture writer
# ------------------------------------------------------------------------------------------------

class Writer:
    def __init__(self, out):
        self.out, self.files = out, []
        os.makedirs(out, exist_ok=True)

    def npy(self, name, t, desc):
        a = t.detach().cpu().numpy() if torch.is_tensor(t) else np.asarray(t)
        if a.dtype == np.float64:
            a = a.astype(np.float32)
        a = np.ascontiguousarray(a)
        np.save(os.path.join(self.out, name + ".npy"), a)
        self.files.append({"file": name + ".npy", "shape": list(a.shape), "dtype": str(a.dtype), "desc": desc})

    def other(self, name, desc):
        self.files.append({"file": name, "desc": desc, "bytes": os.path.getsize(os.path.join(self.out, name))})


@torch.no_grad()
def make(cfg, out, seed, n_images):
    torch.set_num_threads(2)
    torch.manual_seed(seed)
    t0 = time.time()
    g = torch.Generator().manual_seed(seed)
    model = R.VQModel(cfg).eval()
    randomize_(model, g)
    sd_model = {k: v.clone() for k, v in model.tokenizer_state_dict().items()}
    sd_ema = ema_state(model, g)
    model.load_state_dict(sd_ema, strict=False)          # outputs use the EMA weights, as the official eval
    dino_sd = {k: v.clone() for k, v in model.dinov2().state_dict().items()}
    W = Writer(out)

    # (a) + (b) weight files
    torch.save(dino_sd, os.path.join(out, "dinov2.pth"))
    W.other("dinov2.pth", "DINOv2 state dict, DINOv2 key names (no prefix); in the tokenizer it lives under "
                          "encode_transformer.backbone.pretrained_encoder.")
    opt = small_optimizer_state(g)
    ckpt = {"model": sd_model, "optimizer": opt, "discriminator": {"placeholder.weight": randn(g, 2, 2)},
            "optimizer_disc": opt, "steps": 1234, "args": train_args(cfg), "ema": sd_ema}
    torch.save(ckpt, os.path.join(out, "tokenizer.pt"))
    W.other("tokenizer.pt", "official checkpoint layout; model/ema without backbone keys; outputs use 'ema'")
    print(f"weights written ({time.time() - t0:.1f}s)")

    # round trip: a fresh model loaded the way the official code loads (ema with strict=False, DINOv2 file
    # with strict=True) must hold exactly the tensors the outputs are computed with
    fresh = R.VQModel(cfg).eval()
    missing, unexpected = fresh.load_state_dict(torch.load(os.path.join(out, "tokenizer.pt"))["ema"], strict=False)
    assert not unexpected and all("backbone" in k for k in missing), (missing, unexpected)
    fresh.dinov2().load_state_dict(torch.load(os.path.join(out, "dinov2.pth")), strict=True)
    ref_sd = model.state_dict()
    assert all(torch.equal(v, ref_sd[k]) for k, v in fresh.state_dict().items()), "checkpoint round trip"
    del fresh, ref_sd

    # (c) inputs, (d) outputs
    x = smooth_images(n_images, cfg["image_size"], g)
    W.npy("input_images", x, "inputs (B,3,S,S) float32 in [-1,1]")
    o = model.reconstruct(x)
    print(f"forward done ({time.time() - t0:.1f}s)")
    v = cfg["vfm"]
    for i, lv in enumerate(o["levels"]):
        kind = "final norm of the last block" if i == len(o["levels"]) - 1 else f"raw residual stream after block {v['levels'][i]}"
        W.npy(f"vfm_level{i}", lv, f"VFM level {i} (B,G^2,E), CLS+registers dropped; {kind}")
    W.npy("value_flatten", o["value"], "norm_layers[l](projectors[l](level l)) concatenated over levels (B,4G^2,C)")
    W.npy("slots", o["slots"], "deformable encoder output (B,n_carrier,C)")
    W.npy("z_pre_quant", o["z"], "pre_slots_quant output (B,n,e), before l2 normalisation")
    W.npy("codes", o["codes"].long(), "VQ indices (B,n) int64, token order = anchor raster order")
    d = o["d"]
    top2 = torch.topk(d, 2, dim=1, largest=False).values
    gaps = (top2[:, 1] - top2[:, 0]).view(o["codes"].shape)
    W.npy("code_gaps", gaps, "second-best minus best VQ distance per token (B,n)")
    W.npy("z_q", o["quant"], "normalised codebook rows of the codes (B,n,e)")
    W.npy("post_quant", o["post_quant"], "post_slots_quant output (B,n,C)")
    W.npy("pixel_latent", o["pixel_latent"], "decoder ViT output grid (B,C,g,g)")
    W.npy("decoded", o["image"], "pixel decoder output (B,3,S,S) float32, not clamped")
    W.npy("decoded_uint8", o["image_uint8"], "clamp(x*127.5+128, 0, 255) truncated to uint8, NHWC (B,S,S,3)")
    tgt = round(cfg["image_size"] * 256 / 336)          # the official eval decodes 336 and resizes to 256
    resized = R.VQModel.resize_to_uint8(o["image"], tgt)
    if cfg["image_size"] <= 128:                           # cheap here: the codes-only path gives the same
        assert torch.equal(model.decode_codes_to_img(o["codes"], tgt), resized)
        assert torch.equal(model.decode_codes_to_img(o["codes"], cfg["image_size"]), o["image_uint8"])
    W.npy("decoded_uint8_resized", resized,
          f"decode_codes_to_img(codes, {tgt}): bicubic a=-0.75 resize by size (no antialias) then uint8 NHWC")
    W.npy("vfm_pred", o["vfm_pred"], "training-only branch: predicted VFM features (B,G^2,E), dropout off, "
                                     "same decoder input as the eval path")
    cos = nn.CosineSimilarity(dim=2, eps=1e-6)(o["vfm_pred"], o["levels"][-1])
    near = [{"batch": int(b), "token": int(t), "gap": float(gaps[b, t])}
            for b, t in zip(*torch.nonzero(gaps < NEAR_TIE, as_tuple=True))]

    # self-check (Appendix A)
    checks = decoder_self_check(model, o["quant"])
    print("self-check:", checks)

    # (5) unit-level cases
    unit = {}
    dino = model.dinov2()
    G = cfg["image_size"] // v["patch_size"]
    W.npy("unit_dino_pos_in", dino.pos_embed, "DINOv2 pos_embed as stored (1,1+G0^2,E)")
    W.npy("unit_dino_pos_out", R.dino_interpolate_pos(dino.pos_embed, G, G, v["interpolate_offset"], v["interpolate_antialias"]),
          f"pos table added to [CLS, patches] at {G}x{G}: {v['img_size_pretrain'] // v['patch_size']}->{G} antialiased "
          f"bicubic (scale_factor {G}/{v['img_size_pretrain'] // v['patch_size']}), CLS row kept (1,1+G^2,E)")
    gf = torch.Generator().manual_seed(seed + 100)
    full_dino = randn(gf, 1, 1 + 37 * 37, 8)
    W.npy("unit_dino_pos_full_in", full_dino, "full geometry case: random (1,1+37*37,8) table")
    W.npy("unit_dino_pos_full_out", R.dino_interpolate_pos(full_dino, 24, 24, 0.0, True),
          "37x37 -> 24x24 antialiased bicubic (scale_factor 24/37), CLS row kept (1,577,8)")
    dec = model.decode_transformer
    gd = cfg["image_size"] // cfg["decoder"]["patch_size"]
    W.npy("unit_dec_pos_in", dec.position_embedding, "decode_transformer.position_embedding (1,1+pos_grid^2,C)")
    W.npy("unit_dec_pos_out", R.decoder_pos_table(dec.position_embedding, gd, gd),
          f"decoder position table for the {gd}x{gd} grid, scale_factor ({gd}+0.1)/{cfg['decoder']['pos_grid']} (1,1+g^2,C)")
    full_dec = randn(gf, 1, 1 + 24 * 24, 8)
    W.npy("unit_dec_pos_full_in", full_dec, "full geometry case: random (1,577,8) table")
    W.npy("unit_dec_pos_full_out", R.decoder_pos_table(full_dec, 21, 21),
          "24x24 -> 21x21 bicubic a=-0.75 with scale_factor 21.1/24 (coordinate map uses 24/21.1) (1,442,8)")
    unit["dec_pos_coordinate_scale_float32"] = float(np.float32(1.0 / ((gd + 0.1) / cfg["decoder"]["pos_grid"])))
    unit["dec_pos_full_coordinate_scale_float32"] = float(np.float32(1.0 / (21.1 / 24)))

    enc = model.encode_transformer
    layer = enc.transformer.layers[0]
    kv = enc.kv_features(o["levels"])
    src, ref, value, shapes, start = enc.transformer.prepare(enc.anchors(x.shape[0]), kv)
    query = src + enc.slots_pos
    msda_out, internals = layer.cross_attn(query, ref, value, shapes, start, return_internals=True)
    W.npy("unit_msda_query", query, "MSDeformAttn case, weights = ema encode_transformer.transformer.layers.0.cross_attn; "
                                    "query = norm_pre1(carrier_tokens) + slots_pos (B,n,C)")
    W.npy("unit_msda_reference_points", ref, "reference points (B,n,L,2) as (x,y) = ((j+.5)/h, (i+.5)/h)")
    W.npy("unit_msda_value_in", value, "value input before value_proj (B,S,C) (= value_flatten)")
    W.npy("unit_msda_spatial_shapes", shapes, "(L,2) int64 (H,W) per level")
    W.npy("unit_msda_level_start_index", start, "(L+1,) int64, VFMTok appends the total")
    W.npy("unit_msda_sampling_locations", internals["sampling_locations"], "(B,n,M,L,P,2) in [0,1] units (x,y)")
    W.npy("unit_msda_attention_weights", internals["attention_weights"], "softmaxed (B,n,M,L,P)")
    W.npy("unit_msda_core", internals["core"], "ms_deform_attn_core_pytorch output before output_proj (B,n,C)")
    W.npy("unit_msda_out", msda_out, "MSDeformAttn output after output_proj (B,n,C)")
    locs = internals["sampling_locations"]
    unit["msda_fraction_samples_outside"] = float(((locs < 0) | (locs > 1)).any(-1).float().mean())
    print(f"unit cases done ({time.time() - t0:.1f}s)")

    nb, buf, bb = R.count_params(model)
    manifest = {
        "generator": "tools/reference/make_fixtures.py", "config": cfg["name"], "config_file": f"tools/reference/{cfg['name']}_config.json",
        "config_inline": {k: v for k, v in cfg.items() if k != "comment"},
        "torch": torch.__version__, "seed": seed, "threads": 2, "dtype": "float32", "device": "cpu",
        "weights_used_for_outputs": "tokenizer.pt['ema'] + dinov2.pth",
        "param_counts": {"tokenizer_params": nb, "tokenizer_buffers": buf, "backbone_params": bb},
        "checkpoint_keys": sorted(ckpt.keys()), "num_model_keys": len(sd_model), "num_dinov2_keys": len(dino_sd),
        "vq": {"min_gap": float(gaps.min()), "near_tie_threshold": NEAR_TIE, "near_ties": near},
        "semantic_cosine_loss": float((1 - cos).mean()),
        "decoded_range": [float(o["image"].min()), float(o["image"].max())],
        "self_check": checks, "unit": unit, "files": W.files,
        "total_bytes": sum(os.path.getsize(os.path.join(out, f["file"])) for f in W.files),
    }
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(f"wrote {len(W.files)} files, {manifest['total_bytes'] / 1e6:.2f} MB to {out}; "
          f"min VQ gap {manifest['vq']['min_gap']:.3g}, near ties {len(near)} ({time.time() - t0:.1f}s)")
    return manifest


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", default="small", help="small, full or a path to a config JSON")
    ap.add_argument("--out", help="output folder")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--images", type=int, default=2, help="number of input images (default 2)")
    ap.add_argument("--check-counts", action="store_true", help="assert the full-size parameter counts and exit")
    a = ap.parse_args()
    torch.set_num_threads(2)
    if a.check_counts:
        check_counts()
        if not a.out:
            return
    if not a.out:
        ap.error("--out is required")
    make(R.load_config(a.config), a.out, a.seed, a.images)


if __name__ == "__main__":
    main()
