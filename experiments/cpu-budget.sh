#!/usr/bin/env bash
# The equal-budget CPU experiment of docs/results.md ("Real data"): every setting of
# configs/cpu-budget/, one after another, each in runs/<name>/ with its log in runs/<name>.log.
# Safe to kill and rerun at any point: finished settings are skipped and a killed one resumes
# from its last checkpoint (`contraseg run --resume`).
# Usage: bash experiments/cpu-budget.sh [name ...]   (default: all, models first)
set -euo pipefail
cd "$(dirname "$0")/.."
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  names=(acdc-1-seed0 acdc-3-seed0 acdc-7-seed0 promise12-2-seed0 acdc-1-seed1 acdc-1-seed2 promise12-1-seed0)
fi
mkdir -p runs
for name in "${names[@]}"; do
  if [ -f "runs/$name/summary.json" ]; then
    echo "$name: done"
    continue
  fi
  echo "$name: running (log runs/$name.log)"
  resume=()
  [ -f "runs/$name/config.json" ] && resume=(--resume)
  node bin/contraseg.js run --config "configs/cpu-budget/$name.json" --out "runs/$name" "${resume[@]}" \
    >>"runs/$name.log" 2>&1
done
