"""Parity fixtures for the frozen vision foundation models (vfmtok/vfm): CLIP and SigLIP vision towers
written in plain torch from the Hugging Face modeling files (transformers models/clip/modeling_clip.py:
CLIPVisionEmbeddings, CLIPEncoderLayer, CLIPVisionTransformer; models/siglip/modeling_siglip.py:
SiglipVisionEmbeddings, SiglipEncoderLayer, SiglipVisionTransformer, which the fixed-resolution SigLIP2
checkpoints use), and DINOv2 without registers / with a SwiGLU feed-forward (ViT-g's) from vfmtok_ref.py.

Random, non-degenerate weights at a small width and depth, saved in the released key layouts (Hugging
Face safetensors names; for CLIP also open_clip's, the same weights renamed and q/k/v fused), with input
images and the features at the chosen levels. Run with Debian's python3 (torch, no transformers):
    /usr/bin/python3 tools/reference/make_vfm_fixtures.py vfmtok/src/test/resources/fixtures/vfms
"""
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fixtures"))
sys.path.insert(0, os.path.dirname(__file__))
import st  # noqa: E402
import vfmtok_ref  # noqa: E402


def quick_gelu(x):
    return x * torch.sigmoid(1.702 * x)


def gelu_tanh(x):
    return F.gelu(x, approximate="tanh")


def hf_layer(sd, p, x, heads, eps, act):
    """CLIPEncoderLayer / SiglipEncoderLayer: pre-norm attention (q/k/v/out_proj, scale head_dim^-0.5),
    pre-norm MLP fc1 -> act -> fc2."""
    def lin(name, t):
        return F.linear(t, sd[p + name + ".weight"], sd.get(p + name + ".bias"))
    d = x.shape[-1]
    h = F.layer_norm(x, (d,), sd[p + "layer_norm1.weight"], sd[p + "layer_norm1.bias"], eps)
    b, n, _ = h.shape
    q = lin("self_attn.q_proj", h).view(b, n, heads, -1).transpose(1, 2)
    k = lin("self_attn.k_proj", h).view(b, n, heads, -1).transpose(1, 2)
    v = lin("self_attn.v_proj", h).view(b, n, heads, -1).transpose(1, 2)
    w = torch.softmax(q @ k.transpose(-1, -2) * (d // heads) ** -0.5, dim=-1)
    o = (w @ v).transpose(1, 2).reshape(b, n, d)
    x = x + lin("self_attn.out_proj", o)
    h = F.layer_norm(x, (d,), sd[p + "layer_norm2.weight"], sd[p + "layer_norm2.bias"], eps)
    return x + lin("mlp.fc2", act(lin("mlp.fc1", h)))


def resize_grid(table, g, gh, gw):
    """interpolate_pos_encoding of both HF towers: (g*g, D) -> (gh*gw, D), bicubic by size, align_corners False."""
    if gh == g and gw == g:
        return table
    d = table.shape[-1]
    t = table.reshape(1, g, g, d).permute(0, 3, 1, 2)
    t = F.interpolate(t, size=(gh, gw), mode="bicubic", align_corners=False)
    return t.permute(0, 2, 3, 1).reshape(gh * gw, d)


def tower_features(sd, cfg, images):
    """Patch-token features (CLS dropped) after the blocks in cfg['levels']; the last one through
    post_layernorm when cfg['norm_last']."""
    family, p, eps, heads = cfg["family"], cfg["patch"], cfg["eps"], cfg["heads"]
    pre = "vision_model."
    b, _, hh, ww = images.shape
    x = F.conv2d(images, sd[pre + "embeddings.patch_embedding.weight"], sd.get(pre + "embeddings.patch_embedding.bias"), stride=p)
    x = x.flatten(2).transpose(1, 2)                                 # (B, n, D)
    g = cfg["image"] // p
    pos = sd[pre + "embeddings.position_embedding.weight"]
    if family == "clip":
        cls = sd[pre + "embeddings.class_embedding"].expand(b, 1, -1)
        x = torch.cat([cls, x], dim=1)
        pos = torch.cat([pos[:1], resize_grid(pos[1:], g, hh // p, ww // p)])
        x = x + pos
        x = F.layer_norm(x, (x.shape[-1],), sd[pre + "pre_layrnorm.weight"], sd[pre + "pre_layrnorm.bias"], eps)
        act, skip = quick_gelu, 1
    else:
        x = x + resize_grid(pos, g, hh // p, ww // p)
        act, skip = gelu_tanh, 0
    out, levels = [], cfg["levels"]
    for i in range(max(levels) + 1):
        x = hf_layer(sd, pre + "encoder.layers.%d." % i, x, heads, eps, act)
        if i in levels:
            f = x
            if i == levels[-1] and cfg["norm_last"]:
                f = F.layer_norm(x, (x.shape[-1],), sd[pre + "post_layernorm.weight"], sd[pre + "post_layernorm.bias"], eps)
            out.append(f[:, skip:])
    return out


def random_tower(cfg, gen):
    d, m, p, depth = cfg["dim"], cfg["mlp"], cfg["patch"], cfg["depth"]
    g = cfg["image"] // p
    pre = "vision_model."

    def r(*shape, s=0.2):
        return torch.randn(*shape, generator=gen) * s

    sd = {}
    if cfg["family"] == "clip":
        sd[pre + "embeddings.class_embedding"] = r(d, s=0.5)
        sd[pre + "embeddings.patch_embedding.weight"] = r(d, 3, p, p)
        sd[pre + "embeddings.position_embedding.weight"] = r(g * g + 1, d, s=0.5)
        sd[pre + "embeddings.position_ids"] = torch.arange(g * g + 1).unsqueeze(0)
        sd[pre + "pre_layrnorm.weight"] = 1 + r(d, s=0.1)
        sd[pre + "pre_layrnorm.bias"] = r(d, s=0.1)
    else:
        sd[pre + "embeddings.patch_embedding.weight"] = r(d, 3, p, p)
        sd[pre + "embeddings.patch_embedding.bias"] = r(d, s=0.1)
        sd[pre + "embeddings.position_embedding.weight"] = r(g * g, d, s=0.5)
    for i in range(depth):
        q = pre + "encoder.layers.%d." % i
        for n in ("layer_norm1", "layer_norm2"):
            sd[q + n + ".weight"] = 1 + r(d, s=0.1)
            sd[q + n + ".bias"] = r(d, s=0.1)
        for n in ("q_proj", "k_proj", "v_proj", "out_proj"):
            sd[q + "self_attn." + n + ".weight"] = r(d, d, s=d ** -0.5)
            sd[q + "self_attn." + n + ".bias"] = r(d, s=0.1)
        sd[q + "mlp.fc1.weight"] = r(m, d, s=d ** -0.5)
        sd[q + "mlp.fc1.bias"] = r(m, s=0.1)
        sd[q + "mlp.fc2.weight"] = r(d, m, s=m ** -0.5)
        sd[q + "mlp.fc2.bias"] = r(d, s=0.1)
    sd[pre + "post_layernorm.weight"] = 1 + r(d, s=0.1)
    sd[pre + "post_layernorm.bias"] = r(d, s=0.1)
    if cfg["family"] == "siglip":   # the MAP head ships with the vision tower; the features do not use it
        sd[pre + "head.probe"] = r(1, 1, d)
        sd[pre + "head.attention.in_proj_weight"] = r(3 * d, d)
    else:                           # a CLIPModel file also holds the text tower and the projections
        sd["text_model.embeddings.token_embedding.weight"] = r(10, d)
        sd["visual_projection.weight"] = r(8, d)
        sd["logit_scale"] = torch.tensor(2.6592)
    return sd


def to_open_clip(sd, depth):
    """The same CLIP weights under open_clip's (and OpenAI's) names: visual.*, fused in_proj."""
    pre, out = "vision_model.", {}
    out["visual.class_embedding"] = sd[pre + "embeddings.class_embedding"]
    out["visual.positional_embedding"] = sd[pre + "embeddings.position_embedding.weight"]
    out["visual.conv1.weight"] = sd[pre + "embeddings.patch_embedding.weight"]
    out["visual.ln_pre.weight"], out["visual.ln_pre.bias"] = sd[pre + "pre_layrnorm.weight"], sd[pre + "pre_layrnorm.bias"]
    for i in range(depth):
        q, o = pre + "encoder.layers.%d." % i, "visual.transformer.resblocks.%d." % i
        out[o + "ln_1.weight"], out[o + "ln_1.bias"] = sd[q + "layer_norm1.weight"], sd[q + "layer_norm1.bias"]
        out[o + "ln_2.weight"], out[o + "ln_2.bias"] = sd[q + "layer_norm2.weight"], sd[q + "layer_norm2.bias"]
        out[o + "attn.in_proj_weight"] = torch.cat([sd[q + "self_attn.%s_proj.weight" % n] for n in "qkv"])
        out[o + "attn.in_proj_bias"] = torch.cat([sd[q + "self_attn.%s_proj.bias" % n] for n in "qkv"])
        out[o + "attn.out_proj.weight"], out[o + "attn.out_proj.bias"] = sd[q + "self_attn.out_proj.weight"], sd[q + "self_attn.out_proj.bias"]
        out[o + "mlp.c_fc.weight"], out[o + "mlp.c_fc.bias"] = sd[q + "mlp.fc1.weight"], sd[q + "mlp.fc1.bias"]
        out[o + "mlp.c_proj.weight"], out[o + "mlp.c_proj.bias"] = sd[q + "mlp.fc2.weight"], sd[q + "mlp.fc2.bias"]
    out["visual.ln_post.weight"], out["visual.ln_post.bias"] = sd[pre + "post_layernorm.weight"], sd[pre + "post_layernorm.bias"]
    out["visual.proj"] = torch.randn(sd[pre + "post_layernorm.weight"].shape[0], 8)
    out["positional_embedding"] = torch.randn(7, 16)   # the text tower's, which must not be taken for the image's
    out["logit_scale"] = torch.tensor(4.6)
    return out


def gaussian_blur(x, ks, sigma):
    """kornia.filters.gaussian_blur2d(x, (ks, ks), (sigma, sigma)) (border 'reflect'): the separable kernel of
    kornia.filters.kernels.gaussian (x = arange(ks) - ks // 2, exp(-x^2 / 2 sigma^2), normalised), applied by
    reflect padding and a depthwise convolution."""
    t = torch.arange(ks, dtype=torch.float64) - ks // 2
    if ks % 2 == 0:
        t = t + 0.5
    g = torch.exp(-t.pow(2) / (2 * sigma ** 2))
    g = (g / g.sum()).to(x.dtype)
    c, r = x.shape[1], ks // 2
    x = F.pad(x, (r, r, r, r), mode="reflect")
    x = F.conv2d(x, g.view(1, 1, 1, ks).expand(c, 1, 1, ks), groups=c)
    return F.conv2d(x, g.view(1, 1, ks, 1).expand(c, 1, ks, 1), groups=c)


def kornia_resize(x, side):
    """kornia.geometry.resize(x, (side, side), interpolation='bicubic', align_corners=True, antialias=True), as
    kornia/geometry/transform/affwarp.py writes it: the input itself at the same size; a Gaussian blur
    (sigma (factor - 1)/2, kernel int(max(4 sigma, 3)) made odd) only when shrinking; then F.interpolate."""
    h = x.shape[-1]
    if h == side:
        return x
    factor = h / side
    if factor > 1:
        sigma = max((factor - 1.0) / 2.0, 0.001)
        ks = int(max(2.0 * 2 * sigma, 3))
        ks = ks if ks % 2 else ks + 1
        x = gaussian_blur(x, ks, sigma)
    return F.interpolate(x, size=(side, side), mode="bicubic", align_corners=True)


def preprocess(images, side, mean, std):
    """The tokenizer's VFM input: the kornia resize, clamp, [0, 1], mean/std."""
    x = kornia_resize(images, side)
    x = (x.clamp(-1, 1) + 1) / 2
    return (x - torch.tensor(mean).view(1, 3, 1, 1)) / torch.tensor(std).view(1, 3, 1, 1)


def random_dino(vcfg, gen):
    m = vfmtok_ref.DinoVisionTransformer(vcfg)
    with torch.no_grad():
        for k, t in m.state_dict().items():
            if k.endswith("norm1.weight") or k.endswith("norm2.weight") or k == "norm.weight":
                t.copy_(1 + 0.1 * torch.randn(t.shape, generator=gen))
            elif "gamma" in k:
                t.copy_(0.5 + 0.2 * torch.randn(t.shape, generator=gen))
            elif t.dim() >= 2 and k not in ("pos_embed", "cls_token", "register_tokens", "mask_token"):
                t.copy_(torch.randn(t.shape, generator=gen) * t.shape[-1] ** -0.5 if t.dim() == 2 else torch.randn(t.shape, generator=gen) * 0.2)
            else:
                t.copy_(torch.randn(t.shape, generator=gen) * 0.3)
    return m


def main(out):
    os.makedirs(out, exist_ok=True)
    gen = torch.Generator().manual_seed(1234)
    images = torch.rand(2, 3, 16, 16, generator=gen) * 2.2 - 1.1      # a little outside [-1, 1]: the clamp matters
    expected = {"images": images}
    clip_mean, clip_std = [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711]

    towers = {
        # name: config; "input" is the VFM input side (16: as given; 24: enlarged, pos-embed interpolated)
        "clip": dict(family="clip", dim=32, depth=3, heads=2, mlp=64, patch=4, image=16, eps=1e-5, levels=[0, 2],
                     norm_last=False, input=16, mean=clip_mean, std=clip_std),
        "clip_resized": dict(family="clip", dim=32, depth=3, heads=2, mlp=64, patch=4, image=16, eps=1e-5, levels=[1, 2],
                             norm_last=True, input=24, mean=clip_mean, std=clip_std),
        "clip_shrunk": dict(family="clip", dim=32, depth=3, heads=2, mlp=64, patch=4, image=16, eps=1e-5, levels=[2],
                            norm_last=False, input=8, mean=clip_mean, std=clip_std),
        "siglip": dict(family="siglip", dim=32, depth=3, heads=2, mlp=48, patch=4, image=16, eps=1e-6, levels=[1, 2],
                       norm_last=True, input=16, mean=[0.5] * 3, std=[0.5] * 3),
    }
    weights = {}
    for name, cfg in towers.items():
        key = cfg["family"]
        if key not in weights:
            weights[key] = random_tower(cfg, gen)
            st.save(os.path.join(out, key + ".safetensors"), weights[key])
        with torch.no_grad():
            feats = tower_features(weights[key], cfg, preprocess(images, cfg["input"], cfg["mean"], cfg["std"]))
        for i, f in enumerate(feats):
            expected["%s.level%d" % (name, i)] = f
    st.save(os.path.join(out, "clip_open_clip.safetensors"), to_open_clip(weights["clip"], towers["clip"]["depth"]))

    dinos = {
        # DINOv2 without registers: pos-embed resized without antialias, offset 0.1 (backbones.py)
        "dinov2_noreg": dict(embed_dim=32, depth=3, num_heads=2, mlp_ratio=4.0, patch_size=4, num_registers=0, ffn="mlp",
                             qkv_bias=True, layerscale=True, ln_eps=1e-6, img_size_pretrain=20,
                             interpolate_antialias=False, interpolate_offset=0.1),
        # ViT-g's fused SwiGLU feed-forward, with registers (antialias, offset 0)
        "dinov2_swiglu": dict(embed_dim=32, depth=3, num_heads=2, mlp_ratio=4.0, patch_size=4, num_registers=4, ffn="swiglufused",
                              qkv_bias=True, layerscale=True, ln_eps=1e-6, img_size_pretrain=20,
                              interpolate_antialias=True, interpolate_offset=0.0),
    }
    for name, vcfg in dinos.items():
        m = random_dino(vcfg, gen)
        st.save(os.path.join(out, name + ".safetensors"), dict(m.state_dict()))
        with torch.no_grad():
            feats = m.forward_features_levels(preprocess(images, 16, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]), [0, 2])
        for i, f in enumerate(feats):
            expected["%s.level%d" % (name, i)] = f
    big = torch.rand(2, 3, 32, 32, generator=gen) * 2 - 1
    expected["resize.input"] = big
    for side in (8, 12, 20, 32, 40):   # shrink by 4 (kernel 7) and by 8/3 (kernel 3), grow, identity
        expected["resize.%d" % side] = kornia_resize(big, side)
    st.save(os.path.join(out, "expected.safetensors"), {k: v.contiguous() for k, v in expected.items()})
    print("wrote", sorted(os.listdir(out)))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "vfmtok/src/test/resources/fixtures/vfms")
