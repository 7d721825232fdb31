#!/usr/bin/python3
"""Small reference for the metric math alone (no network): ADM's FID (scipy.linalg.sqrtm), Inception Score,
and precision/recall on deterministic synthetic feature vectors that the Java test generates the same way
(fid_ref.uniform). Seconds to run; the fixture is a handful of numbers.

Usage: /usr/bin/python3 tools/reference/fid_metrics_ref.py OUT.npz
"""
import sys

import numpy as np

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import fid_ref  # noqa: E402


def features(key, n, d, shift):
    """Correlated, non-negative-ish features: relu(u @ mix + shift) with u and mix from the hash."""
    u = fid_ref.uniform(key, n * d).reshape(n, d)
    mix = fid_ref.uniform(key + "-mix", d * d).reshape(d, d) / np.sqrt(d)
    x = np.maximum(u @ mix * 3.0 + shift, 0.0)
    return x.astype(np.float32)


def main():
    d, classes = 64, 10
    ref = features("feat-ref", 150, d, 0.5)
    sam = features("feat-sample", 120, d, 0.7)
    w = (fid_ref.uniform("feat-fc", classes * d).reshape(classes, d) * 2.0).astype(np.float32)
    m1, s1 = fid_ref.statistics(ref)
    m2, s2 = fid_ref.statistics(sam)
    probs = fid_ref.softmax_probs(sam, w)
    prec, rec = fid_ref.precision_recall(ref, sam)
    out = {"fid": fid_ref.frechet_distance(m2, s2, m1, s1), "inception_score": fid_ref.inception_score(probs, 12),
           "precision": prec, "recall": rec, "ref_mu": m1, "ref_sigma_diag": np.diag(s1), "ref_sigma_row0": s1[0]}
    print({k: v for k, v in out.items() if np.ndim(v) == 0})
    np.savez(sys.argv[1], **{k: np.array(v) for k, v in out.items()})


if __name__ == "__main__":
    main()
