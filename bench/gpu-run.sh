#!/usr/bin/env bash
# Builds the addon against the CUDA LibTorch of the Python torch wheel on a GPU machine (no
# network, no Node install: experiments/gpu/device-setup.sh, prepared here by
# experiments/gpu/prepare.sh, device tool carrying .devtools) and runs the engine benchmark and the
# demo on the GPU. Results go to $OUT.
set -uo pipefail
cd "$(dirname "$0")/.."
source experiments/gpu/device-setup.sh
nvidia-smi -L; python3 -c "import torch;print('python torch', torch.__version__, torch.cuda.is_available())"
node bin/contraseg.js bench engine --device cuda --python python3 --steps 20 --json 2>&1 | tee "$OUT/bench-cuda.json"
timeout 240 node bin/contraseg.js demo --device cuda --json 2>&1 | tail -5 | tee "$OUT/demo-cuda.json"
timeout 240 node bin/contraseg.js bench distributed --device cuda --json 2>&1 | tail -5 | tee "$OUT/bench-distributed-cuda.json"
