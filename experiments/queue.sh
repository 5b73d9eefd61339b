#!/usr/bin/env bash
# Runs configs `jobs` at a time (default 2: one per core, each config with "threads": 1), each in
# runs/<config name>/ with its log in runs/<config name>.log. Safe to kill and rerun at any point:
# finished runs are skipped and a killed one resumes from its last checkpoint (`--resume`).
# With -b RUNS, each run starts from the finished baseline of RUNS/<config name> (`contraseg run
# --baseline-from`; configs from experiments/variant-configs.mjs).
# Usage: bash experiments/queue.sh [-j JOBS] [-b RUNS] CONFIG.json ...
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=2
baselines=
# Stopping the queue stops its runs too (rerunning resumes them).
trap 'trap - TERM INT; kill 0' TERM INT
while [ "${1:-}" = "-j" ] || [ "${1:-}" = "-b" ]; do
  if [ "$1" = "-j" ]; then jobs=$2; else baselines=$2; fi
  shift 2
done
mkdir -p runs
run_one() {
  local config=$1 name
  name=$(basename "$config" .json)
  if [ -f "runs/$name/summary.json" ]; then
    echo "$name: done"
    return
  fi
  local extra=()
  [ -f "runs/$name/config.json" ] && extra=(--resume)
  [ -n "$BASELINES" ] && extra+=(--baseline-from "$BASELINES/$name")
  echo "$name: running (log runs/$name.log)"
  node bin/contraseg.js run --config "$config" --out "runs/$name" "${extra[@]}" >>"runs/$name.log" 2>&1 ||
    echo "$name: failed (exit $?, see runs/$name.log)"
}
export -f run_one
export BASELINES=$baselines
printf '%s\n' "$@" | xargs -P "$jobs" -I{} bash -c 'run_one "$1"' _ {}
