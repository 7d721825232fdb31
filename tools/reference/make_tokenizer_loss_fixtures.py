#!/usr/bin/python3
"""The terms of VFMTok's tokenizer loss (spec §1.8) in PyTorch, on small random weights and small images:
the fixtures of vfmtok's TokenizerLossParityTest.

Run with Debian's interpreter (python3-torch):
    /usr/bin/python3 tools/reference/make_tokenizer_loss_fixtures.py
Writes vfmtok/src/test/resources/fixtures/loss/tokenizer_loss.safetensors (float32, CPU):

* lpips.*   taming-transformers' LPIPS (ScalingLayer, VGG16 features tapped after relu1_2 ... relu5_3,
            normalize_tensor, squared difference, lin0..4 = Sequential(Dropout, Conv2d(C, 1, 1, bias=False)),
            spatial mean, summed) with the VGG16 channel counts divided by 32 (the layout is the official one,
            only the widths are smaller); random weights. lpips.param.<key> (torchvision / taming key names),
            lpips.x, lpips.y, lpips.value (batch mean, as vq_loss.py's torch.mean(p_loss)), lpips.grad.x/.grad.y.
* disc.*    the DINO discriminator (DinoDisc: a frozen ViT, activations = tokens + CLS transposed to (B, C, N)
            at the embedding and after the key blocks, one head per activation: [SpectralConv1d k1 circular,
            BatchNormLocal(virtual batch, eps 1e-6), LeakyReLU 0.2] -> Residual([same, k9]) (sum / sqrt 2) ->
            SpectralConv1d(C, 1, 1); logits concatenated) on a small ViT (dim 16, 4 blocks, patch 4, 16 px,
            key blocks 1 and 3), in training mode (one power iteration per forward), virtual batch 2 on a batch
            of 4. The discriminator step: d_loss = 0.5 * hinge(D(x), D(x_hat)) (disc_weight 0.5), its gradients,
            then gradient clipping (max norm 0.05) and Adam(lr 1e-3, betas (0.9, 0.95), eps 1e-8) as the
            trainer's discriminator optimizer, then the generator term g = mean(softplus(-D(x_hat))) against the
            updated discriminator and its gradient with respect to x_hat (through the frozen ViT).
            The adaptive weight of taming's loss is disabled in VFMTok (factor 1), so there is nothing to fix.
* cos.*     the VFM feature loss: mean over (B, N) of 1 - CosineSimilarity(dim=2, eps=1e-6)(pred, target),
            value and gradient with respect to pred.
"""
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "fixtures"))
import st  # noqa: E402
from vfmtok_ref import DinoVisionTransformer  # noqa: E402

OUT = os.path.join(HERE, "..", "..", "vfmtok/src/test/resources/fixtures/loss/tokenizer_loss.safetensors")
torch.manual_seed(20261207)
out = {}

# ---------------------------------------------------------------- LPIPS (taming-transformers' lpips.py)
VGG_WIDTH_DIVISOR = 32
VGG16 = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512]
TAPS = [3, 8, 15, 22, 29]  # relu1_2, relu2_2, relu3_3, relu4_3, relu5_3 in vgg16.features


def vgg_features():
    layers, c = [], 3
    for v in VGG16:
        if v == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
        else:
            v //= VGG_WIDTH_DIVISOR
            layers += [nn.Conv2d(c, v, kernel_size=3, padding=1), nn.ReLU(inplace=True)]
            c = v
    return nn.Sequential(*layers[:TAPS[-1] + 1])


class NetLinLayer(nn.Module):
    def __init__(self, chn_in):
        super().__init__()
        self.model = nn.Sequential(nn.Dropout(), nn.Conv2d(chn_in, 1, 1, stride=1, padding=0, bias=False))


class LPIPS(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("shift", torch.Tensor([-.030, -.088, -.188])[None, :, None, None])
        self.register_buffer("scale", torch.Tensor([.458, .448, .450])[None, :, None, None])
        self.features = vgg_features()
        chns = [self.features[t - 1].out_channels for t in TAPS]
        for k, c in enumerate(chns):
            setattr(self, "lin%d" % k, NetLinLayer(c))

    def taps(self, x):
        outs, start = [], 0
        for t in TAPS:  # the slices of taming's vgg16 class
            for i in range(start, t + 1):
                x = self.features[i](x)
            outs.append(x)
            start = t + 1
        return outs

    def forward(self, x, y):
        def normalize_tensor(t, eps=1e-10):
            return t / (torch.sqrt(torch.sum(t ** 2, dim=1, keepdim=True)) + eps)

        o0, o1 = self.taps((x - self.shift) / self.scale), self.taps((y - self.shift) / self.scale)
        val = None
        for k in range(len(TAPS)):
            d = (normalize_tensor(o0[k]) - normalize_tensor(o1[k])) ** 2
            r = getattr(self, "lin%d" % k).model(d).mean([2, 3], keepdim=True)
            val = r if val is None else val + r
        return val


lp = LPIPS().eval()
with torch.no_grad():
    for k in range(len(TAPS)):  # LPIPS's lin weights are non-negative
        w = getattr(lp, "lin%d" % k).model[1].weight
        w.copy_(torch.rand_like(w) * 0.2)
for k, v in lp.state_dict().items():
    if k not in ("shift", "scale"):
        out["lpips.param." + k] = v.clone()
x = (torch.rand(2, 3, 24, 24) * 1.8 - 0.9)  # 24 -> 12 -> 6 -> 3 -> 1: the last pooling drops an odd edge
x = x.requires_grad_()
y = (x.detach() + 0.3 * torch.randn_like(x)).clamp(-1, 1).requires_grad_()
v = torch.mean(lp(x, y))
v.backward()
out.update({"lpips.x": x.detach(), "lpips.y": y.detach(), "lpips.value": v.detach().reshape(1),
            "lpips.grad.x": x.grad, "lpips.grad.y": y.grad})


# ---------------------------------------------------------------- DINO discriminator (DinoDisc)
class BatchNormLocal(nn.Module):
    def __init__(self, num_features, virtual_bs, eps):
        super().__init__()
        self.virtual_bs, self.eps = virtual_bs, eps
        self.weight = nn.Parameter(torch.ones(num_features))
        self.bias = nn.Parameter(torch.zeros(num_features))

    def forward(self, x):
        shape = x.size()
        G = math.ceil(x.size(0) / self.virtual_bs)
        x = x.view(G, -1, x.size(-2), x.size(-1))
        mean = x.mean([1, 3], keepdim=True)
        var = x.var([1, 3], keepdim=True, unbiased=False)
        x = (x - mean) / torch.sqrt(var + self.eps)
        x = x * self.weight[None, :, None] + self.bias[None, :, None]
        return x.view(shape)


def spectral_conv1d(cin, cout, k):
    return nn.utils.spectral_norm(nn.Conv1d(cin, cout, k, padding=k // 2, padding_mode="circular"),
                                  n_power_iterations=1, dim=0, eps=1e-12)


def make_block(c, k, vbs):
    return nn.Sequential(spectral_conv1d(c, c, k), BatchNormLocal(c, vbs, 1e-6), nn.LeakyReLU(0.2, True))


class Residual(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return (self.fn(x) + x) / math.sqrt(2)


VIT = {"embed_dim": 16, "patch_size": 4, "num_registers": 0, "interpolate_antialias": True,
       "interpolate_offset": 0.0, "img_size_pretrain": 16, "num_heads": 2, "mlp_ratio": 4, "ffn": "mlp",
       "qkv_bias": True, "layerscale": True, "ln_eps": 1e-6, "depth": 4}
KEY_BLOCKS = [1, 3]
VIRTUAL_BATCH = 2
MEAN, STD = torch.tensor([0.485, 0.456, 0.406]), torch.tensor([0.229, 0.224, 0.225])


class DinoDisc(nn.Module):
    def __init__(self):
        super().__init__()
        c = VIT["embed_dim"]
        self.heads = nn.ModuleList([nn.Sequential(make_block(c, 1, VIRTUAL_BATCH),
                                                  Residual(make_block(c, 9, VIRTUAL_BATCH)),
                                                  spectral_conv1d(c, 1, 1)) for _ in range(len(KEY_BLOCKS) + 1)])
        self.vit = (DinoVisionTransformer(VIT).eval(),)  # a tuple: frozen, not in the state dict

    def forward(self, x_pm1):
        vit = self.vit[0]
        x = ((x_pm1 * 0.5 + 0.5) - MEAN[None, :, None, None]) / STD[None, :, None, None]
        t = vit.prepare_tokens(x)
        acts = [(t[:, 1:] + t[:, :1]).transpose(1, 2)]
        for i, blk in enumerate(vit.blocks):
            t = blk(t)
            if i in KEY_BLOCKS:
                acts.append((t[:, 1:] + t[:, :1]).transpose(1, 2))
        B = x_pm1.shape[0]
        return torch.cat([h(a).view(B, -1) for h, a in zip(self.heads, acts)], dim=1)


disc = DinoDisc().train()
vit = disc.vit[0]
with torch.no_grad():
    for p in vit.parameters():
        p.add_(torch.randn_like(p) * 0.2)
    for p in disc.parameters():
        p.add_(torch.randn_like(p) * 0.1)
    for k, p in vit.named_parameters():  # DinoDisc's loader zeroes the key part of every qkv bias
        if k.endswith("attn.qkv.bias"):
            p[VIT["embed_dim"]:2 * VIT["embed_dim"]] = 0
    for p in vit.parameters():
        p.requires_grad_(False)
for k, v in vit.state_dict().items():
    out["disc.vit." + k] = v.clone()
for k, v in disc.state_dict().items():
    out["disc.param." + k] = v.clone()

real = torch.rand(4, 3, 16, 16) * 1.8 - 0.9
fake = (real + 0.4 * torch.randn_like(real)).clamp(-0.95, 0.95)
lr_, lf_ = disc(real), disc(fake)
d_loss = 0.5 * 0.5 * (torch.mean(F.relu(1.0 - lr_)) + torch.mean(F.relu(1.0 + lf_)))
d_loss.backward()
out.update({"disc.real": real, "disc.fake": fake, "disc.logits_real": lr_.detach(), "disc.logits_fake": lf_.detach(),
            "disc.d_loss": d_loss.detach().reshape(1)})
for k, p in disc.named_parameters():
    out["disc.grad." + k] = p.grad.clone()
for k, b in disc.named_buffers():
    out["disc.after2." + k] = b.clone()
params = [p for p in disc.parameters()]
torch.nn.utils.clip_grad_norm_(params, 0.05)
opt = torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.0)
opt.step()
opt.zero_grad()
for k, p in disc.named_parameters():
    out["disc.stepped." + k] = p.detach().clone()
fake_g = fake.clone().requires_grad_()
lg = disc(fake_g)
g = torch.mean(F.softplus(-lg))
g.backward()
out.update({"disc.logits_g": lg.detach(), "disc.g_loss": g.detach().reshape(1), "disc.grad.fake": fake_g.grad})
for k, b in disc.named_buffers():
    out["disc.after3." + k] = b.clone()

# ---------------------------------------------------------------- VFM feature (semantic) loss
pred = torch.randn(2, 9, 12, requires_grad=True)
target = 0.5 * pred.detach() + torch.randn(2, 9, 12)
cos = (1 - nn.CosineSimilarity(dim=2, eps=1e-6)(pred, target)).mean()
cos.backward()
out.update({"cos.pred": pred.detach(), "cos.target": target, "cos.value": cos.detach().reshape(1), "cos.grad": pred.grad})

os.makedirs(os.path.dirname(OUT), exist_ok=True)
st.save(OUT, out, {"generator": "tools/reference/make_tokenizer_loss_fixtures.py", "torch": torch.__version__})
print("wrote", os.path.normpath(OUT), sum(t.numel() for t in out.values()), "values")
