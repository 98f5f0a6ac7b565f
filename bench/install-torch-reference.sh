#!/bin/sh
# The speed reference of `perplex bench lm`: Debian's PyTorch 1.13 with OpenBLAS (without libopenblas0-pthread,
# python3-torch falls back to the Netlib reference BLAS and runs 20-40x slower). Needs root (apt).
# Afterwards: /usr/bin/python3 -c "import torch" works and bench/lm-side-by-side.sh can run.
set -eu
apt-get update
apt-get install -y --no-install-recommends python3-torch libopenblas0-pthread
/usr/bin/python3 -c 'import torch; print("torch", torch.__version__)'
