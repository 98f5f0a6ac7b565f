#!/bin/bash
# The ceiling two threads can reach on this machine: two INDEPENDENT one-thread trainings at once (two processes, no
# shared data, no synchronisation) against one alone, and `--threads 2` in the same round. Data parallelism cannot
# beat two independent copies of the same work, so if their sum is below 2× one copy, the shortfall is the machine's
# (shared cache, memory, clock), not the step's. ROUNDS rounds of: one process; two processes at once; --threads 2.
# Usage: bench/independent-copies.sh [rounds (3)] [H (650)] [seconds per run (20)]   (from the repository root)
set -eu
ROUNDS=${1:-3}; H=${2:-650}; SECS=${3:-20}
PERPLEX=${PERPLEX:-src/Perplex.Cli/bin/Release/net10.0/Perplex.Cli.dll}
[ -n "${PERPLEX_NO_BUILD:-}" ] || dotnet build src/Perplex.Cli -c Release -v quiet -nologo > /dev/null
run() { dotnet "$PERPLEX" bench lm --model LSTM --emsize "$H" --nhid "$H" --nlayers 2 --vocab 10000 --bptt 35 --batch-size 20 \
          --threads "$1" --seconds "$SECS" --quiet | sed -n 's/^train tokens\/s: \([0-9.]*\).*/\1/p'; }
copies=(); threads=()
for r in $(seq "$ROUNDS"); do
  one=$(run 1)
  tmp=$(mktemp -d)
  run 1 > "$tmp/a" & run 1 > "$tmp/b" & wait
  a=$(cat "$tmp/a"); b=$(cat "$tmp/b"); rm -r "$tmp"
  two=$(run 2)
  c=$(echo "($a + $b) / $one" | bc -l); t=$(echo "$two / $one" | bc -l)
  copies+=("$c"); threads+=("$t")
  printf 'round %d: one copy %.0f tokens/s; two copies at once %.0f + %.0f = %.2f× one; --threads 2 %.0f = %.2f× one\n' \
    "$r" "$one" "$a" "$b" "$c" "$two" "$t"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f", m}'; }
echo "median: two independent copies $(median "${copies[@]}")× one; --threads 2 $(median "${threads[@]}")× one"
