#!/usr/bin/python3
"""Reference for the generation metrics (eval module, org.vfmtok.eval.gen / .inception).

Written from pytorch-fid's model code (src/pytorch_fid/inception.py: torchvision's Inception3 with the
FIDInceptionA/C/E_1/E_2 patches, 1008 classes, BatchNorm eps 1e-3) and the math of the ADM evaluator
(openai/guided-diffusion evaluations/evaluator.py: TF1 bilinear resize without half-pixel centres,
(x-128)/128, pool_3 and mixed_6/conv[..., :7] features, FID via scipy.linalg.sqrtm, IS with splits, and
precision/recall with ManifoldEstimator k=3).

The real weights file cannot be downloaded here, so the network gets deterministic random weights in the
released key layout, generated from a formula that the Java tests compute too (see `synthetic_weights`).
The images are generated from a formula as well (`synthetic_images`), so the committed fixture holds only
the expected numbers.

Usage: /usr/bin/python3 tools/reference/fid_ref.py OUT_DIR [--images N] [--features K] [--pth FILE]
The committed fixture eval/src/test/resources/fid/fid_ref.npz is OUT_DIR/fid_ref.npz of the defaults
(80 + 80 images of 64x64, features of the first 2; about 25 minutes on 2 busy cores; a few hundred images
per set would be better statistics but did not fit the machine's time).
Writes OUT_DIR/fid_ref.npz (features of the first K images of each set, in both resize modes, and all
five metrics per mode) and, with --pth, the synthetic weights as a torch state dict.
"""
import argparse
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from scipy import linalg

# ----------------------------------------------------------------------------------------- generators
MASK64 = (1 << 64) - 1


def splitmix64(x):
    """SplitMix64 finaliser on a uint64 array (wrapping arithmetic), as java.util.SplittableRandom mixes."""
    x = (x + np.uint64(0x9E3779B97F4A7C15)) & np.uint64(MASK64)
    z = x
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def fnv1a64(s):
    h = 0xCBF29CE484222325
    for b in s.encode("utf-8"):
        h ^= b
        h = (h * 0x100000001B3) & MASK64
    return h


def uniform(key, n):
    """n doubles in [-1, 1): element i = 2 * (splitmix64(fnv1a64(key) + i) >> 11) * 2^-53 - 1."""
    with np.errstate(over="ignore"):
        idx = np.arange(n, dtype=np.uint64) + np.uint64(fnv1a64(key))
        z = splitmix64(idx)
    return (z >> np.uint64(11)).astype(np.float64) * (2.0 ** -53) * 2.0 - 1.0


def synthetic_value(key, shape):
    """The documented per-key formula (must match SyntheticInceptionWeights.java)."""
    n = int(np.prod(shape))
    u = uniform(key, n)
    name = key.rsplit(".", 1)[-1]
    if key.endswith("conv.weight"):
        fan_in = n // shape[0]
        v = u * np.sqrt(6.0 / fan_in)               # He-uniform: variance 2 / fan_in
    elif key == "fc.weight":
        v = u * np.sqrt(3.0 / shape[1]) * 2.0       # logits of a few units: a non-flat softmax
    elif key == "fc.bias":
        v = u * 0.5
    elif name == "weight":                          # BN gamma
        v = 1.0 + 0.2 * u
    elif name == "bias":                            # BN beta
        v = 0.1 * u
    elif name == "running_mean":
        v = 0.1 * u
    elif name == "running_var":
        v = 1.0 + 0.5 * u                           # in [0.5, 1.5)
    else:
        raise ValueError(key)
    return v.astype(np.float32).reshape(shape)


def synthetic_images(which, n, size):
    """uint8 NHWC images from integers only (must match SyntheticImages.java): banded gradients, a
    rectangle and hash noise; `which` 0 = reference set, 1 = sample set (other slopes and noise)."""
    out = np.zeros((n, size, size, 3), dtype=np.uint8)
    y, x = np.meshgrid(np.arange(size, dtype=np.int64), np.arange(size, dtype=np.int64), indexing="ij")
    for i in range(n):
        p = uniform("image-%d-%d" % (which, i), 8)
        a = int(np.floor((p[0] + 1) * (3 + 2 * which)))           # slope in x
        b = int(np.floor((p[1] + 1) * 3))                          # slope in y
        r0 = int(np.floor((p[2] + 1) * size / 4))
        c0 = int(np.floor((p[3] + 1) * size / 4))
        side = size // 4 + int(np.floor((p[4] + 1) * size / 8))
        amp = 24 + 16 * which
        noise = uniform("noise-%d-%d" % (which, i), size * size * 3).reshape(size, size, 3)
        for c in range(3):
            base = (a * x + b * y + 40 * c + int(np.floor((p[5 + c] + 1) * 64))) % 256
            rect = (y >= r0) & (y < r0 + side) & (x >= c0) & (x < c0 + side)
            v = np.where(rect, 255 - base, base) + np.floor(noise[..., c] * amp).astype(np.int64)
            out[i, :, :, c] = np.clip(v, 0, 255).astype(np.uint8)
    return out


# ----------------------------------------------------------------------------------------- the network
class BasicConv2d(nn.Module):
    def __init__(self, cin, cout, **kw):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, bias=False, **kw)
        self.bn = nn.BatchNorm2d(cout, eps=0.001)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)), inplace=True)


class FIDInceptionA(nn.Module):
    def __init__(self, cin, pool_features):
        super().__init__()
        self.branch1x1 = BasicConv2d(cin, 64, kernel_size=1)
        self.branch5x5_1 = BasicConv2d(cin, 48, kernel_size=1)
        self.branch5x5_2 = BasicConv2d(48, 64, kernel_size=5, padding=2)
        self.branch3x3dbl_1 = BasicConv2d(cin, 64, kernel_size=1)
        self.branch3x3dbl_2 = BasicConv2d(64, 96, kernel_size=3, padding=1)
        self.branch3x3dbl_3 = BasicConv2d(96, 96, kernel_size=3, padding=1)
        self.branch_pool = BasicConv2d(cin, pool_features, kernel_size=1)

    def forward(self, x):
        b1 = self.branch1x1(x)
        b5 = self.branch5x5_2(self.branch5x5_1(x))
        b3 = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        bp = self.branch_pool(F.avg_pool2d(x, kernel_size=3, stride=1, padding=1, count_include_pad=False))
        return torch.cat([b1, b5, b3, bp], 1)


class InceptionB(nn.Module):
    def __init__(self, cin):
        super().__init__()
        self.branch3x3 = BasicConv2d(cin, 384, kernel_size=3, stride=2)
        self.branch3x3dbl_1 = BasicConv2d(cin, 64, kernel_size=1)
        self.branch3x3dbl_2 = BasicConv2d(64, 96, kernel_size=3, padding=1)
        self.branch3x3dbl_3 = BasicConv2d(96, 96, kernel_size=3, stride=2)

    def forward(self, x):
        b3 = self.branch3x3(x)
        bd = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        bp = F.max_pool2d(x, kernel_size=3, stride=2)
        return torch.cat([b3, bd, bp], 1)


class FIDInceptionC(nn.Module):
    def __init__(self, cin, c7):
        super().__init__()
        self.branch1x1 = BasicConv2d(cin, 192, kernel_size=1)
        self.branch7x7_1 = BasicConv2d(cin, c7, kernel_size=1)
        self.branch7x7_2 = BasicConv2d(c7, c7, kernel_size=(1, 7), padding=(0, 3))
        self.branch7x7_3 = BasicConv2d(c7, 192, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7dbl_1 = BasicConv2d(cin, c7, kernel_size=1)
        self.branch7x7dbl_2 = BasicConv2d(c7, c7, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7dbl_3 = BasicConv2d(c7, c7, kernel_size=(1, 7), padding=(0, 3))
        self.branch7x7dbl_4 = BasicConv2d(c7, c7, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7dbl_5 = BasicConv2d(c7, 192, kernel_size=(1, 7), padding=(0, 3))
        self.branch_pool = BasicConv2d(cin, 192, kernel_size=1)
        self.tap = None

    def forward(self, x):
        b1 = self.branch1x1(x)
        self.tap = b1
        b7 = self.branch7x7_3(self.branch7x7_2(self.branch7x7_1(x)))
        bd = self.branch7x7dbl_1(x)
        for m in (self.branch7x7dbl_2, self.branch7x7dbl_3, self.branch7x7dbl_4, self.branch7x7dbl_5):
            bd = m(bd)
        bp = self.branch_pool(F.avg_pool2d(x, kernel_size=3, stride=1, padding=1, count_include_pad=False))
        return torch.cat([b1, b7, bd, bp], 1)


class InceptionD(nn.Module):
    def __init__(self, cin):
        super().__init__()
        self.branch3x3_1 = BasicConv2d(cin, 192, kernel_size=1)
        self.branch3x3_2 = BasicConv2d(192, 320, kernel_size=3, stride=2)
        self.branch7x7x3_1 = BasicConv2d(cin, 192, kernel_size=1)
        self.branch7x7x3_2 = BasicConv2d(192, 192, kernel_size=(1, 7), padding=(0, 3))
        self.branch7x7x3_3 = BasicConv2d(192, 192, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7x3_4 = BasicConv2d(192, 192, kernel_size=3, stride=2)

    def forward(self, x):
        b3 = self.branch3x3_2(self.branch3x3_1(x))
        b7 = self.branch7x7x3_4(self.branch7x7x3_3(self.branch7x7x3_2(self.branch7x7x3_1(x))))
        bp = F.max_pool2d(x, kernel_size=3, stride=2)
        return torch.cat([b3, b7, bp], 1)


class FIDInceptionE(nn.Module):
    """E_1 (average pool without padding counted) or E_2 (max pool), as pytorch-fid patches them."""

    def __init__(self, cin, max_pool):
        super().__init__()
        self.max_pool = max_pool
        self.branch1x1 = BasicConv2d(cin, 320, kernel_size=1)
        self.branch3x3_1 = BasicConv2d(cin, 384, kernel_size=1)
        self.branch3x3_2a = BasicConv2d(384, 384, kernel_size=(1, 3), padding=(0, 1))
        self.branch3x3_2b = BasicConv2d(384, 384, kernel_size=(3, 1), padding=(1, 0))
        self.branch3x3dbl_1 = BasicConv2d(cin, 448, kernel_size=1)
        self.branch3x3dbl_2 = BasicConv2d(448, 384, kernel_size=3, padding=1)
        self.branch3x3dbl_3a = BasicConv2d(384, 384, kernel_size=(1, 3), padding=(0, 1))
        self.branch3x3dbl_3b = BasicConv2d(384, 384, kernel_size=(3, 1), padding=(1, 0))
        self.branch_pool = BasicConv2d(cin, 192, kernel_size=1)

    def forward(self, x):
        b1 = self.branch1x1(x)
        b3 = self.branch3x3_1(x)
        b3 = torch.cat([self.branch3x3_2a(b3), self.branch3x3_2b(b3)], 1)
        bd = self.branch3x3dbl_2(self.branch3x3dbl_1(x))
        bd = torch.cat([self.branch3x3dbl_3a(bd), self.branch3x3dbl_3b(bd)], 1)
        if self.max_pool:
            bp = F.max_pool2d(x, kernel_size=3, stride=1, padding=1)
        else:
            bp = F.avg_pool2d(x, kernel_size=3, stride=1, padding=1, count_include_pad=False)
        return torch.cat([b1, b3, bd, self.branch_pool(bp)], 1)


class FIDInceptionV3(nn.Module):
    """torchvision's Inception3(num_classes=1008, aux_logits=False) with pytorch-fid's patched blocks."""

    def __init__(self):
        super().__init__()
        self.Conv2d_1a_3x3 = BasicConv2d(3, 32, kernel_size=3, stride=2)
        self.Conv2d_2a_3x3 = BasicConv2d(32, 32, kernel_size=3)
        self.Conv2d_2b_3x3 = BasicConv2d(32, 64, kernel_size=3, padding=1)
        self.Conv2d_3b_1x1 = BasicConv2d(64, 80, kernel_size=1)
        self.Conv2d_4a_3x3 = BasicConv2d(80, 192, kernel_size=3)
        self.Mixed_5b = FIDInceptionA(192, 32)
        self.Mixed_5c = FIDInceptionA(256, 64)
        self.Mixed_5d = FIDInceptionA(288, 64)
        self.Mixed_6a = InceptionB(288)
        self.Mixed_6b = FIDInceptionC(768, 128)
        self.Mixed_6c = FIDInceptionC(768, 160)
        self.Mixed_6d = FIDInceptionC(768, 160)
        self.Mixed_6e = FIDInceptionC(768, 192)
        self.Mixed_7a = InceptionD(768)
        self.Mixed_7b = FIDInceptionE(1280, max_pool=False)
        self.Mixed_7c = FIDInceptionE(2048, max_pool=True)
        self.fc = nn.Linear(2048, 1008)

    def forward(self, x):
        """x: (N, 3, 299, 299) already normalised to [-1, 1]. Returns pool3 (N, 2048) and the sFID
        features (N, 17*17*7): Mixed_6d's branch1x1 output (the TF graph's mixed_6/conv), first 7
        channels, flattened in NHWC order."""
        x = self.Conv2d_2b_3x3(self.Conv2d_2a_3x3(self.Conv2d_1a_3x3(x)))
        x = F.max_pool2d(x, kernel_size=3, stride=2)
        x = self.Conv2d_4a_3x3(self.Conv2d_3b_1x1(x))
        x = F.max_pool2d(x, kernel_size=3, stride=2)
        for m in (self.Mixed_5b, self.Mixed_5c, self.Mixed_5d, self.Mixed_6a, self.Mixed_6b, self.Mixed_6c,
                  self.Mixed_6d, self.Mixed_6e, self.Mixed_7a, self.Mixed_7b, self.Mixed_7c):
            x = m(x)
        pool3 = F.adaptive_avg_pool2d(x, (1, 1)).flatten(1)
        spatial = self.Mixed_6d.tap[:, :7].permute(0, 2, 3, 1).reshape(x.shape[0], -1)
        return pool3, spatial


def build_model():
    model = FIDInceptionV3().eval()
    sd = model.state_dict()
    new = {}
    for k, v in sd.items():
        if k.endswith("num_batches_tracked"):
            new[k] = v
        else:
            new[k] = torch.from_numpy(synthetic_value(k, tuple(v.shape)))
    model.load_state_dict(new)
    return model


# ----------------------------------------------------------------------------------------- input
def tf1_resize_bilinear(img, size):
    """tf.compat.v1.image.resize_bilinear(align_corners=False, half_pixel_centers=False) on one float32
    HWC image: src = dst * (in / out) in float32, the legacy kernel's order of operations."""
    h, w, _ = img.shape

    def axis(n_in, n_out):
        scale = np.float32(n_in) / np.float32(n_out)
        src = np.arange(n_out, dtype=np.float32) * scale
        lo = np.floor(src)
        lower = np.maximum(lo.astype(np.int64), 0)
        upper = np.minimum(np.ceil(src).astype(np.int64), n_in - 1)
        return lower, upper, (src - lo).astype(np.float32)

    yl, yu, yf = axis(h, size)
    xl, xu, xf = axis(w, size)
    tl = img[yl][:, xl]
    tr = img[yl][:, xu]
    bl = img[yu][:, xl]
    br = img[yu][:, xu]
    xf = xf[None, :, None]
    yf = yf[:, None, None]
    top = tl + (tr - tl) * xf
    bottom = bl + (br - bl) * xf
    return (top + (bottom - top) * yf).astype(np.float32)


def preprocess(images, mode):
    """uint8 NHWC -> float32 NCHW 299x299 in [-1, 1] the way the chosen evaluator does it."""
    if mode == "tf1":
        batch = np.stack([tf1_resize_bilinear(im.astype(np.float32), 299) for im in images])
        batch = (batch - np.float32(128)) * np.float32(1.0 / 128)
        return torch.from_numpy(np.ascontiguousarray(batch.transpose(0, 3, 1, 2)))
    x = torch.from_numpy(images.transpose(0, 3, 1, 2).copy()).float() / 255
    x = F.interpolate(x, size=(299, 299), mode="bilinear", align_corners=False)
    return 2 * x - 1


def features(model, images, mode, batch=20):
    pools, spatials = [], []
    with torch.no_grad():
        for i in range(0, len(images), batch):
            p, s = model(preprocess(images[i:i + batch], mode))
            pools.append(p.numpy())
            spatials.append(s.numpy())
            print("  %s: %d/%d images" % (mode, i + len(p), len(images)), file=sys.stderr, flush=True)
    return np.concatenate(pools), np.concatenate(spatials)


# ----------------------------------------------------------------------------------------- ADM's math
def statistics(acts):
    acts = acts.astype(np.float64)
    return np.mean(acts, axis=0), np.cov(acts, rowvar=False)


def frechet_distance(mu1, sigma1, mu2, sigma2, eps=1e-6):
    diff = mu1 - mu2
    covmean, _ = linalg.sqrtm(sigma1.dot(sigma2), disp=False)
    if not np.isfinite(covmean).all():
        offset = np.eye(sigma1.shape[0]) * eps
        covmean = linalg.sqrtm((sigma1 + offset).dot(sigma2 + offset))
    if np.iscomplexobj(covmean):
        covmean = covmean.real
    return float(diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean))


def softmax_probs(pool3, fc_weight):
    logits = pool3.astype(np.float32) @ fc_weight.T.astype(np.float32)  # no bias, as ADM
    logits = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(logits)
    return e / e.sum(axis=1, keepdims=True)


def inception_score(preds, split_size):
    scores = []
    for i in range(0, len(preds), split_size):
        part = preds[i:i + split_size]
        kl = part * (np.log(part) - np.log(np.expand_dims(np.mean(part, 0), 0)))
        kl = np.mean(np.sum(kl, 1))
        scores.append(np.exp(kl))
    return float(np.mean(scores))


def pairwise_distances(u, v):
    """ADM's DistanceBlock: squared distances with inputs cast to float16, clamped at 0; the float16 result
    is kept when finite (else the float32 path). Accumulation here is float32 (TF's CPU half matmul)."""
    def block(a, b):
        nu = np.sum(np.square(a), 1).reshape(-1, 1)
        nv = np.sum(np.square(b), 1).reshape(1, -1)
        return np.maximum(nu - 2 * (a @ b.T) + nv, 0.0)
    u16 = u.astype(np.float16).astype(np.float32)
    v16 = v.astype(np.float16).astype(np.float32)
    d16 = block(u16, v16).astype(np.float16)
    if np.all(np.isfinite(d16)):
        return d16.astype(np.float32)
    return block(u.astype(np.float32), v.astype(np.float32))


def manifold_radii(feats, k=3):
    d = pairwise_distances(feats, feats)
    return np.partition(d, k, axis=1)[:, k]


def precision_recall(ref, sample, k=3):
    r1, r2 = manifold_radii(ref, k), manifold_radii(sample, k)
    d = pairwise_distances(ref, sample)             # (N1, N2)
    ref_in = np.any(d <= r2[None, :], axis=1)       # recall: reference points inside some sample ball
    sample_in = np.any(d <= r1[:, None], axis=0)    # precision: samples inside some reference ball
    return float(np.mean(sample_in)), float(np.mean(ref_in))


# ----------------------------------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--images", type=int, default=80)
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--features", type=int, default=2)
    ap.add_argument("--pth")
    ap.add_argument("--no-metrics", action="store_true", help="features only (a quick check of the network)")
    args = ap.parse_args()
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    model = build_model()
    if args.pth:
        torch.save(model.state_dict(), args.pth)
    fc = model.fc.weight.detach().numpy()
    ref = synthetic_images(0, args.images, args.size)
    sam = synthetic_images(1, args.images, args.size)
    out = {"images": np.array(args.images), "size": np.array(args.size),
           "ref_image0": ref[0], "sample_image0": sam[0]}
    split = args.images // 10
    for mode in ("tf1", "torch"):
        rp, rs = features(model, ref, mode)
        sp, ss = features(model, sam, mode)
        k = args.features
        out[mode + "_ref_pool3"] = rp[:k]
        out[mode + "_ref_spatial"] = rs[:k]
        out[mode + "_sample_pool3"] = sp[:k]
        out[mode + "_sample_spatial"] = ss[:k]
        out[mode + "_input0"] = preprocess(ref[:1], mode).numpy()[0, :, ::37, ::37]
        probs = softmax_probs(sp, fc)
        out[mode + "_sample_probs"] = probs[:k]
        if args.no_metrics:
            continue
        m1, s1 = statistics(rp)
        m2, s2 = statistics(sp)
        ms1, ss1 = statistics(rs)
        ms2, ss2 = statistics(ss)
        prec, rec = precision_recall(rp, sp)
        metrics = {"fid": frechet_distance(m2, s2, m1, s1), "sfid": frechet_distance(ms2, ss2, ms1, ss1),
                   "inception_score": inception_score(probs, split), "precision": prec, "recall": rec}
        for name, v in metrics.items():
            out[mode + "_" + name] = np.array(v)
        print(mode, metrics, "pool3 mean %.4f std %.4f, spatial mean %.4f, max prob %.3f"
              % (rp.mean(), rp.std(), rs.mean(), probs.max(axis=1).mean()), flush=True)
    os.makedirs(args.out, exist_ok=True)
    np.savez(os.path.join(args.out, "fid_ref.npz"), **out)


if __name__ == "__main__":
    main()
