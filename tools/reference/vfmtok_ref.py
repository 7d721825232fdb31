#!/usr/bin/python3
"""Plain-PyTorch reference of the VFMTok image tokenizer, the oracle the Java port is tested against.

README
======
What it is
    A self-contained re-implementation (torch + numpy only: no kornia, no xformers, no CUDA ops, no
    einops) of the official CVMI-Lab/VFMTok tokenizer as described in ../shared/spec/MODEL-SPEC.md §1
    and §3. Module and parameter names reproduce the official state_dict keys exactly (§1.10), so
    `VQModel.state_dict()` minus the keys containing "backbone" has the layout of the released
    `vfmtok-tokenizer.pt` ("model"/"ema"), and `VQModel.dinov2().state_dict()` has the layout of
    `dinov2_vitl14_reg4_pretrain.pth`.

    Pipeline (eval, batch B, config 'full'; shapes for 'small' in small_config.json):
        image (B,3,336,336) in [-1,1]
        -> DINOv2 ViT-L/14-reg4, 4 levels (B,576,1024)      encode_transformer.backbone.pretrained_encoder
        -> 4 projectors + norm_layers -> value (B,2304,512)  encode_transformer.{projectors,norm_layers}
        -> 6 deformable layers on 256 anchors -> (B,256,512) encode_transformer.transformer
        -> pre_slots_quant (B,256,12) -> l2 VQ -> codes (B,256)  slot_quantize
        -> codebook lookup -> post_slots_quant (B,256,512)
        -> decoder ViT (causal, 702 tokens) -> (B,512,21,21) decode_transformer
        -> pixel decoder -> (B,3,336,336)                     decoder
    Training-only branch: decoder ViT on [cls, 576 mask_dino tokens, registers] -> proj -> (B,576,1024).

Files (tools/reference/)
    vfmtok_ref.py       this module: configs, every block of the tokenizer, VQModel.reconstruct
    make_fixtures.py    random non-trivial weights -> dinov2.pth, tokenizer.pt, *.npy, manifest.json
    check_formulas.py   checks the torch calls used here against hand-written spec formulas (AA bicubic
                        a=-0.5, the 21.1/24 scale-factor bicubic, bilinear deformable sampling, ref points)
    small_config.json   the shrunk test model; full_config.json the official sizes

Usage
    /usr/bin/python3 tools/reference/make_fixtures.py --config small --out vfmtok/src/test/resources/fixtures/small
    /usr/bin/python3 tools/reference/make_fixtures.py --config full --out /tmp/vfm_full [--images 1]
        (writes ~2 GB: DINOv2-L 1.2 GB + tokenizer model/ema 0.6 GB; several minutes on 2 threads)
    /usr/bin/python3 tools/reference/make_fixtures.py --check-counts      # full-size parameter counts
    /usr/bin/python3 tools/reference/check_formulas.py

    From Python:
        import sys; sys.path.insert(0, 'tools/reference'); import vfmtok_ref as R
        cfg = R.load_config('small')           # or 'full', or a path to a JSON file
        model = R.VQModel(cfg).eval()
        model.load_state_dict(torch.load('tokenizer.pt')['ema'], strict=False)
        model.dinov2().load_state_dict(torch.load('dinov2.pth'))
        out = model.reconstruct(images)        # dict with every intermediate (see VQModel.reconstruct)

Configs
    small_config.json / full_config.json hold every architecture number. The official code hard-codes a
    few constants that the small config has to shrink; they are generalised as follows (the full config
    reproduces the official values):
        decoder.pos_grid         official position_embedding has 577 = 1 + 24*24 rows (the DINOv2 grid)
        decoder.proj_dim         official Linear(dim, 1024) (the DINOv2-L width)
        encoder.heads            official DeformableTransformerEncoder default n_heads=8
        encoder.ffn_dim          official min(4*dim, 1024)
        vfm.levels               official [5, 11, 17, 23]
        pixel_decoder.gn_groups  official GroupNorm(num_groups=32)
        codebook_used_len        official 65536
    The decoder position table is resized with scale_factor (grid + 0.1) / pos_grid exactly as the
    official Decoder.interpolate_pos_encoding does (w0 = w + 0.1; scale = w0 / sqrt(N)).

Sources and decisions (official files read: CVMI-Lab/VFMTok vfmtok/core/layers.py (Encoder/Decoder),
vfmtok/modules/encoders/pretrained_enc_arch.py, vq_train.py, vqgan_test.py; the identical tokenizer copy in
CVMI-Lab/VFMTok-RAR vfmtok/{core/deformable_transformer.py, modules/attention.py, tokenizer/vq_model.py};
VFMTok's core/transformer.py and modules/mlp.py; the vendored DINOv2 in CVMI-Lab/VFMTok2
commons/modules/pretrained_enc/dino_v2/{vision_transformer.py, backbones.py}; facebookresearch/dinov2
layers; fundamentalvision/Deformable-DETR models/ops/modules/ms_deform_attn.py):
    * forward_features_levels drops CLS + registers from every level. The VFMTok2 copy's active version
      appends the full 1+R+N sequence (its stripping version is commented out), but VFMTok's Encoder
      reshapes each level with vec2tensor to a sqrt(N) x sqrt(N) grid and the semantic loss compares 576
      tokens, which only works with the stripped version -- as MODEL-SPEC §1.2 says.
    * The last level is norm(output of the LAST block) whatever levels[-1] says (`if i in levels[:-1]`);
      the configs keep levels[-1] == depth - 1 so both readings agree.
    * Preprocess: the official kornia bicubic resize to the model size is modelled only as the identity
      (inputs must already have image_size), which is what happens at 336.
    * Encoder attention heads: the official Encoder does not pass num_head to DeformableTransformerEncoder,
      so MSDeformAttn and the anchors' self-attention use its default 8 heads (= num_head in the YAML).
    * The training-only VFM branch is evaluated here with dropout off, on the eval path's decoder input
      (codebook lookup) instead of the straight-through z + sg(z_q - z), which differs by float rounding.

Numerics: everything is float32 on CPU. Attention is computed as softmax(q k^T * scale + mask) v with
-inf masking (the official code calls F.scaled_dot_product_attention, which is the same math).
"""
import json
import math
import os
from copy import deepcopy

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))


# ================================================================================================
# Config
# ================================================================================================

def load_config(name_or_path):
    """Loads 'small', 'full' or a JSON path, computes the derived numbers and checks them against the
    file's 'derived' blocks."""
    path = name_or_path
    if not name_or_path.endswith(".json"):
        path = os.path.join(HERE, name_or_path + "_config.json")
    with open(path) as f:
        cfg = json.load(f)
    check_derived(cfg)
    return cfg


def swiglu_hidden(hidden):
    """SwiGLUFFNFused hidden width: (int(h * 2 / 3) + 7) // 8 * 8."""
    return (int(hidden * 2 / 3) + 7) // 8 * 8


def derived(cfg):
    v, e, d, p = cfg["vfm"], cfg["encoder"], cfg["decoder"], cfg["pixel_decoder"]
    grid = cfg["image_size"] // v["patch_size"]
    ffn_hidden = int(v["embed_dim"] * v["mlp_ratio"])
    if v["ffn"] == "swiglufused":
        ffn_hidden = swiglu_hidden(ffn_hidden)
    dgrid = cfg["image_size"] // d["patch_size"]
    n_pix = 1 + dgrid * dgrid + d["num_registers"]
    return {
        "vfm": {"grid": grid, "grid_pretrain": v["img_size_pretrain"] // v["patch_size"],
                "head_dim": v["embed_dim"] // v["num_heads"], "ffn_hidden": ffn_hidden,
                "num_tokens": 1 + v["num_registers"] + grid * grid},
        "encoder": {"carrier_grid": int(math.isqrt(e["n_carrier"])), "head_dim": e["dim"] // e["heads"],
                    "value_len": e["n_levels"] * grid * grid},
        "decoder": {"grid": dgrid, "ffn_hidden": swiglu_hidden(d["mlp_dim"]), "head_dim": d["dim"] // d["heads"],
                    "pos_scale_factor": (dgrid + 0.1) / math.sqrt(d["pos_grid"] ** 2),
                    "seq_len_pixel": e["n_carrier"] + n_pix,
                    "seq_len_vfm": e["n_carrier"] + 1 + d["pos_grid"] ** 2 + d["num_registers"]},
        "pixel_decoder": {"upsample_factor": 2 ** (len(p["ch_mult"]) - 1)},
    }


def check_derived(cfg):
    v, e, d, p = cfg["vfm"], cfg["encoder"], cfg["decoder"], cfg["pixel_decoder"]
    der = derived(cfg)
    for part in ("vfm", "encoder", "decoder", "pixel_decoder"):
        for k, val in cfg[part].get("derived", {}).items():
            got = der[part][k]
            ok = abs(got - val) < 1e-12 if isinstance(val, float) else got == val
            assert ok, f"{cfg['name']}: {part}.derived.{k} = {val} but computes to {got}"
    assert cfg["image_size"] % v["patch_size"] == 0 and cfg["image_size"] % d["patch_size"] == 0
    assert e["ffn_dim"] == min(4 * e["dim"], e["ffn_dim"]), "encoder ffn is min(4*dim, dim_feedforward)"
    assert der["encoder"]["carrier_grid"] ** 2 == e["n_carrier"], "anchors form a square grid"
    assert d["dim"] == e["dim"] == p["z_channels"], "slots, decoder ViT and pixel latent share one width"
    assert d["pos_grid"] == der["vfm"]["grid"], "decoder position table is sized for the VFM grid"
    assert d["proj_dim"] == v["embed_dim"], "training branch predicts VFM features"
    assert der["decoder"]["grid"] * der["pixel_decoder"]["upsample_factor"] == cfg["image_size"]
    assert len(v["levels"]) == e["n_levels"] == 4
    assert v["levels"][-1] == v["depth"] - 1, "last level is the final-normed output of the last block"
    for c in [p["ch"] * m for m in p["ch_mult"]]:
        assert c % p["gn_groups"] == 0


# ================================================================================================
# Shared pieces
# ================================================================================================

def attention(q, k, v, scale, allowed=None):
    """q, k, v: (B, H, N, D). allowed: (N, N) bool, True = may attend. Returns (B, H, N, D)."""
    s = torch.matmul(q, k.transpose(-2, -1)) * scale            # (B, H, N, N)
    if allowed is not None:
        s = s.masked_fill(~allowed, float("-inf"))
    return torch.matmul(s.softmax(dim=-1), v)


def causal_allowed(n, device=None):
    return torch.tril(torch.ones(n, n, dtype=torch.bool, device=device), diagonal=0)


class SwiGLUFFNFused(nn.Module):
    """w12: Linear(in, 2*hid) -> [x1 | x2] -> silu(x1) * x2 -> w3: Linear(hid, in).
    hid = swiglu_hidden(hidden_features) (dinov2/layers/swiglu_ffn.py, vfmtok/modules/mlp.py)."""

    def __init__(self, in_features, hidden_features):
        super().__init__()
        hid = swiglu_hidden(hidden_features)
        self.w12 = nn.Linear(in_features, 2 * hid)
        self.w3 = nn.Linear(hid, in_features)

    def forward(self, x):
        x1, x2 = self.w12(x).chunk(2, dim=-1)
        return self.w3(F.silu(x1) * x2)


# ================================================================================================
# DINOv2 (vendored dino_v2/vision_transformer.py + layers/)
# ================================================================================================

DINO_ARCHS = {  # name: (embed_dim, depth, num_heads, ffn)
    "vit_small": (384, 12, 6, "mlp"),
    "vit_base": (768, 12, 12, "mlp"),
    "vit_large": (1024, 24, 16, "mlp"),
    "vit_giant2": (1536, 40, 24, "swiglufused"),
}


class PatchEmbed(nn.Module):
    def __init__(self, patch_size, in_chans, embed_dim):
        super().__init__()
        self.patch_size = patch_size
        self.proj = nn.Conv2d(in_chans, embed_dim, kernel_size=patch_size, stride=patch_size)

    def forward(self, x):                          # (B, 3, H, W)
        x = self.proj(x)                           # (B, E, H/14, W/14)
        return x.flatten(2).transpose(1, 2)        # (B, N, E), raster order


class DinoAttention(nn.Module):
    """qkv rows [q; k; v], each head-major; scale head_dim^-0.5; no mask."""

    def __init__(self, dim, num_heads, qkv_bias=True):
        super().__init__()
        self.num_heads = num_heads
        self.scale = (dim // num_heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):                                           # (B, N, C)
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, C // self.num_heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0] * self.scale, qkv[1], qkv[2]               # (B, H, N, D)
        x = attention(q, k, v, 1.0)                                 # scale already applied to q
        return self.proj(x.transpose(1, 2).reshape(B, N, C))


class DinoMlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))                        # exact (erf) GELU


class LayerScale(nn.Module):
    def __init__(self, dim, init_values=1.0):
        super().__init__()
        self.gamma = nn.Parameter(init_values * torch.ones(dim))

    def forward(self, x):
        return x * self.gamma


class DinoBlock(nn.Module):
    """x = x + ls1(attn(norm1(x))); x = x + ls2(mlp(norm2(x))). LayerNorm eps 1e-6."""

    def __init__(self, dim, num_heads, mlp_ratio, ffn, qkv_bias, layerscale, eps):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=eps)
        self.attn = DinoAttention(dim, num_heads, qkv_bias)
        self.ls1 = LayerScale(dim) if layerscale else nn.Identity()
        self.norm2 = nn.LayerNorm(dim, eps=eps)
        hidden = int(dim * mlp_ratio)
        self.mlp = DinoMlp(dim, hidden) if ffn == "mlp" else SwiGLUFFNFused(dim, hidden)
        self.ls2 = LayerScale(dim) if layerscale else nn.Identity()

    def forward(self, x):
        x = x + self.ls1(self.attn(self.norm1(x)))
        return x + self.ls2(self.mlp(self.norm2(x)))


def dino_interpolate_pos(pos_embed, w0, h0, offset=0.0, antialias=True):
    """DinoVisionTransformer.interpolate_pos_encoding on a (1, 1+N0, E) table for a w0 x h0 patch grid:
    bicubic with scale_factor = (w0 + offset) / sqrt(N0); with antialias (PIL kernel a=-0.5, support
    scaled by 1/scale) as in the registers models. Returns (1, 1 + w0*h0, E)."""
    pos_embed = pos_embed.float()
    N = pos_embed.shape[1] - 1
    class_pos_embed = pos_embed[:, 0]
    patch_pos_embed = pos_embed[:, 1:]
    dim = pos_embed.shape[-1]
    w0, h0 = w0 + offset, h0 + offset
    sqrt_N = math.sqrt(N)
    sx, sy = float(w0) / sqrt_N, float(h0) / sqrt_N
    patch_pos_embed = F.interpolate(
        patch_pos_embed.reshape(1, int(sqrt_N), int(sqrt_N), dim).permute(0, 3, 1, 2),
        scale_factor=(sx, sy), mode="bicubic", antialias=antialias)
    assert int(w0) == patch_pos_embed.shape[-2] and int(h0) == patch_pos_embed.shape[-1]
    patch_pos_embed = patch_pos_embed.permute(0, 2, 3, 1).reshape(1, -1, dim)
    return torch.cat((class_pos_embed.unsqueeze(0), patch_pos_embed), dim=1)


class DinoVisionTransformer(nn.Module):
    """Vendored DINOv2 ViT (block_chunks=0 -> keys blocks.{i}.*). Keys: cls_token, pos_embed,
    register_tokens, mask_token, patch_embed.proj.*, blocks.*, norm.*."""

    def __init__(self, vcfg):
        super().__init__()
        E, P = vcfg["embed_dim"], vcfg["patch_size"]
        self.embed_dim, self.patch_size = E, P
        self.num_register_tokens = vcfg["num_registers"]
        self.interpolate_antialias = vcfg["interpolate_antialias"]
        self.interpolate_offset = vcfg["interpolate_offset"]
        g0 = vcfg["img_size_pretrain"] // P
        self.cls_token = nn.Parameter(torch.zeros(1, 1, E))
        self.pos_embed = nn.Parameter(torch.zeros(1, g0 * g0 + 1, E))
        self.register_tokens = nn.Parameter(torch.zeros(1, self.num_register_tokens, E)) \
            if self.num_register_tokens else None
        self.patch_embed = PatchEmbed(P, 3, E)
        self.blocks = nn.ModuleList([
            DinoBlock(E, vcfg["num_heads"], vcfg["mlp_ratio"], vcfg["ffn"], vcfg["qkv_bias"],
                      vcfg["layerscale"], vcfg["ln_eps"]) for _ in range(vcfg["depth"])])
        self.norm = nn.LayerNorm(E, eps=vcfg["ln_eps"])
        self.mask_token = nn.Parameter(torch.zeros(1, E))

    def interpolate_pos_encoding(self, x, w, h):
        """x: (B, 1+N, E) tokens incl. CLS; w, h: image size in pixels. Returns (1, 1+N, E)."""
        npatch = x.shape[1] - 1
        N = self.pos_embed.shape[1] - 1
        if npatch == N and w == h:
            return self.pos_embed
        return dino_interpolate_pos(self.pos_embed, w // self.patch_size, h // self.patch_size,
                                    self.interpolate_offset, self.interpolate_antialias).to(x.dtype)

    def prepare_tokens(self, x):                                   # (B, 3, H, W)
        B, _, w, h = x.shape
        x = self.patch_embed(x)                                    # (B, N, E)
        x = torch.cat((self.cls_token.expand(B, -1, -1), x), dim=1)
        x = x + self.interpolate_pos_encoding(x, w, h)             # registers get no position
        if self.register_tokens is not None:
            x = torch.cat((x[:, :1], self.register_tokens.expand(B, -1, -1), x[:, 1:]), dim=1)
        return x                                                   # (B, 1+R+N, E)

    def forward_features_levels(self, x, levels):
        """Patch tokens (CLS and registers dropped) after blocks levels[:-1] (raw residual stream) and
        the final-normed output of the last block. Returns a list of len(levels) tensors (B, N, E)."""
        x = self.prepare_tokens(x)
        skip = 1 + self.num_register_tokens
        feature_list = []
        for i, blk in enumerate(self.blocks):
            x = blk(x)
            if i in levels[:-1]:
                feature_list.append(x[:, skip:])
        feature_list.append(self.norm(x)[:, skip:])
        return feature_list


class SelfSupervisedCondtionEmbedder(nn.Module):
    """Frozen VFM wrapper (official name, typo included). preprocess: the official kornia resize to the
    model size is the identity when the image already has that size (the only case supported here);
    then clamp [-1,1] -> [0,1] -> ImageNet mean/std."""

    def __init__(self, cfg):
        super().__init__()
        v = cfg["vfm"]
        self.image_size = cfg["image_size"]
        self.levels = list(v["levels"])
        self.pretrained_encoder = DinoVisionTransformer(v)
        self.register_buffer("mean", torch.tensor(v["mean"]).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(v["std"]).view(1, 3, 1, 1), persistent=False)

    def preprocess(self, x):                                       # (B, 3, S, S) in [-1, 1]
        assert x.shape[-1] == x.shape[-2] == self.image_size, "only the identity resize is modelled"
        x = x.clamp(min=-1, max=1)
        x = (x + 1.0) / 2.0
        return (x - self.mean) / self.std

    def forward(self, x):
        with torch.no_grad():
            return self.pretrained_encoder.forward_features_levels(self.preprocess(x), self.levels)


# ================================================================================================
# Region-adaptive sampler: projectors + deformable transformer encoder
# ================================================================================================

class Projector(nn.Module):
    """vfmtok/modules/mlp.py::MLP(in, dim, dim, 2): Linear(no bias), LN, ReLU, Linear(no bias), LN."""

    def __init__(self, in_dim, dim, eps):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(in_dim, dim, bias=False), nn.LayerNorm(dim, eps=eps), nn.ReLU(),
                                 nn.Linear(dim, dim, bias=False), nn.LayerNorm(dim, eps=eps))

    def forward(self, x):
        return self.mlp(x)


class Attention3(nn.Module):
    """vfmtok/modules/attention.py::Attention3: separate q/k/v/out projections with bias, heads split
    head-major ('n b (h c) -> n h b c'), scale 1/sqrt(dim/heads). attn_mask follows the official
    convention: True = masked (the module inverts it before calling SDPA)."""

    def __init__(self, dim, num_heads):
        super().__init__()
        self.num_heads = num_heads
        self.scale = 1 / math.sqrt(dim / num_heads)
        self.q_proj = nn.Linear(dim, dim)
        self.k_proj = nn.Linear(dim, dim)
        self.v_proj = nn.Linear(dim, dim)
        self.out_proj = nn.Linear(dim, dim)

    def _heads(self, x):                                           # (B, N, C) -> (B, H, N, D)
        B, N, C = x.shape
        return x.reshape(B, N, self.num_heads, C // self.num_heads).transpose(1, 2)

    def forward(self, src, attn_mask=None):
        q, k, v = self._heads(self.q_proj(src)), self._heads(self.k_proj(src)), self._heads(self.v_proj(src))
        allowed = causal_allowed(src.shape[1], src.device) if attn_mask is None else ~attn_mask
        out = attention(q, k, v, self.scale, allowed)              # (B, H, N, D)
        B, H, N, D = out.shape
        return self.out_proj(out.transpose(1, 2).reshape(B, N, H * D))


def ms_deform_attn_core_pytorch(value, value_spatial_shapes, sampling_locations, attention_weights):
    """Deformable-DETR models/ops/functions/ms_deform_attn_func.py (pure PyTorch path).
    value (N, S, M, D); shapes [(H_l, W_l)]; sampling_locations (N, Lq, M, L, P, 2) in [0,1] as (x, y);
    attention_weights (N, Lq, M, L, P). Returns (N, Lq, M*D)."""
    N_, S_, M_, D_ = value.shape
    _, Lq_, M_, L_, P_, _ = sampling_locations.shape
    value_list = value.split([int(H_) * int(W_) for H_, W_ in value_spatial_shapes], dim=1)
    sampling_grids = 2 * sampling_locations - 1
    sampling_value_list = []
    for lid_, (H_, W_) in enumerate(value_spatial_shapes):
        # (N, H*W, M, D) -> (N*M, D, H, W)
        value_l_ = value_list[lid_].flatten(2).transpose(1, 2).reshape(N_ * M_, D_, int(H_), int(W_))
        # (N, Lq, M, P, 2) -> (N*M, Lq, P, 2)
        sampling_grid_l_ = sampling_grids[:, :, :, lid_].transpose(1, 2).flatten(0, 1)
        sampling_value_list.append(F.grid_sample(value_l_, sampling_grid_l_, mode="bilinear",
                                                 padding_mode="zeros", align_corners=False))  # (N*M, D, Lq, P)
    attention_weights = attention_weights.transpose(1, 2).reshape(N_ * M_, 1, Lq_, L_ * P_)
    output = (torch.stack(sampling_value_list, dim=-2).flatten(-2) * attention_weights).sum(-1).view(N_, M_ * D_, Lq_)
    return output.transpose(1, 2).contiguous()


class MSDeformAttn(nn.Module):
    """Deformable-DETR models/ops/modules/ms_deform_attn.py with the pure-PyTorch core."""

    def __init__(self, d_model, n_levels, n_heads, n_points):
        super().__init__()
        self.d_model, self.n_levels, self.n_heads, self.n_points = d_model, n_levels, n_heads, n_points
        self.sampling_offsets = nn.Linear(d_model, n_heads * n_levels * n_points * 2)
        self.attention_weights = nn.Linear(d_model, n_heads * n_levels * n_points)
        self.value_proj = nn.Linear(d_model, d_model)
        self.output_proj = nn.Linear(d_model, d_model)
        self._reset_parameters()

    def _reset_parameters(self):
        nn.init.constant_(self.sampling_offsets.weight, 0.0)
        thetas = torch.arange(self.n_heads, dtype=torch.float32) * (2.0 * math.pi / self.n_heads)
        grid_init = torch.stack([thetas.cos(), thetas.sin()], -1)
        grid_init = (grid_init / grid_init.abs().max(-1, keepdim=True)[0]).view(self.n_heads, 1, 1, 2) \
            .repeat(1, self.n_levels, self.n_points, 1)
        for i in range(self.n_points):
            grid_init[:, :, i, :] *= i + 1
        with torch.no_grad():
            self.sampling_offsets.bias = nn.Parameter(grid_init.view(-1))
        nn.init.constant_(self.attention_weights.weight, 0.0)
        nn.init.constant_(self.attention_weights.bias, 0.0)
        nn.init.xavier_uniform_(self.value_proj.weight)
        nn.init.constant_(self.value_proj.bias, 0.0)
        nn.init.xavier_uniform_(self.output_proj.weight)
        nn.init.constant_(self.output_proj.bias, 0.0)

    def forward(self, query, reference_points, input_flatten, input_spatial_shapes, input_level_start_index,
                return_internals=False):
        """query (N, Lq, C); reference_points (N, Lq, L, 2) as (x, y) in [0,1]; input_flatten (N, S, C);
        input_spatial_shapes (L, 2) long as (H, W). level_start_index is not read by this path."""
        N, Len_q, _ = query.shape
        N, Len_in, _ = input_flatten.shape
        assert int((input_spatial_shapes[:, 0] * input_spatial_shapes[:, 1]).sum()) == Len_in
        value = self.value_proj(input_flatten).view(N, Len_in, self.n_heads, self.d_model // self.n_heads)
        sampling_offsets = self.sampling_offsets(query).view(N, Len_q, self.n_heads, self.n_levels, self.n_points, 2)
        attention_weights = self.attention_weights(query).view(N, Len_q, self.n_heads, self.n_levels * self.n_points)
        attention_weights = F.softmax(attention_weights, -1).view(N, Len_q, self.n_heads, self.n_levels, self.n_points)
        offset_normalizer = torch.stack([input_spatial_shapes[..., 1], input_spatial_shapes[..., 0]], -1)  # (W, H)
        sampling_locations = reference_points[:, :, None, :, None, :] \
            + sampling_offsets / offset_normalizer[None, None, None, :, None, :]
        core = ms_deform_attn_core_pytorch(value, [tuple(s) for s in input_spatial_shapes.tolist()],
                                           sampling_locations, attention_weights)
        output = self.output_proj(core)
        if return_internals:
            return output, {"sampling_locations": sampling_locations, "attention_weights": attention_weights,
                            "core": core}
        return output


class DeformableTransformerEncoderLayer(nn.Module):
    """vfmtok/core/deformable_transformer.py: post-norm; deformable cross-attention to the VFM levels,
    then causal self-attention among the anchors (q = k = v = src + pos), then ReLU FFN. Dropout 0."""

    def __init__(self, d_model, d_ffn, n_levels, n_heads, n_points, eps):
        super().__init__()
        self.cross_attn = MSDeformAttn(d_model, n_levels, n_heads, n_points)
        self.norm1 = nn.LayerNorm(d_model, eps=eps)
        self.linear1 = nn.Linear(d_model, d_ffn)
        self.linear2 = nn.Linear(d_ffn, d_model)
        self.norm2 = nn.LayerNorm(d_model, eps=eps)
        self.self_attn = Attention3(d_model, n_heads)
        self.norm3 = nn.LayerNorm(d_model, eps=eps)

    def forward(self, src, pos, reference_points, kv_feature, spatial_shapes, level_start_index):
        n_c = src.shape[1]                                               # src (B, n_c, C), pos (1, n_c, C)
        src2 = self.cross_attn(src + pos, reference_points, kv_feature, spatial_shapes, level_start_index)
        src = self.norm1(src + src2)
        mask = ~torch.tril(src.new_ones((n_c, n_c), dtype=torch.bool), diagonal=0)   # True = masked
        src = self.norm3(src + self.self_attn(src + pos, attn_mask=mask))
        return self.norm2(src + self.linear2(F.relu(self.linear1(src))))


class DeformableTransformerEncoder(nn.Module):
    def __init__(self, dim, depth, d_ffn, n_levels, n_heads, n_points, eps):
        super().__init__()
        self.num_feature_levels = n_levels
        layer = DeformableTransformerEncoderLayer(dim, d_ffn, n_levels, n_heads, n_points, eps)
        self.layers = nn.ModuleList([deepcopy(layer) for _ in range(depth)])

    @staticmethod
    def get_reference_points(H, W, bs, device=None):
        """(bs, H*W, 1, 2) reference points ((j+0.5)/W, (i+0.5)/H), raster order, valid ratios 1."""
        ref_y, ref_x = torch.meshgrid(torch.linspace(0.5, H - 0.5, H, dtype=torch.float32, device=device),
                                      torch.linspace(0.5, W - 0.5, W, dtype=torch.float32, device=device),
                                      indexing="ij")
        valid = torch.ones(bs, 1, 2, device=device)
        ref_y = ref_y.reshape(-1)[None] / (valid[:, None, 0, 1] * H)
        ref_x = ref_x.reshape(-1)[None] / (valid[:, None, 0, 0] * W)
        ref = torch.stack((ref_x, ref_y), -1)                           # (bs, H*W, 2)
        return ref[:, :, None] * valid[:, None]                         # (bs, H*W, 1, 2)

    def prepare(self, x, kv_features):
        """x (B, C, h, w) anchors; kv_features list of L (B, C, H_l, W_l). Returns the flattened
        anchors, reference points (B, h*w, L, 2), value (B, S, C), shapes (L, 2), start index (L+1,)."""
        bs, dim, H, W = x.shape
        ref = self.get_reference_points(H, W, bs, x.device).repeat(1, 1, self.num_feature_levels, 1)
        src_flatten = torch.cat([f.flatten(2).transpose(1, 2) for f in kv_features], 1)
        spatial_shapes = torch.as_tensor([f.shape[-2:] for f in kv_features], dtype=torch.long, device=x.device)
        level_start_index = torch.cat((spatial_shapes.new_zeros((1,)), spatial_shapes.prod(1).cumsum(0)))
        return x.flatten(2).transpose(1, 2), ref, src_flatten, spatial_shapes, level_start_index

    def forward(self, x, pos, kv_features):
        output, ref, src, shapes, start = self.prepare(x, kv_features)
        for layer in self.layers:
            output = layer(output, pos, ref, src, shapes, start)
        return output                                                   # (B, n_c, C)


class Encoder(nn.Module):
    """vfmtok/core/layers.py::Encoder (state_dict prefix encode_transformer.)."""

    def __init__(self, cfg):
        super().__init__()
        e, v = cfg["encoder"], cfg["vfm"]
        dim = e["dim"]
        self.backbone = SelfSupervisedCondtionEmbedder(cfg)
        self.projectors = nn.ModuleList([Projector(v["embed_dim"], dim, e["ln_eps"]) for _ in range(4)])
        self.norm_layers = nn.ModuleList([nn.LayerNorm(dim, eps=e["ln_eps"]) for _ in range(4)])
        self.n_carrier = e["n_carrier"]
        scale = dim ** -0.5
        self.carrier_tokens = nn.Parameter(torch.randn(1, self.n_carrier, dim) * scale)
        self.slots_pos = nn.Parameter(torch.randn(1, self.n_carrier, dim) * scale)
        self.transformer = DeformableTransformerEncoder(dim, e["depth"], e["ffn_dim"], e["n_levels"], e["heads"],
                                                        e["n_points"], e["ln_eps"])
        self.norm_pre1 = nn.LayerNorm(dim, eps=e["ln_eps"])

    @staticmethod
    def vec2tensor(x):                                                  # (B, h*w, C) -> (B, C, h, w)
        B, N, C = x.shape
        H = W = int(math.sqrt(N))
        return x.transpose(1, 2).reshape(B, C, H, W)

    def kv_features(self, latent):
        """latent: list of 4 (B, N, E) -> list of 4 (B, C, G, G): norm_layers[i](projectors[i](.))."""
        return [self.vec2tensor(self.norm_layers[i](proj(latent[i]))) for i, proj in enumerate(self.projectors)]

    def anchors(self, bs):
        return self.vec2tensor(self.norm_pre1(self.carrier_tokens.repeat(bs, 1, 1)))   # (B, C, h, w)

    def forward(self, imgs):
        latent = self.backbone(imgs)
        output = self.transformer(self.anchors(imgs.shape[0]), self.slots_pos, self.kv_features(latent))
        return output, latent


# ================================================================================================
# Shared decoder ViT
# ================================================================================================

class Layer(nn.Module):
    """vfmtok/core/transformer.py::Layer (xformer=False): pre-norm, Attention3 'attn1', SwiGLU 'ffnet'."""

    def __init__(self, dim, mlp_dim, num_head, eps):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=eps)
        self.attn1 = Attention3(dim, num_head)
        self.norm2 = nn.LayerNorm(dim, eps=eps)
        self.ffnet = SwiGLUFFNFused(dim, mlp_dim)

    def forward(self, x, mask=None):
        x = self.attn1(self.norm1(x), attn_mask=mask) + x
        return self.ffnet(self.norm2(x)) + x


class Transformer(nn.Module):
    def __init__(self, dim, depth, num_head, mlp_dim, eps):
        super().__init__()
        self.layers = nn.ModuleList([Layer(dim, mlp_dim, num_head, eps) for _ in range(depth)])

    def forward(self, x, mask=None):
        for layer in self.layers:
            x = layer(x, mask)
        return x


def decoder_pos_table(position_embedding, w, h):
    """vfmtok/core/layers.py::Decoder.interpolate_pos_encoding on a (1, 1+N, C) table: CLS row kept, the
    sqrt(N) x sqrt(N) rows resized by bicubic (a=-0.75, no antialias, align_corners False) with
    scale_factor (w + 0.1) / sqrt(N). PyTorch maps output to input coordinates with that given factor,
    src = (dst + 0.5) / scale_factor - 0.5, not with the size ratio. Returns (1, 1 + w*h, C)."""
    N = position_embedding.size(1) - 1
    class_pos_embed = position_embedding[:, :1]
    patch_pos_embed = position_embedding[:, 1:]
    dim = position_embedding.shape[2]
    w0, h0 = w + 0.1, h + 0.1
    patch_pos_embed = F.interpolate(
        patch_pos_embed.reshape(1, int(math.sqrt(N)), int(math.sqrt(N)), dim).permute(0, 3, 1, 2),
        scale_factor=(w0 / math.sqrt(N), h0 / math.sqrt(N)), mode="bicubic")
    assert int(w0) == patch_pos_embed.shape[-2] and int(h0) == patch_pos_embed.shape[-1]
    return torch.cat((class_pos_embed, patch_pos_embed.flatten(2).transpose(1, 2)), dim=1)


class Decoder(nn.Module):
    """vfmtok/core/layers.py::Decoder (state_dict prefix decode_transformer.)."""

    def __init__(self, cfg):
        super().__init__()
        d = cfg["decoder"]
        dim = d["dim"]
        self.grid = cfg["image_size"] // d["patch_size"]
        self.num_patches = self.grid ** 2
        self.num_tokens = 1
        self.num_register_tokens = d["num_registers"]
        scale = dim ** -0.5
        self.position_embedding = nn.Parameter(torch.randn(1, d["pos_grid"] ** 2 + 1, dim) * scale)
        self.slot_position_embedding = nn.Parameter(torch.randn(1, cfg["encoder"]["n_carrier"], dim) * scale)
        self.mask_embedding = nn.Parameter(torch.randn(1, 1, dim) * scale)
        self.mask_dino = nn.Parameter(torch.randn(1, 1, dim) * scale)
        self.cls_token = nn.Parameter(torch.randn(1, 1, dim) * scale)
        self.register_tokens = nn.Parameter(torch.zeros(1, self.num_register_tokens, dim))
        self.transformer = Transformer(dim, d["depth"], d["heads"], d["mlp_dim"], d["ln_eps"])
        self.norm_post1 = nn.LayerNorm(dim, eps=d["ln_eps"])
        self.norm_post2 = nn.LayerNorm(dim, eps=d["ln_eps"])
        self.proj = nn.Linear(dim, d["proj_dim"])

    def interpolate_pos_encoding(self, w, h):
        """Position table (1, 1 + w*h, C) for the w x h pixel grid (see decoder_pos_table)."""
        npatch = w * h
        N = self.position_embedding.size(1) - 1
        if npatch == N and w == h:
            return self.position_embedding
        return decoder_pos_table(self.position_embedding, w, h)

    def single_forward(self, conds, z, norm, reshape):
        """conds (B, n_c, C) memory, z (B, n_z, C) image-side tokens [CLS, grid..., registers].
        Causal over the n_c + n_z tokens; returns the grid tokens (dropping CLS and registers)."""
        n_c, num_patches = conds.shape[1], z.shape[1]
        H = W = int(math.sqrt(num_patches))
        x = torch.cat((self.norm_post1(conds), norm(z)), dim=1)        # (B, n_c + n_z, C)
        mask = ~torch.tril(x.new_ones((n_c + num_patches, n_c + num_patches), dtype=torch.bool), diagonal=0)
        x = self.transformer(x, mask=mask)
        z = x[:, n_c + self.num_tokens:n_c + num_patches - self.num_register_tokens]
        if reshape:
            B, N, C = z.shape
            z = z.transpose(1, 2).reshape(B, C, H, W)                  # 'b (h w) c -> b c h w'
        return z

    def image_tokens(self, bs):
        """(B, 1 + grid^2 + R, C): [cls_token + pos_cls, mask_embedding + pos_i, register_tokens]."""
        z_pos = self.interpolate_pos_encoding(self.grid, self.grid)
        z = self.mask_embedding.expand(bs, self.num_patches, -1)
        cls_token = self.cls_token.expand(bs, -1, -1)
        regs = self.register_tokens.expand(bs, -1, -1)
        return torch.cat((cls_token + z_pos[:, :1], z + z_pos[:, 1:], regs), dim=1)

    def vfm_tokens(self, bs):
        """(B, 1 + pos_grid^2 + R, C): [cls_token + pos_cls, mask_dino + pos_i (no resize), registers]."""
        dino = (self.mask_dino + self.position_embedding[:, 1:]).expand(bs, -1, -1)
        cls_token = self.cls_token.expand(bs, -1, -1)
        regs = self.register_tokens.expand(bs, -1, -1)
        return torch.cat((cls_token + self.position_embedding[:, :1], dino, regs), dim=1)

    def forward(self, slots, vfm_branch=None):
        """slots (B, n_c, C) = post_slots_quant output. Returns (pixel latent (B, C, g, g), VFM-feature
        prediction (B, G^2, proj_dim) or None). vfm_branch defaults to self.training, as in the
        official code (which only runs the branch in training mode)."""
        bs = slots.shape[0]
        memory = slots + self.slot_position_embedding
        z = self.single_forward(memory, self.image_tokens(bs), self.norm_post1, True)
        if self.training if vfm_branch is None else vfm_branch:
            dino = self.single_forward(memory, self.vfm_tokens(bs), self.norm_post2, False)
            return z, self.proj(dino)
        return z, None


# ================================================================================================
# Quantizer (vq_model.py::VectorQuantizer, LlamaGen)
# ================================================================================================

class VectorQuantizer(nn.Module):
    def __init__(self, n_e, e_dim, l2_norm=True, used_len=65536):
        super().__init__()
        self.n_e, self.e_dim, self.l2_norm = n_e, e_dim, l2_norm
        self.embedding = nn.Embedding(n_e, e_dim)
        self.embedding.weight.data.uniform_(-1.0 / n_e, 1.0 / n_e)
        if l2_norm:
            self.embedding.weight.data = F.normalize(self.embedding.weight.data, p=2, dim=-1)
        self.register_buffer("codebook_used", torch.zeros(used_len))

    def codebook(self):
        return F.normalize(self.embedding.weight, p=2, dim=-1) if self.l2_norm else self.embedding.weight

    def distances(self, z):
        """z (B, n, e_dim) -> d (B*n, n_e) = |z|^2 + |e|^2 - 2 z.e (after l2 normalisation)."""
        zf = z.reshape(-1, self.e_dim)
        if self.l2_norm:
            zf = F.normalize(zf, p=2, dim=-1)
        embedding = self.codebook()
        return torch.sum(zf ** 2, dim=1, keepdim=True) + torch.sum(embedding ** 2, dim=1) \
            - 2 * torch.einsum("bd,dn->bn", zf, embedding.t())

    def forward(self, z):
        """z (B, n, e_dim). Returns (z_q (B, n, e_dim) normalised codebook rows, indices (B*n,), d)."""
        d = self.distances(z)
        idx = torch.argmin(d, dim=1)
        return self.codebook()[idx].view(z.shape), idx, d

    def get_codebook_entry(self, indices, shape):
        return self.codebook()[indices].view(shape)


# ================================================================================================
# Pixel decoder (vq_model.py::Decoder, LlamaGen VQGAN decoder without up-path attention)
# ================================================================================================

def nonlinearity(x):
    return x * torch.sigmoid(x)                                          # swish


class ResnetBlock(nn.Module):
    def __init__(self, in_channels, out_channels, groups, eps):
        super().__init__()
        self.in_channels, self.out_channels = in_channels, out_channels
        self.norm1 = nn.GroupNorm(groups, in_channels, eps=eps, affine=True)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, 1, 1)
        self.norm2 = nn.GroupNorm(groups, out_channels, eps=eps, affine=True)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1)
        if in_channels != out_channels:
            self.nin_shortcut = nn.Conv2d(in_channels, out_channels, 1, 1, 0)

    def forward(self, x):
        h = self.conv1(nonlinearity(self.norm1(x)))
        h = self.conv2(nonlinearity(self.norm2(h)))
        if self.in_channels != self.out_channels:
            x = self.nin_shortcut(x)
        return x + h


class AttnBlock(nn.Module):
    """Single-head spatial self-attention with 1x1 convs, scale C^-0.5, residual."""

    def __init__(self, c, groups, eps):
        super().__init__()
        self.norm = nn.GroupNorm(groups, c, eps=eps, affine=True)
        self.q = nn.Conv2d(c, c, 1)
        self.k = nn.Conv2d(c, c, 1)
        self.v = nn.Conv2d(c, c, 1)
        self.proj_out = nn.Conv2d(c, c, 1)

    def forward(self, x):
        h_ = self.norm(x)
        q, k, v = self.q(h_), self.k(h_), self.v(h_)
        b, c, h, w = q.shape
        q = q.reshape(b, c, h * w).permute(0, 2, 1)                      # (b, hw, c)
        k = k.reshape(b, c, h * w)                                       # (b, c, hw)
        w_ = F.softmax(torch.bmm(q, k) * (int(c) ** (-0.5)), dim=2)      # (b, hw_q, hw_k)
        h_ = torch.bmm(v.reshape(b, c, h * w), w_.permute(0, 2, 1)).reshape(b, c, h, w)
        return x + self.proj_out(h_)


class Upsample(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, 1, 1)

    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2.0, mode="nearest"))


class ConvBlock(nn.Module):
    """Plays the role of the official bare nn.Module holding .res, .attn (always empty) and .upsample."""

    def __init__(self, block_in, block_out, n_res, groups, eps, upsample):
        super().__init__()
        self.res = nn.ModuleList()
        for _ in range(n_res):
            self.res.append(ResnetBlock(block_in, block_out, groups, eps))
            block_in = block_out
        self.attn = nn.ModuleList()
        if upsample:
            self.upsample = Upsample(block_in)


class PixelDecoder(nn.Module):
    """vq_model.py::Decoder (state_dict prefix decoder.)."""

    def __init__(self, pcfg):
        super().__init__()
        ch, ch_mult = pcfg["ch"], pcfg["ch_mult"]
        groups, eps = pcfg["gn_groups"], pcfg["gn_eps"]
        self.num_resolutions = len(ch_mult)
        self.num_res_blocks = pcfg["num_res_blocks"]
        block_in = ch * ch_mult[-1]
        self.conv_in = nn.Conv2d(pcfg["z_channels"], block_in, 3, 1, 1)
        self.mid = nn.ModuleList([ResnetBlock(block_in, block_in, groups, eps), AttnBlock(block_in, groups, eps),
                                  ResnetBlock(block_in, block_in, groups, eps)])
        self.conv_blocks = nn.ModuleList()
        for i_level in reversed(range(self.num_resolutions)):
            block_out = ch * ch_mult[i_level]
            self.conv_blocks.append(ConvBlock(block_in, block_out, self.num_res_blocks + 1, groups, eps, i_level != 0))
            block_in = block_out
        self.norm_out = nn.GroupNorm(groups, block_in, eps=eps, affine=True)
        self.conv_out = nn.Conv2d(block_in, pcfg["out_channels"], 3, 1, 1)

    def forward(self, z):                                                # (B, z_channels, g, g)
        h = self.conv_in(z)
        for m in self.mid:
            h = m(h)
        for i_level, block in enumerate(self.conv_blocks):
            for r in block.res:
                h = r(h)
            if i_level != self.num_resolutions - 1:
                h = block.upsample(h)
        return self.conv_out(nonlinearity(self.norm_out(h)))            # (B, 3, 16g, 16g)


# ================================================================================================
# Tokenizer
# ================================================================================================

class VQModel(nn.Module):
    """vq_model.py::VQModel. Registration order matches the official class, so state_dict key order does
    too."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.decoder = PixelDecoder(cfg["pixel_decoder"])
        self.encode_transformer = Encoder(cfg)
        self.decode_transformer = Decoder(cfg)
        self.slot_quantize = VectorQuantizer(cfg["codebook_size"], cfg["codebook_embed_dim"],
                                             cfg["codebook_l2_norm"], cfg["codebook_used_len"])
        z = cfg["pixel_decoder"]["z_channels"]
        self.pre_slots_quant = nn.Linear(z, cfg["codebook_embed_dim"])
        self.post_slots_quant = nn.Linear(cfg["codebook_embed_dim"], z)
        for p in self.encode_transformer.backbone.parameters():
            p.requires_grad_(False)

    def dinov2(self):
        return self.encode_transformer.backbone.pretrained_encoder

    def tokenizer_state_dict(self):
        """The released checkpoint layout: every key except those containing 'backbone'."""
        return {k: v for k, v in self.state_dict().items() if "backbone" not in k}

    # ---- pieces -------------------------------------------------------------------------------
    def encode(self, x):
        """x (B,3,S,S) in [-1,1] -> dict: levels (list of 4 (B,G^2,E)), value (B,4G^2,C), slots (B,n,C),
        z (B,n,e) pre-quant, codes (B,n), z_q (B,n,e), d (B*n, n_e)."""
        enc = self.encode_transformer
        latent = enc.backbone(x)
        kv = enc.kv_features(latent)
        slots = enc.transformer(enc.anchors(x.shape[0]), enc.slots_pos, kv)
        z = self.pre_slots_quant(slots)
        z_q, idx, d = self.slot_quantize(z)
        value = torch.cat([f.flatten(2).transpose(1, 2) for f in kv], 1)
        return {"levels": latent, "value": value, "slots": slots, "z": z, "codes": idx.view(z.shape[:2]),
                "z_q": z_q, "d": d}

    def decode(self, quant, vfm_branch=False):
        """quant (B, n, e) -> (image (B,3,S,S), pixel latent (B,C,g,g), post-quant (B,n,C), VFM pred)."""
        q = self.post_slots_quant(quant)
        z, dino = self.decode_transformer(q, vfm_branch=vfm_branch)
        return self.decoder(z), z, q, dino

    def decode_code(self, codes):
        """codes (B, n) -> (B, 3, S, S) via the normalised codebook rows."""
        quant = self.slot_quantize.get_codebook_entry(codes.reshape(-1), (*codes.shape, self.cfg["codebook_embed_dim"]))
        return self.decode(quant)[0]

    @staticmethod
    def to_uint8(img):
        """(B,3,H,W) float -> (B,H,W,3) uint8 as x*127.5 + 128, clamp [0,255], truncate."""
        return torch.clamp(img * 127.5 + 128, 0, 255).to(torch.uint8).permute(0, 2, 3, 1).contiguous()

    @staticmethod
    def resize_to_uint8(img, tgt_size):
        """The tail of decode_codes_to_img: bicubic resize by size (a=-0.75, align_corners False, no
        antialias) when the size differs, then to_uint8."""
        if img.shape[-1] != tgt_size:
            img = F.interpolate(img, size=(tgt_size, tgt_size), mode="bicubic")
        return VQModel.to_uint8(img)

    def decode_codes_to_img(self, codes, tgt_size):
        """codes (B, n) -> (B, tgt, tgt, 3) uint8."""
        return self.resize_to_uint8(self.decode_code(codes), tgt_size)

    @torch.no_grad()
    def reconstruct(self, x):
        """The eval path of VQModel.forward (decode_from_indices), plus the training-only VFM branch run
        on the same decoder input with dropout off. Returns every intermediate."""
        out = self.encode(x)
        quant = self.slot_quantize.get_codebook_entry(out["codes"].reshape(-1), out["z"].shape)
        img, zpix, q, dino = self.decode(quant, vfm_branch=True)
        out.update({"quant": quant, "post_quant": q, "pixel_latent": zpix, "image": img,
                    "image_uint8": self.to_uint8(img), "vfm_pred": dino})
        return out


def count_params(model):
    """(non-backbone params, non-backbone buffers, backbone params) as in the released layout."""
    sd = model.state_dict()
    params = {n for n, _ in model.named_parameters()}
    nb = sum(v.numel() for k, v in sd.items() if "backbone" not in k and k in params)
    buf = sum(v.numel() for k, v in sd.items() if "backbone" not in k and k not in params)
    bb = sum(v.numel() for k, v in sd.items() if "backbone" in k)
    return nb, buf, bb
