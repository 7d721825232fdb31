#!/usr/bin/python3
"""Cross-checks the torch calls in vfmtok_ref.py against hand-written versions of the formulas in
MODEL-SPEC.md (the formulas a Java port implements directly). Run:
    /usr/bin/python3 tools/reference/check_formulas.py
Prints the max abs difference of each case and fails if one is too large."""
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vfmtok_ref as R  # noqa: E402

torch.set_num_threads(2)
torch.set_default_dtype(torch.float64)


def cubic(x, a):
    x = abs(x)
    if x < 1:
        return ((a + 2) * x - (a + 3)) * x * x + 1
    if x < 2:
        return (((x - 5) * x + 8) * x - 4) * a
    return 0.0


def aa_bicubic_matrix(n_in, n_out, scale):
    """PyTorch/PIL antialiased bicubic (a=-0.5) weights (n_out, n_in); scale = input/output."""
    support = 2.0 * scale if scale >= 1.0 else 2.0
    inv = 1.0 / scale if scale >= 1.0 else 1.0
    Wm = torch.zeros(n_out, n_in)
    for i in range(n_out):
        center = scale * (i + 0.5)
        xmin = max(int(center - support + 0.5), 0)
        xmax = min(int(center + support + 0.5), n_in)
        ws = [cubic((j + xmin - center + 0.5) * inv, -0.5) for j in range(xmax - xmin)]
        tot = sum(ws)
        for j, w in enumerate(ws):
            Wm[i, xmin + j] = w / tot
    return Wm


def bicubic_matrix(n_in, n_out, coord_scale):
    """PyTorch bicubic (a=-0.75, align_corners False, no antialias): src = (dst+0.5)*scale - 0.5,
    taps floor(src)-1 .. floor(src)+2 clamped to [0, n_in-1]."""
    Wm = torch.zeros(n_out, n_in)
    for i in range(n_out):
        src = (i + 0.5) * coord_scale - 0.5
        f = math.floor(src)
        t = src - f
        for k in range(-1, 3):
            Wm[i, min(max(f + k, 0), n_in - 1)] += cubic(k - t, -0.75)
    return Wm


def sep(Wm, grid):  # grid (C, n, n) -> (C, m, m)
    return torch.einsum("ij,cjk,lk->cil", Wm, grid, Wm)


def check(name, a, b, tol):
    d = float((a - b).abs().max())
    print(f"{name:55s} max abs diff {d:.3g}")
    assert d <= tol, name


def main():
    g = torch.Generator().manual_seed(1)
    # DINOv2 pos-embed: 37 -> 24 antialiased bicubic, and the small config's 12 -> 8
    for n0, n in [(37, 24), (12, 8)]:
        pos = torch.randn(1, 1 + n0 * n0, 5, generator=g).float()
        ref = R.dino_interpolate_pos(pos, n, n, 0.0, True)[0, 1:].double()
        grid = pos[0, 1:].double().reshape(n0, n0, 5).permute(2, 0, 1)
        man = sep(aa_bicubic_matrix(n0, n, n0 / n), grid).permute(1, 2, 0).reshape(n * n, 5)
        check(f"dino pos {n0}->{n} AA bicubic a=-0.5 (manual, size ratio)", ref, man, 2e-5)
        man75 = sep(bicubic_matrix(n0, n, n0 / n), grid).permute(1, 2, 0).reshape(n * n, 5)
        print(f"{'   (plain a=-0.75 bicubic would differ by)':55s} {float((ref - man75).abs().max()):.3g}")
    # Decoder table: 24 -> 21 with scale_factor 21.1/24 (coordinate scale 24/21.1), small 8 -> 7
    for G, gd in [(24, 21), (8, 7)]:
        pos = torch.randn(1, 1 + G * G, 5, generator=g).float()
        ref = R.decoder_pos_table(pos, gd, gd)[0].double()
        grid = pos[0, 1:].double().reshape(G, G, 5).permute(2, 0, 1)
        man = sep(bicubic_matrix(G, gd, G / (gd + 0.1)), grid).permute(1, 2, 0).reshape(gd * gd, 5)
        check(f"decoder pos {G}->{gd} bicubic, coordinate scale {G}/{gd}.1", ref[1:], man, 2e-5)
        check("decoder pos CLS row kept", ref[0], pos[0, 0].double(), 0)
        wrong = sep(bicubic_matrix(G, gd, G / gd), grid).permute(1, 2, 0).reshape(gd * gd, 5)
        label = f"   (size-based {G}/{gd} mapping would differ by)"
        print(f"{label:55s} {float((ref[1:] - wrong).abs().max()):.3g}")
    # MSDeformAttn core: grid_sample path vs explicit bilinear with zero padding
    shapes = [(4, 4), (3, 5)]
    N, Lq, M, D, P = 2, 3, 2, 4, 3
    L = len(shapes)
    value = torch.randn(N, sum(h * w for h, w in shapes), M, D, generator=g)
    loc = torch.rand(N, Lq, M, L, P, 2, generator=g) * 1.6 - 0.3
    aw = torch.softmax(torch.randn(N, Lq, M, L * P, generator=g), -1).view(N, Lq, M, L, P)
    ref = R.ms_deform_attn_core_pytorch(value, shapes, loc, aw)
    man = torch.zeros(N, Lq, M * D)
    starts = [0, shapes[0][0] * shapes[0][1]]
    for n in range(N):
        for q in range(Lq):
            for m in range(M):
                acc = torch.zeros(D)
                for l, (H, W) in enumerate(shapes):
                    for p in range(P):
                        x = float(loc[n, q, m, l, p, 0]) * W - 0.5
                        y = float(loc[n, q, m, l, p, 1]) * H - 0.5
                        x0, y0 = math.floor(x), math.floor(y)
                        lx, ly = x - x0, y - y0
                        s = torch.zeros(D)
                        for yy, xx, w in [(y0, x0, (1 - ly) * (1 - lx)), (y0, x0 + 1, (1 - ly) * lx),
                                          (y0 + 1, x0, ly * (1 - lx)), (y0 + 1, x0 + 1, ly * lx)]:
                            if 0 <= yy < H and 0 <= xx < W:
                                s += w * value[n, starts[l] + yy * W + xx, m]
                        acc += float(aw[n, q, m, l, p]) * s
                man[n, q, m * D:(m + 1) * D] = acc
    check("MSDeformAttn core vs explicit bilinear, zero padding", ref, man, 1e-12)
    # Reference points
    ref = R.DeformableTransformerEncoder.get_reference_points(16, 16, 1)[0, :, 0].double()
    k = torch.arange(256)
    man = torch.stack([((k % 16) + 0.5) / 16, ((k // 16) + 0.5) / 16], -1).double()
    check("reference points ((j+.5)/16, (i+.5)/16)", ref, man, 1e-7)
    # SwiGLU hidden, decoder register inertness is covered in make_fixtures.py
    assert R.swiglu_hidden(2048) == 1368 and R.swiglu_hidden(1536 * 4) == 4096
    print("all formula checks passed")


if __name__ == "__main__":
    main()
