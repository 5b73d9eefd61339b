import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, type RunConfig } from '../../src/method/config.js';
import { runPipeline } from '../../src/method/run.js';
import { evalVolumes } from '../../src/method/pools.js';
import { makePreprocessor, openDataset, unetConfig } from '../../src/method/setup.js';
import { loadCheckpoint, loadEvaluatedWeights } from '../../src/method/train/checkpoint.js';
import { MODEL_EMA, updateModelEma } from '../../src/method/train/model-ema.js';
import { scoreVolumes } from '../../src/method/validate.js';
import { summarizeVolumes } from '../../src/metrics/aggregate.js';
import { UNet } from '../../src/nn/index.js';
import * as torch from '../../src/torch/index.js';
import { tinyConfig } from './tiny-config.js';
import { runFiles, stageFilesIn } from '../../src/method/run-dir.js';

const values = (net: UNet, name: string) =>
  Float32Array.from(net.stateDict()[name].data() as Float32Array);

test('updateModelEma: the first update copies, later ones average weights and BN statistics', () => {
  torch.manualSeed(1);
  const config = { inChannels: 1, numClasses: 2, filters: [4, 8], embeddingDim: 4 };
  const average = new UNet(config);
  const net = new UNet(config);
  const w = 'enc1.0.conv.weight';
  const bn = 'enc1.0.bn.running_mean';
  torch.noGrad(() => net.stateDict()[bn].add_(torch.ones(net.stateDict()[bn].shape)));
  updateModelEma(average, net, 0.9, 1);
  assert.deepEqual(values(average, w), values(net, w));
  assert.deepEqual(values(average, bn), values(net, bn));
  const before = { w: values(average, w), bn: values(average, bn) };
  torch.noGrad(() => {
    for (const t of Object.values(net.stateDict())) t.add_(torch.ones(t.shape));
  });
  // Third update: α = min(0.9, 1 − 1/3) = 2/3, so the average moves a third of the way.
  updateModelEma(average, net, 0.9, 3);
  const after = { w: values(average, w), bn: values(average, bn) };
  for (const k of ['w', 'bn'] as const) {
    after[k].forEach((v, i) => assert.ok(Math.abs(v - (before[k][i] + 1 / 3)) < 1e-6, k));
  }
  // Past the warm-up the decay rules: α = 0.9.
  const settled = values(average, w);
  updateModelEma(average, net, 0.9, 1000);
  const target = values(net, w);
  values(average, w).forEach((v, i) =>
    assert.ok(Math.abs(v - (0.9 * settled[i] + 0.1 * target[i])) < 1e-6),
  );
  average.dispose();
  net.dispose();
});

// A tiny run whose joint stages keep a model average over two rounds.
let dir: string;
let cfg: RunConfig;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'model-ema-'));
  cfg = parseConfig({
    ...tinyConfig,
    methods: ['self-training'],
    joint: { ...tinyConfig.joint, init: 'full', modelEmaDecay: 0.5 },
  });
  await runPipeline(cfg, { dir });
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('a stage with modelEmaDecay validates, selects and scores its model average', async () => {
  const files = stageFilesIn(dir, 'self-training');
  const net = new UNet(unetConfig(cfg, 4));
  const dataset = await openDataset(cfg);
  const pre = makePreprocessor(cfg);
  const volumes = evalVolumes(await dataset.validation(), pre, 4);
  // The resume checkpoint keeps the raw weights it trains and, beside them, the average.
  loadCheckpoint(files.checkpoint, net, null, null);
  const raw = values(net, 'enc1.0.conv.weight');
  const rawScore = scoreVolumes(net, volumes, pre);
  loadEvaluatedWeights(files.checkpoint, net, MODEL_EMA);
  const averaged = values(net, 'enc1.0.conv.weight');
  assert.notDeepEqual(averaged, raw, 'the average differs from the raw weights');
  const score = scoreVolumes(net, volumes, pre, { distances: true });
  assert.notEqual(score.dice, rawScore.dice, 'the two weights score differently');

  const metrics = readFileSync(runFiles(dir).metrics, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((m) => m.stage === 'self-training' && m.kind === 'val');
  // The last validation scored the average (with its re-estimated BN statistics)...
  assert.equal(metrics.at(-1).dice, score.dice);
  // ... and so does the summary's last checkpoint.
  const summary = JSON.parse(readFileSync(runFiles(dir).summary, 'utf8'));
  const result = summary.results.find((r: { method: string }) => r.method === 'self-training');
  const last = summarizeVolumes(score.volumes.map((v) => v.metrics)).overall.dice.mean;
  assert.equal(result.validationMetrics.last.overall.dice.mean, last);
  // The best checkpoint holds an average too: its score is the best logged one.
  loadCheckpoint(files.best, net, null, null);
  const best = Math.max(...metrics.map((m) => m.dice));
  assert.equal(scoreVolumes(net, volumes, pre).dice, best);
  net.dispose();
});
