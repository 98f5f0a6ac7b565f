#!/bin/bash
# PyTorch (../shared/bench/torch_lm_bench.py, same training step) and `perplex bench lm` side by side on this machine,
# alternating so both see the same load: LSTM 2x200 and 2x650, V=10000, bptt 35, batch 20, each RUNS times.
#   one core:  OPENBLAS_NUM_THREADS=1 torch --threads 1   vs  perplex --threads 1
#   two cores: OPENBLAS_NUM_THREADS=2 torch --threads 1 (its best two-core setting)  vs  perplex --threads 2
# OpenBLAS 0.3.21 (Debian 12) does not know this Xeon (Sapphire/Emerald Rapids) and falls back to its generic
# "Prescott" SSE kernels, 4x slower; OPENBLAS_CORETYPE=SkylakeX (AVX-512) is its fastest kernel here (1024^3:
# ~71 GFLOP/s against ~16 auto-detected), so the reference runs with it unless TORCH_CORETYPE says otherwise;
# TORCH_CORETYPE=auto leaves the choice to OpenBLAS (on the AMD Zen 4 it picks its Zen/Haswell AVX2 kernels).
# Usage: bench/lm-side-by-side.sh [seconds per run (20)] [runs (3)]   (from the repository root)
set -eu
if [ "${TORCH_CORETYPE:-SkylakeX}" != auto ]; then export OPENBLAS_CORETYPE=${TORCH_CORETYPE:-SkylakeX}; fi
SECONDS_PER_RUN=${1:-20}
RUNS=${2:-3}
TORCH_BENCH=${TORCH_BENCH:-../shared/bench/torch_lm_bench.py}
dotnet build src/Perplex.Cli -c Release -v quiet -nologo > /dev/null
PERPLEX=src/Perplex.Cli/bin/Release/net10.0/Perplex.Cli
uptime
for size in 200 650; do
  shape="--emsize $size --nhid $size --nlayers 2 --vocab 10000 --bptt 35 --batch-size 20"
  for run in $(seq "$RUNS"); do
    for cores in 1 2; do
      echo "== 2x$size run $run, $cores core(s), $(uptime | sed 's/.*load/load/')"
      OPENBLAS_NUM_THREADS=$cores /usr/bin/python3 "$TORCH_BENCH" --model LSTM $shape --threads 1 --seconds "$SECONDS_PER_RUN" | sed 's/^/torch   /'
      "$PERPLEX" bench lm --model LSTM $shape --threads "$cores" --seconds "$SECONDS_PER_RUN" | sed 's/^/perplex /'
    done
  done
done
