#!/usr/bin/env bash
# One call on a GPU machine: every setting of configs/hours, all side by side, at the largest
# schedule that fits the budget. Prepared here with `bash experiments/gpu/prepare.sh`; run there as
#   bash experiments/gpu/run-all.sh        (device tool: carry .devtools)
# Steps: build the addon against the machine's LibTorch, unpack the data, time one baseline and
# one proposed iteration of every setting at once (`contraseg bench train`, all in parallel, so
# the timings include the sharing), scale every iteration count of configs/hours by the factor
# that fills the budget (gpu-configs.mjs), run, stop what is still running at the deadline, then
# tabulate, ship the models and pack everything into $OUT.
# Environment: OUT (default /tmp/gpu-out), BUDGET_S (seconds from the start until runs are
# stopped; default 505, which leaves the 10-minute call time to pack and to time the distributed
# step over NCCL), DEVICE (cuda), THREADS (per run; 2), SCALE (skip the timing: use this),
# FALLBACK_SCALE (if the timing fails; 0.3), HOURS (the configs to scale; default configs/hours),
# SKIP_SETUP (Node and the addon are there).
set -uo pipefail
cd "$(dirname "$0")/../.."
T0=$(date +%s)
OUT=${OUT:-/tmp/gpu-out}
BUDGET_S=${BUDGET_S:-505}
DEVICE=${DEVICE:-cuda}
THREADS=${THREADS:-2}
DATA=/tmp/contraseg-data
mkdir -p "$OUT" runs
elapsed() { echo $(($(date +%s) - T0)); }
log() { echo "[$(elapsed) s] $*" | tee -a "$OUT/run-all.log"; }

HOURS=${HOURS:-configs/hours}
if [ -z "${SKIP_SETUP:-}" ]; then
  source experiments/gpu/device-setup.sh >>"$OUT/run-all.log" 2>&1
  tail -3 "$OUT/run-all.log"
fi
command -v nvidia-smi >/dev/null && nvidia-smi -L | tee -a "$OUT/run-all.log"
log "setup done"
node experiments/gpu/unpack-data.mjs .devtools/data.pack.xz "$DATA" || exit 1
log "data unpacked"

hours=("$HOURS"/*.json)
names=()
for c in "${hours[@]}"; do names+=("$(basename "$c" .json)"); done
if [ -z "${SCALE:-}" ]; then
  node experiments/gpu/gpu-configs.mjs --scale 1 --data "$DATA" --out /tmp/gpu-probe-configs \
    --device "$DEVICE" --threads "$THREADS" "${hours[@]}" || exit 1
  mkdir -p runs/probe
  for n in "${names[@]}"; do
    timeout 150 node bin/contraseg.js bench train --config "/tmp/gpu-probe-configs/$n.json" \
      --json --warmup 2 --iterations 6 >"runs/probe/$n.json" 2>"runs/probe/$n.log" &
  done
  wait
  log "timed: $(cat runs/probe/*.json | tr '\n' ' ' | cut -c1-400)"
  # Seconds left for the runs, less what every run pays besides its iterations: start-up and data
  # (25 s), validations (1 s each), pseudo-label rounds (0.015 s per unlabeled slice, an estimate:
  # on 2026-11-30 the CRF still ran on the CPU and took 0.045 s, 55 s a round for ACDC's 1,280
  # slices with all seven runs side by side; it now runs on the GPU), final native scoring (40 s).
  SCALE=$(node -e '
    const fs = require("node:fs");
    const [left, ...names] = process.argv.slice(1);
    let scale = 1;
    for (const n of names) {
      const c = JSON.parse(fs.readFileSync(`/tmp/gpu-probe-configs/${n}.json`, "utf8"));
      const t = JSON.parse(fs.readFileSync(`runs/probe/${n}.json`, "utf8"));
      const j = c.joint;
      const joint = j.rounds * (j.iterationsPerRound + (j.selfTrainingIterationsPerRound ?? j.iterationsPerRound)) + c.fixmatch.iterations;
      const validations = c.baseline.iterations / c.baseline.valEvery + (2 * j.rounds * j.iterationsPerRound) / j.valEvery + c.fixmatch.iterations / c.fixmatch.valEvery;
      const lines = (f) => fs.readFileSync(`${c.data.root}/${f}`, "utf8").split("\n").filter((l) => l.trim());
      const cases = new Set(lines("train.list"));
      const unlabeled = c.data.kind === "acdc-h5" ? lines("train_slices.list").length
        : fs.readdirSync(`${c.data.root}/Img`).filter((f) => cases.has(f.split("_")[0])).length;
      const fixed = 25 + validations + 0.015 * unlabeled * 2 * j.rounds + 40;
      const work = (c.baseline.iterations * t.baseline.iteration_ms + joint * t.proposed.iteration_ms) / 1000;
      scale = Math.min(scale, (Number(left) - fixed) / work);
    }
    console.log(Math.max(0.02, scale).toFixed(3));
  ' $((BUDGET_S - $(elapsed) - 10)) "${names[@]}") || {
    SCALE=${FALLBACK_SCALE:-0.3}
    log "the timing failed (runs/probe/*.log); scale $SCALE instead"
  }
fi
log "scale $SCALE"
node experiments/gpu/gpu-configs.mjs --scale "$SCALE" --data "$DATA" --out configs/gpu \
  --device "$DEVICE" --threads "$THREADS" "${hours[@]}" || exit 1
sampler=
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=timestamp,utilization.gpu,memory.used --format=csv -l 15 >runs/gpu-use.csv 2>&1 &
  sampler=$!
fi
pids=()
for n in "${names[@]}"; do
  node bin/contraseg.js run --config "configs/gpu/$n.json" --out "runs/$n" >"runs/$n.log" 2>&1 &
  pids+=($!)
done
running() { for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && echo "$p"; done; }
while [ "$(elapsed)" -lt "$BUDGET_S" ] && [ -n "$(running)" ]; do sleep 2; done
if [ -n "$(running)" ]; then
  log "deadline: stopping $(running | wc -l) runs"
  kill $(running) 2>/dev/null
fi
wait "${pids[@]}"
[ -n "$sampler" ] && kill "$sampler"
log "runs ended"
for n in "${names[@]}"; do echo "$n: $(tail -c 300 "runs/$n.log" | tail -1)" >>"$OUT/run-all.log"; done

node experiments/tabulate.mjs runs configs/gpu >"$OUT/table.md" 2>&1
SHIP_CONFIGS=configs/gpu SHIP_RUNS=runs SHIP_GPU="${GPU_NAME:-$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)}" \
  node experiments/ship-models.mjs >>"$OUT/run-all.log" 2>&1
tar -cJf "$OUT/runs.tar.xz" configs/gpu runs/*.log $(ls -d runs/probe runs/gpu-use.csv 2>/dev/null) \
  $(ls runs/*/summary.json runs/*/config.json runs/*/seeds.json runs/*/metrics.jsonl runs/*/*/done.json 2>/dev/null)
# Files come back at most 16 MiB each: three float16 models (4.2 MB) and their cards per archive.
ls models/*.safetensors 2>/dev/null | xargs -r -n 3 | nl -w1 -s' ' | while read -r i files; do
  tar -cf "$OUT/models-$i.tar" $files $(echo " $files" | sed 's/\.safetensors/.md/g')
done
log "packed"
# torch.distributed on this device (NCCL): one process against one rank per GPU (a one-rank group on
# a single GPU; NCCL rejects two ranks on one GPU).
[ "$DEVICE" = cpu ] || timeout "${DIST_TIMEOUT_S:-45}" node bin/contraseg.js bench distributed --device "$DEVICE" \
  --json >"$OUT/bench-distributed.json" 2>&1
log "done"
cat "$OUT/table.md"
