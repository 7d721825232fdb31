#!/usr/bin/env python3
"""Medians and minima of the per-JVM best ms/step in the A/B files given (lines 'TAG MODEL rows R: best X ms/step ...')."""
import re, sys, statistics
runs = {}
for path in sys.argv[1:]:
    tag = None
    for line in open(path):
        m = re.match(r'^(\S+) (?:2 compiler directives added)?\s*$', line)
        if m: tag = m.group(1); continue
        m = re.search(r'^(?:(old|new|new-nohuge|var) )?(GPT-\w) rows (\d+): best ([\d.]+)', line)
        if m:
            t = m.group(1) or tag
            runs.setdefault((m.group(2), int(m.group(3)), t), []).append(float(m.group(4)))
            tag = None
print("model rows tree n median_best min_best all")
for (model, rows, t), v in sorted(runs.items()):
    print(f"{model} {rows} {t} {len(v)} {statistics.median(v):.1f} {min(v):.1f} {' '.join(f'{x:.1f}' for x in v)}")
