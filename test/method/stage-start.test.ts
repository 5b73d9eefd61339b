import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, type RunConfig } from '../../src/method/config.js';
import { runPipeline } from '../../src/method/run.js';
import { baselineBnUpdater, bnUpdater } from '../../src/method/bn-update.js';
import { labeledPool } from '../../src/method/pools.js';
import { makePreprocessor, openDataset, unetConfig } from '../../src/method/setup.js';
import { loadCheckpoint } from '../../src/method/train/checkpoint.js';
import { UNet } from '../../src/nn/index.js';
import { loadSafetensors } from '../../src/nn/safetensors.js';
import * as torch from '../../src/torch/index.js';
import { tinyConfig } from './tiny-config.js';
import { readSeeds, runFiles, stageFilesIn } from '../../src/method/run-dir.js';
import { supervisedBatch } from '../../src/method/train/supervised.js';

// One tiny run whose semi-supervised stages continue from the whole baseline ('full'), shared by
// the checks below: how a stage starts (optimiser, batch-norm statistics) and whether the proposed
// method's contrastive term trains at all.
let dir: string;
let cfg: RunConfig;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stage-start-'));
  cfg = parseConfig({
    ...tinyConfig,
    // Enough baseline iterations for argmax pseudo-labels that hold every class, so that the
    // proposed method finds contrastive pairs.
    baseline: { ...tinyConfig.baseline, iterations: 40 },
    pseudo: { ...tinyConfig.pseudo, crf: null },
    // One round: the stage's last checkpoint then continues its first update without a restart.
    joint: { ...tinyConfig.joint, init: 'full', rounds: 1 },
    validation: { space: 'network' },
  });
  await runPipeline(cfg, { dir });
});
after(() => rmSync(dir, { recursive: true, force: true }));

function optimizerScalars(path: string): Record<string, number> {
  const { tensors, metadata } = loadSafetensors(path);
  torch.dispose(tensors);
  return JSON.parse(metadata['contraseg.optimizer']);
}

function weights(path: string, name: string): Float32Array {
  const { tensors } = loadSafetensors(path);
  const v = Float32Array.from(tensors[name].data() as Float32Array);
  torch.dispose(tensors);
  return v;
}

const maxAbsDiff = (a: Float32Array, b: Float32Array) =>
  a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

test("joint.init 'full' continues the baseline's optimiser: moments and step counts carried", () => {
  const start = optimizerScalars(stageFilesIn(dir, 'baseline').best);
  const net = new UNet(unetConfig(cfg, 4));
  const names = net.namedParameters().map(([n]) => n);
  net.dispose();
  const encoder = names.indexOf('enc1.0.conv.weight');
  const embedding = names.indexOf('cont1.weight');
  assert.ok(start[`step.${encoder}`] > 0, 'the baseline stepped its encoder');
  assert.equal(start[`step.${embedding}`], 0, 'the baseline never uses the embedding head');
  const metrics = readFileSync(runFiles(dir).metrics, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const proposedTrain = metrics.filter((m) => m.stage === 'proposed' && m.kind === 'train');
  const updates = proposedTrain.filter((m) => !m.skipped).length;
  const end = optimizerScalars(stageFilesIn(dir, 'proposed').checkpoint);
  assert.equal(end[`step.${encoder}`], start[`step.${encoder}`] + updates);
  assert.equal(end[`step.${embedding}`], updates, 'a late parameter counts its own steps');
});

test('the proposed method trains its contrastive term: updates happen and move the embedding head', () => {
  const metrics = readFileSync(runFiles(dir).metrics, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const rows = metrics.filter((m) => m.stage === 'proposed' && m.kind === 'train');
  const made = rows.filter((m) => !m.skipped);
  assert.ok(made.length >= rows.length / 2, `${made.length} of ${rows.length} iterations updated`);
  assert.ok(
    made.every((m) => Number.isFinite(m.contrastive) && m.contrastive > 0),
    'the contrastive term is positive in every update',
  );
  const start = stageFilesIn(dir, 'baseline').best;
  for (const name of ['cont1.weight', 'cont2.weight']) {
    const moved = maxAbsDiff(
      weights(start, name),
      weights(stageFilesIn(dir, 'proposed').checkpoint, name),
    );
    assert.ok(moved > 1e-5, `proposed: ${name} moved (${moved})`);
    const still = maxAbsDiff(
      weights(start, name),
      weights(stageFilesIn(dir, 'self-training').checkpoint, name),
    );
    assert.equal(still, 0, `self-training leaves ${name} alone`);
  }
});

test('saved checkpoints hold batch-norm statistics re-estimated on training batches', async () => {
  const dataset = await openDataset(cfg);
  const labeled = labeledPool(await dataset.labeledTrain(), makePreprocessor(cfg), 4);
  const net = new UNet(unetConfig(cfg, 4));
  loadCheckpoint(stageFilesIn(dir, 'baseline').best, net, null, null);
  const stats = () =>
    Float32Array.from(net.stateDict()['enc1.0.bn.running_var'].data() as Float32Array);
  const saved = stats();
  // Re-estimating again changes nothing: the saved statistics are those of the stage's own
  // re-estimation batches, not a moving average of the last training batches.
  baselineBnUpdater(cfg, labeled, net)!(net);
  assert.ok(maxAbsDiff(saved, stats()) < 1e-5, `${maxAbsDiff(saved, stats())}`);
  net.dispose();
});

test("bnUpdate.source 'labeled': a later stage's statistics come from labeled batches as the baseline draws them", async () => {
  const labeledDir = mkdtempSync(join(tmpdir(), 'stage-start-labeled-'));
  try {
    const labeledCfg = parseConfig({ ...cfg, bnUpdate: { source: 'labeled' } });
    await runPipeline(labeledCfg, {
      dir: labeledDir,
      baselineFrom: dir,
      methods: ['self-training'],
    });
    const dataset = await openDataset(cfg);
    const labeled = labeledPool(await dataset.labeledTrain(), makePreprocessor(cfg), 4);
    const net = new UNet(unetConfig(cfg, 4));
    const stats = () =>
      Float32Array.from(net.stateDict()['enc1.0.bn.running_var'].data() as Float32Array);
    const labeledBatches = (seed: number) =>
      bnUpdater(cfg, seed, (rng) => [
        supervisedBatch(labeled, cfg, cfg.baseline.batchSize, 4, rng, net.device).images,
      ])!;
    const diffFromLabeled = (runDir: string) => {
      loadCheckpoint(stageFilesIn(runDir, 'self-training').best, net, null, null);
      const saved = stats();
      labeledBatches(readSeeds(runDir)!.stages['self-training'].bnUpdate!.seed)(net);
      return maxAbsDiff(saved, stats());
    };
    // The same weights re-estimated from the stage's labeled batches give the saved statistics;
    // the default run's were estimated from its pseudo-labeled batches too, and differ.
    assert.ok(diffFromLabeled(labeledDir) < 1e-5, `${diffFromLabeled(labeledDir)}`);
    assert.ok(diffFromLabeled(dir) > 1e-3, `${diffFromLabeled(dir)}`);
    net.dispose();
  } finally {
    rmSync(labeledDir, { recursive: true, force: true });
  }
});

test('validation time is recorded and network-space selection scores every validation volume', () => {
  const summary = JSON.parse(readFileSync(runFiles(dir).summary, 'utf8'));
  for (const r of summary.results) {
    assert.ok(r.validationSeconds > 0 && r.validationSeconds < r.trainSeconds, r.method);
    assert.ok(r.validationMetrics.selected.overall.dice.mean >= 0, r.method);
  }
});

test("every part of a method's time is recorded in CPU seconds too", () => {
  const summary = JSON.parse(readFileSync(runFiles(dir).summary, 'utf8'));
  // In seconds (not microseconds), of the same order as the wall-clock span (at most 2 threads).
  const plausible = (cpu: number, wall: number) => cpu > 0 && cpu < 3 * wall + 1;
  for (const r of summary.results) {
    const cpu = r.cpuSeconds;
    assert.ok(plausible(cpu.train, r.trainSeconds), `${r.method} train ${cpu.train}`);
    if (r.method === 'baseline') assert.equal(cpu.start, 0);
    else assert.ok(plausible(cpu.start, r.startSeconds), `${r.method} start ${cpu.start}`);
    if (r.pseudoLabelSeconds > 0)
      assert.ok(plausible(cpu.pseudoLabels, r.pseudoLabelSeconds), `${r.method} pseudo-labels`);
    else assert.equal(cpu.pseudoLabels, 0);
  }
  assert.ok(summary.results.some((r: { pseudoLabelSeconds: number }) => r.pseudoLabelSeconds > 0));
});
