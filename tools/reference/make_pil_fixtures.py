#!/usr/bin/env python3
"""ADM's center_crop_arr with PIL (box halving, then Pillow's antialiased bicubic resize, then the centre crop)
on small deterministic images: the fixtures of vfmtok's ImageFilesPilTest.

Run with Debian's interpreter (apt-get install python3-pil python3-numpy):
    /usr/bin/python3 tools/reference/make_pil_fixtures.py --out vfmtok/src/test/resources/fixtures/pil
Writes <name>.png (the input, lossless) and <name>_crop<size>.npy (uint8, (size, size, 3)) per case and
manifest.json (Pillow and NumPy versions, the cases).
"""
import argparse
import json
import os

import numpy as np
import PIL
from PIL import Image


def center_crop_arr(pil_image, image_size):
    # guided-diffusion/improved-diffusion (ADM), as VFMTok's data pipeline uses it
    while min(*pil_image.size) >= 2 * image_size:
        pil_image = pil_image.resize(tuple(x // 2 for x in pil_image.size), resample=Image.BOX)
    scale = image_size / min(*pil_image.size)
    pil_image = pil_image.resize(tuple(round(x * scale) for x in pil_image.size), resample=Image.BICUBIC)
    arr = np.array(pil_image)
    crop_y = (arr.shape[0] - image_size) // 2
    crop_x = (arr.shape[1] - image_size) // 2
    return arr[crop_y: crop_y + image_size, crop_x: crop_x + image_size]


def image(rng, w, h):
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    base = np.stack([
        127 + 100 * np.sin(x / max(w, 1) * 6.3 + 1.0),
        127 + 100 * np.cos(y / max(h, 1) * 4.1),
        (x * 3 + y * 5) % 256,
    ], axis=-1)
    noisy = base + rng.normal(0, 20, size=base.shape)
    # a few hard edges: the bicubic kernel's overshoot gets clipped
    noisy[h // 3: h // 3 + 2, :, :] = 255
    noisy[:, w // 2, 0] = 0
    return np.clip(np.round(noisy), 0, 255).astype(np.uint8)


CASES = [  # name, width, height, size
    ("wide", 97, 61, 24),       # downscale by a non-integer factor, crop in x
    ("tall", 40, 130, 32),      # crop in y
    ("halved", 300, 200, 48),   # one box halving (200 >= 96), then bicubic
    ("twice", 410, 390, 64),    # two box halvings
    ("up", 16, 20, 24),         # upscaling
    ("exact", 24, 24, 24),      # the identity
    ("tie", 7, 2, 3),           # 7 * 1.5 = 10.5: Python's round gives 10 (half to even), not 11
    ("odd", 203, 99, 24),       # halvings of odd sides (203 -> 101 -> 50): BOX windows wider than 2 pixels
]

# Plain Image.resize of the first case's image, one pass or both: (name, source case, width, height, filter)
RESIZES = [
    ("box_odd", "odd", 67, 33, "BOX"),
    ("bicubic_x", "wide", 40, 61, "BICUBIC"),     # the horizontal pass only
    ("bicubic_y", "wide", 97, 23, "BICUBIC"),     # the vertical pass only
    ("bicubic_up", "up", 37, 29, "BICUBIC"),      # upscaling both sides
    ("bicubic_down", "twice", 51, 47, "BICUBIC"), # downscaling by ~8: support 16 pixels
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rng = np.random.RandomState(1234)
    manifest = {"generator": "tools/reference/make_pil_fixtures.py", "pillow": PIL.__version__, "numpy": np.__version__, "cases": []}
    for name, w, h, size in CASES:
        arr = image(rng, w, h)
        Image.fromarray(arr, "RGB").save(os.path.join(args.out, name + ".png"))
        crop = center_crop_arr(Image.open(os.path.join(args.out, name + ".png")).convert("RGB"), size)
        assert crop.shape == (size, size, 3), crop.shape
        np.save(os.path.join(args.out, "%s_crop%d.npy" % (name, size)), np.ascontiguousarray(crop))
        manifest["cases"].append({"name": name, "width": w, "height": h, "size": size})
    for name, source, w, h, filt in RESIZES:
        src = Image.open(os.path.join(args.out, source + ".png")).convert("RGB")
        out = np.array(src.resize((w, h), resample=getattr(Image, filt)))
        np.save(os.path.join(args.out, name + ".npy"), np.ascontiguousarray(out))
        manifest.setdefault("resizes", []).append({"name": name, "source": source, "width": w, "height": h, "filter": filt})
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main()
