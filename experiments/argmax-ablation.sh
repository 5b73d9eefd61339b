#!/usr/bin/env bash
# The pseudo-label ablation of docs/results.md: self-training and the proposed method of a finished
# equal-budget setting again, with plain argmax pseudo-labels instead of the CRF
# (configs/cpu-budget/ablations/<name>-argmax.json), starting from that setting's own baseline
# (copied, not retrained, so only the pseudo-labels differ). Resumable like cpu-budget.sh.
# Usage: bash experiments/argmax-ablation.sh <setting, e.g. acdc-1-seed0>
set -euo pipefail
cd "$(dirname "$0")/.."
name=$1
out=runs/$name-argmax
config=configs/cpu-budget/ablations/$name-argmax.json
[ -f "runs/$name/baseline/done.json" ] || { echo "runs/$name: the baseline is not finished" >&2; exit 2; }
if [ ! -f "$out/config.json" ]; then
  mkdir -p "$out/baseline"
  cp runs/"$name"/baseline/*.safetensors "runs/$name/baseline/done.json" "$out/baseline/"
  cp runs/"$name"/baseline/handoff.json "$out/baseline/" 2>/dev/null || true
  grep '"stage":"baseline"' "runs/$name/metrics.jsonl" >"$out/metrics.jsonl"
  node --input-type=module -e "
    import { loadConfig } from './dist/src/method/config.js';
    import { writeFileSync } from 'node:fs';
    writeFileSync('$out/config.json', JSON.stringify(loadConfig('$config'), null, 2) + '\n');"
fi
node bin/contraseg.js run --config "$config" --out "$out" --resume >>"runs/$name-argmax.log" 2>&1
