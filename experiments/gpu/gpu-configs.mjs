#!/usr/bin/env node
// Writes the configs of a GPU run: the hours experiment (configs/hours/*.json) on `--device`, with
// every iteration count and validation interval multiplied by `--scale` (so each stage keeps its
// share and its number of validations) and the data read from `--data` (unpack-data.mjs). A
// device call cannot be resumed, so periodic checkpoints come with the validations only.
// Usage: node experiments/gpu/gpu-configs.mjs --scale S --data DIR --out DIR
//          [--device cuda] [--threads N] [--name-suffix S] [config.json ...]
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values: o, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    scale: { type: 'string' },
    data: { type: 'string' },
    out: { type: 'string' },
    device: { type: 'string', default: 'cuda' },
    threads: { type: 'string', default: '2' },
  },
});
const scale = Number(o.scale);
if (!(scale > 0) || !o.data || !o.out) throw new Error('usage: gpu-configs.mjs --scale S --data DIR --out DIR');
const files = positionals.length > 0 ? positionals : readdirSync('configs/hours').map((f) => join('configs/hours', f));

/** Iterations: multiples of 10, at least 10. Validation intervals: multiples of 5, at least 5. */
const iterations = (n) => Math.max(10, Math.round((n * scale) / 10) * 10);
const interval = (n) => Math.max(5, Math.round((n * scale) / 5) * 5);

mkdirSync(o.out, { recursive: true });
for (const file of files.filter((f) => f.endsWith('.json')).sort()) {
  const cfg = JSON.parse(readFileSync(file, 'utf8'));
  cfg.device = o.device;
  cfg.threads = Number(o.threads);
  cfg.data.root = resolve(o.data, basename(cfg.data.root));
  const b = cfg.baseline;
  b.iterations = iterations(b.iterations);
  if (b.handoff !== undefined) b.handoff = Math.min(iterations(b.handoff), b.iterations);
  b.valEvery = interval(b.valEvery);
  b.checkpointEvery = b.valEvery;
  const j = cfg.joint;
  j.iterationsPerRound = iterations(j.iterationsPerRound);
  if (j.selfTrainingIterationsPerRound !== undefined)
    j.selfTrainingIterationsPerRound = iterations(j.selfTrainingIterationsPerRound);
  j.valEvery = interval(j.valEvery);
  j.checkpointEvery = j.valEvery;
  const f = cfg.fixmatch;
  f.iterations = iterations(f.iterations);
  f.valEvery = interval(f.valEvery);
  f.checkpointEvery = f.valEvery;
  writeFileSync(join(o.out, basename(file)), `${JSON.stringify(cfg, null, 2)}\n`);
}
