#!/usr/bin/python3
"""PSNR and SSIM exactly as LlamaGen's tokenizer/tokenizer_image/reconstruction_vq_ddp.py computes them.

For each pair (reference uint8 image, reconstruction uint8 image) of the Java parity test:
    rgb_gt       = (Normalize(0.5, 0.5)(ToTensor(ref)) + 1) / 2          # float32, [0, 1]
    rgb_restored = recon.astype(np.float32) / 255.
    psnr = peak_signal_noise_ratio(rgb_restored, rgb_gt)                 # data_range from the dtype: 1
    ssim = structural_similarity(rgb_restored, rgb_gt, multichannel=True, data_range=2.0, channel_axis=-1)
(skimage 0.19: 7x7 uniform window, sample covariance, K1 0.01, K2 0.03, reflect padding, 3-pixel border cropped,
mean over the channels). Writes eval/src/test/resources/fixtures/recon/: pairN_ref.npy, pairN_recon.npy (uint8 HWC)
and metrics.npy (float64, one row per pair: psnr, ssim). Run with Debian's /usr/bin/python3 (python3-skimage).
"""
import os
import numpy as np
from skimage.metrics import peak_signal_noise_ratio as psnr_loss
from skimage.metrics import structural_similarity as ssim_loss

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "eval", "src", "test", "resources", "fixtures", "recon")


def gt_like_llamagen(ref):
    x = ref.astype(np.float32) / np.float32(255.0)          # ToTensor
    x = (x - np.float32(0.5)) / np.float32(0.5)             # Normalize(mean=0.5, std=0.5)
    return (x + np.float32(1.0)) / np.float32(2.0)


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(12)
    # (height, width, noise amplitude): smooth images with noisy reconstructions, one odd-sized, one nearly exact
    pairs = [(16, 16, 40), (23, 31, 12), (48, 40, 3), (9, 7, 25)]
    rows = []
    for k, (h, w, amp) in enumerate(pairs):
        yy, xx = np.mgrid[0:h, 0:w]
        ref = np.stack([(xx * 255 / max(w - 1, 1)), (yy * 255 / max(h - 1, 1)), 128 + 100 * np.sin((xx + yy) / 3.0)], -1)
        ref = np.clip(ref + rng.normal(0, 10, ref.shape), 0, 255).astype(np.uint8)
        recon = np.clip(ref.astype(np.int32) + rng.integers(-amp, amp + 1, ref.shape), 0, 255).astype(np.uint8)
        rgb_gt = gt_like_llamagen(ref)
        rgb_restored = recon.astype(np.float32) / 255.
        psnr = psnr_loss(rgb_restored, rgb_gt)
        ssim = ssim_loss(rgb_restored, rgb_gt, multichannel=True, data_range=2.0, channel_axis=-1)
        np.save(os.path.join(OUT, f"pair{k}_ref.npy"), ref)
        np.save(os.path.join(OUT, f"pair{k}_recon.npy"), recon)
        rows.append([psnr, ssim])
        print(f"pair{k} {h}x{w}: psnr {psnr:.6f} ssim {ssim:.6f}")
    np.save(os.path.join(OUT, "metrics.npy"), np.array(rows, dtype=np.float64))


if __name__ == "__main__":
    main()
