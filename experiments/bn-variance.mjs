// How much of a checkpoint's validation score depends on which training batches re-estimate its
// batch-norm statistics (config bnUpdate): the baseline's saved checkpoints of a run, each scored
// at training resolution (the selection score) after re-estimation from `seeds` different draws
// of `bnUpdate.batches` augmented labeled batches, and from 8× as many batches. A diagnosis only:
// the validation volumes are those the run selects on.
// Usage (after `npx tsc -p tsconfig.json`): node experiments/bn-variance.mjs <run-dir> [seeds]
import { join } from 'node:path';
import * as torch from '../dist/src/torch/index.js';
import { UNet } from '../dist/src/nn/index.js';
import { loadConfig } from '../dist/src/method/config.js';
import { makePreprocessor, openDataset, unetConfig } from '../dist/src/method/setup.js';
import { evalVolumes, labeledPool } from '../dist/src/method/pools.js';
import { loadCheckpoint } from '../dist/src/method/train/checkpoint.js';
import { bnUpdater } from '../dist/src/method/bn-update.js';
import { supervisedBatch } from '../dist/src/method/train/supervised.js';
import { scoreVolumesNetworkSpace } from '../dist/src/method/validate.js';
import { stageFilesIn } from '../dist/src/method/run-dir.js';

const [runDir, seedsArg] = process.argv.slice(2);
if (!runDir) {
  console.error('usage: node experiments/bn-variance.mjs <run-dir> [seeds]');
  process.exit(2);
}
const seeds = Number(seedsArg ?? 5);
const cfg = loadConfig(join(runDir, 'config.json'));
torch.setNumThreads(cfg.threads);
const dataset = await openDataset(cfg);
const pre = makePreprocessor(cfg);
const classes = dataset.classNames.length;
const labeled = labeledPool(await dataset.labeledTrain(), pre, classes);
const validation = evalVolumes(await dataset.validation(), pre, classes);
const files = stageFilesIn(runDir, 'baseline');
const checkpoints = { handoff: files.handoff, best: files.best, last: files.checkpoint };

const net = new UNet(unetConfig(cfg, classes));
const score = () => 100 * scoreVolumesNetworkSpace(net, validation, pre).dice;
const reestimate = (seed, batches) =>
  bnUpdater({ ...cfg, bnUpdate: { ...cfg.bnUpdate, batches } }, seed, (rng) => [
    supervisedBatch(labeled, cfg, cfg.baseline.batchSize, classes, rng, 'cpu').images,
  ])(net);

const rows = [];
for (const [name, path] of Object.entries(checkpoints)) {
  const state = loadCheckpoint(path, net, null, null);
  const saved = score(); // the statistics saved with the checkpoint (the run's own re-estimation)
  const draws = [];
  for (let s = 1; s <= seeds; s++) {
    loadCheckpoint(path, net, null, null);
    reestimate(1000 + s, cfg.bnUpdate.batches);
    draws.push(score());
  }
  loadCheckpoint(path, net, null, null);
  reestimate(2000, 8 * cfg.bnUpdate.batches);
  const many = score();
  const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
  const sd = Math.sqrt(draws.reduce((a, b) => a + (b - mean) ** 2, 0) / (draws.length - 1));
  rows.push({ name, iteration: state.iteration, saved, draws, mean, sd, many });
  console.log(
    `${name} (iteration ${state.iteration}): saved ${saved.toFixed(1)} | ${seeds} draws of ${cfg.bnUpdate.batches} batches: ${draws.map((d) => d.toFixed(1)).join(' ')} (mean ${mean.toFixed(1)}, sd ${sd.toFixed(1)}) | ${8 * cfg.bnUpdate.batches} batches: ${many.toFixed(1)}`,
  );
}
net.dispose();
