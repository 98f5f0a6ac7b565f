#!/bin/bash
# Recipe parity on WikiText-2: PyTorch's word_language_model and `perplex train` with the same recipe, data,
# vocabulary and seeds, two runs at a time (one core each), so the two seed-to-seed spreads can be compared.
#
#   bench/wt2-recipe-seeds.sh WLM_DIR OUT_DIR SEED...     (from the repository root)
#
# A SEED runs both tools; torch:SEED or perplex:SEED runs one. The runs form one queue served by two workers.
# On the AMD EPYC (Zen 5) of Dec 2026 PyTorch 1.13 needed 0.9–1.2 s per batch here (its log_softmax over the
# 18,329 words alone took ≈ 0.25 s), 40–48 minutes per run; perplex 5–8 minutes.
#
# WLM_DIR holds main.py, model.py and data.py of github.com/pytorch/examples/word_language_model; with PyTorch 1.13
# (bench/install-torch-reference.sh) its torch-2-only `torch.serialization.safe_globals` wrapper around the final
# `torch.load` must be removed (nothing else changes). Data as in ../shared/bench/README.md: train = wikitext-2
# valid.txt, valid = test = wikitext-2 test.txt; word_language_model's vocabulary comes from all three files, so
# perplex runs with --vocab-from all. Each seed gives OUT_DIR/torch-SEED.log and OUT_DIR/perplex-SEED.log; the
# final test perplexities are printed at the end (bench/summarize-wt2-seeds.py OUT_DIR prints them again).
set -eu
WLM=$(realpath "$1"); OUT=$(realpath -m "$2"); shift 2
DATA=${WT2_DATA:-$(realpath ../shared/data/wikitext-2)}
mkdir -p "$OUT/data"
cp "$DATA/valid.txt" "$OUT/data/train.txt"
cp "$DATA/test.txt" "$OUT/data/valid.txt"
cp "$DATA/test.txt" "$OUT/data/test.txt"
dotnet build src/Perplex.Cli -c Release -v quiet -nologo > /dev/null
PERPLEX=$(realpath src/Perplex.Cli/bin/Release/net10.0/Perplex.Cli)
export OPENBLAS_CORETYPE=${TORCH_CORETYPE:-SkylakeX} OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1

run_torch() {
  (cd "$OUT" && /usr/bin/python3 "$WLM/main.py" --data data --model LSTM --emsize 200 --nhid 200 --nlayers 2 \
    --dropout 0.2 --lr 20 --clip 0.25 --epochs 6 --bptt 35 --batch_size 20 --seed "$1" --save "torch-$1.pt" \
    > "torch-$1.log" 2>&1)
}
run_perplex() {
  "$PERPLEX" train --model LSTM --emsize 200 --nhid 200 --nlayers 2 --dropout 0.2 --lr 20 --clip 0.25 --epochs 6 \
    --bptt 35 --batch-size 20 --seed "$1" --train "$OUT/data/train.txt" --valid "$OUT/data/valid.txt" \
    --test "$OUT/data/test.txt" --vocab-from all --threads 1 --quiet --save "$OUT/perplex-$1.safetensors" \
    --log "$OUT/perplex-$1.csv" > "$OUT/perplex-$1.log" 2>&1
}

export -f run_torch run_perplex
export OUT WLM PERPLEX
uptime
for job in "$@"; do
  case "$job" in
    torch:*|perplex:*) echo "$job" ;;
    *) echo "torch:$job"; echo "perplex:$job" ;;
  esac
done | xargs -P 2 -I{} bash -c 'job={}; echo "${job}: started $(date -u +%H:%M:%S), $(uptime | sed "s/.*load/load/")"; run_${job%%:*} ${job#*:}; echo "${job}: ended $(date -u +%H:%M:%S)"'
python3 "$(dirname "$0")/summarize-wt2-seeds.py" "$OUT"
