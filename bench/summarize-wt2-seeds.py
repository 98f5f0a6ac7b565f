#!/usr/bin/env python3
"""Per-epoch and final test perplexities of bench/wt2-recipe-seeds.sh runs, as a Markdown table plus mean and sd.

usage: summarize-wt2-seeds.py OUT_DIR
torch-SEED.log: word_language_model's output ("| end of epoch ... valid ppl X", "| End of training | ... test ppl X";
its valid file is the test file). perplex-SEED.log: `perplex train` ("| end of epoch ... test ppl X", "best model
saved ...: ... test ppl X").
"""
import glob
import os
import re
import statistics
import sys

out = sys.argv[1]
rows = []
for path in sorted(glob.glob(os.path.join(out, "*.log"))):
    name = os.path.basename(path)[:-4]
    tool, _, seed = name.partition("-")
    text = open(path, encoding="utf-8").read()
    if tool == "torch":
        epochs = re.findall(r"end of epoch\s+\d+ \|.*?valid ppl\s+([\d.]+)", text)
        final = re.findall(r"End of training \|.*?test ppl\s+([\d.]+)", text)
    elif tool == "perplex":
        epochs = re.findall(r"end of epoch\s+\d+ \|.*?test ppl\s+([\d.]+)", text)
        final = re.findall(r"best model saved .*?test ppl\s+([\d.]+)", text)
    else:
        continue
    rows.append((tool, seed, [float(x) for x in epochs], float(final[-1]) if final else None))

rows.sort(key=lambda r: (r[0] != "torch", int(r[1]) if r[1].isdigit() else r[1]))
width = max((len(r[2]) for r in rows), default=0)
print("| run | " + " | ".join(f"epoch {i + 1}" for i in range(width)) + " | final test |")
print("|---|" + "---|" * (width + 1))
for tool, seed, epochs, final in rows:
    cells = [f"{x:.2f}" for x in epochs] + [""] * (width - len(epochs))
    label = "PyTorch" if tool == "torch" else "Perplex"
    ending = f"{final:.2f}" if final is not None else "(unfinished)"
    print(f"| {label}, seed {seed} | " + " | ".join(cells) + f" | {ending} |")
for tool, label in (("torch", "PyTorch"), ("perplex", "Perplex")):
    finals = [r[3] for r in rows if r[0] == tool and r[3] is not None]
    if finals:
        sd = statistics.stdev(finals) if len(finals) > 1 else float("nan")
        print(f"{label}: {len(finals)} runs, mean {statistics.mean(finals):.2f}, sd {sd:.2f}, "
              f"min {min(finals):.2f}, max {max(finals):.2f}")
