#!/usr/bin/env python3
"""Medians of a bench/lm-side-by-side.sh log as a Markdown table: tokens/s (wall), tokens per CPU-second and
Perplex's model FLOP utilization, per model size and core count, with Perplex/PyTorch ratios.
Usage: python3 bench/summarize-side-by-side.py LOG"""
import re, statistics, sys

runs = {}  # (size, cores) -> {"torch": [[wall, cpu, cores]], "perplex": [[wall, cpu, cores, mfu_wall, mfu_cpu]]}
projected = {}  # (size, cores) -> Perplex's projected tokens/s with a free core per thread
key = None
for line in open(sys.argv[1], encoding="utf-8"):
    if m := re.match(r"== 2x(\d+) run \d+, (\d) core", line):
        key = (int(m[1]), int(m[2]))
        runs.setdefault(key, {"torch": [], "perplex": []})
    elif key and (m := re.match(r"(torch|perplex)\s+train tokens/s: ([\d.]+)", line)):
        runs[key][m[1]].append([float(m[2])])
    elif key and (m := re.match(r"(torch|perplex)\s+tokens per CPU-second: ([\d.]+)", line)):
        runs[key][m[1]][-1].append(float(m[2]))
        # cores the process got on average = CPU time / wall time
        runs[key][m[1]][-1].append(float(m[2]) and runs[key][m[1]][-1][0] / float(m[2]))
    elif key and (m := re.match(r"perplex model FLOP utilization: ([\d.]+) % of \d core\(s\) \(wall\), [\d.]+ % \(median step\), ([\d.]+) % per CPU", line)):
        runs[key]["perplex"][-1] += [float(m[1]), float(m[2])]  # wall MFU, MFU per CPU-second
    elif key and (m := re.match(r"perplex CPU seconds: .* ≈ ([\d.]+) tokens/s \(projection", line)):
        projected.setdefault(key, []).append(float(m[1]))

def med(rows, i):
    return statistics.median(r[i] for r in rows if len(r) > i)

print("| model | cores | runs | PyTorch tokens/s | Perplex tokens/s | ratio | PyTorch tokens/CPU-s | Perplex tokens/CPU-s | ratio | cores got (PyTorch, Perplex) | Perplex MFU (wall) | Perplex MFU per CPU-s | Perplex projected tokens/s, a free core per thread |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for (size, cores), r in sorted(runs.items()):
    t, p = r["torch"], r["perplex"]
    if not t or not p: continue
    proj = f"{statistics.median(projected[(size, cores)]):,.0f}" if (size, cores) in projected else "–"
    print(f"| LSTM 2×{size} | {cores} | {len(p)} | {med(t,0):,.0f} | {med(p,0):,.0f} | {med(p,0)/med(t,0):.2f}× | "
          f"{med(t,1):,.0f} | {med(p,1):,.0f} | {med(p,1)/med(t,1):.2f}× | {med(t,2):.2f}, {med(p,2):.2f} | {med(p,3):.1f} % | {med(p,4):.1f} % | {proj} |")
