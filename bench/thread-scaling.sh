#!/bin/bash
# Two threads against one, alternating so both see the same load: ROUNDS rounds of `perplex bench lm --threads 1`
# then `--threads 2` (LSTM 2×H, V=10000, bptt 35, batch 20), then the per-round ratios and their median.
# (`perplex bench lm --threads 2 --against-one-thread` compares the two inside one process, in alternating one-second
# blocks, which the drifting load of a shared machine disturbs less than separate runs.)
# Usage: bench/thread-scaling.sh [rounds (4)] [H (200)] [seconds per run (10)]   (from the repository root)
set -eu
ROUNDS=${1:-4}; H=${2:-200}; SECS=${3:-10}
PERPLEX=${PERPLEX:-src/Perplex.Cli/bin/Release/net10.0/Perplex.Cli.dll}
[ -n "${PERPLEX_NO_BUILD:-}" ] || dotnet build src/Perplex.Cli -c Release -v quiet -nologo > /dev/null
ratios=()
for r in $(seq "$ROUNDS"); do
  declare -A tps
  for t in 1 2; do
    out=$(dotnet "$PERPLEX" bench lm --model LSTM --emsize "$H" --nhid "$H" --nlayers 2 --vocab 10000 --bptt 35 --batch-size 20 \
      --threads "$t" --seconds "$SECS" --quiet)
    tps[$t]=$(echo "$out" | sed -n 's/^train tokens\/s: \([0-9.]*\).*/\1/p')
    echo "round $r, $t thread(s): $(echo "$out" | grep -m1 'tokens/s'); $(echo "$out" | grep -m1 'utilization')"
  done
  ratios+=("$(echo "${tps[2]} / ${tps[1]}" | bc -l)")
done
printf '%s\n' "${ratios[@]}" | sort -g | awk '{a[NR]=$1} END {printf "two ÷ one per round: "; for (i=1;i<=NR;i++) printf "%.2f ", a[i]; m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "\nmedian: %.2fx\n", m}'
