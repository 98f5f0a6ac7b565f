#!/usr/bin/env python3
"""The unlabeled text for `classify train --pretrain-text` on NSMC: every review of the raw corpus (reviews.tsv:
id, rating, review) except those whose id is in the test file, one per line. The test reviews must not be seen.
Usage: python3 bench/nsmc-pretrain-text.py ../shared/data/nsmc/reviews.tsv ../shared/data/nsmc/ratings_test.txt OUT"""
import sys

raw, test, out = sys.argv[1:4]
with open(test, encoding="utf-8") as f:
    held_out = {line.split("\t", 1)[0] for line in list(f)[1:]}
kept = removed = 0
with open(raw, encoding="utf-8") as f, open(out, "w", encoding="utf-8") as o:
    next(f)  # header
    for line in f:
        fields = line.rstrip("\n").split("\t")
        if len(fields) < 3 or not fields[2].strip():
            continue
        if fields[0] in held_out:
            removed += 1
            continue
        o.write(fields[2].strip() + "\n")
        kept += 1
print(f"{kept} reviews written to {out}; {removed} test reviews left out (of {len(held_out)} test ids)")
