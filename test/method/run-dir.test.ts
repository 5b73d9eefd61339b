import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, type RunConfig } from '../../src/method/config.js';
import { runPipeline } from '../../src/method/run.js';
import {
  pseudoLabelFile,
  pseudoLabelInfoFile,
  readSeeds,
  runFiles,
  semiSupervisedStart,
  stageFilesIn,
  type SeedsFile,
} from '../../src/method/run-dir.js';
import { METHODS, methodSpec } from '../../src/method/methods/index.js';
import { SEED_STREAMS } from '../../src/method/seed-streams.js';
import { roundSlices } from '../../src/method/pseudo-labels.js';
import { evalVolumes, unlabeledPool } from '../../src/method/pools.js';
import { makePreprocessor, openDataset, unetConfig } from '../../src/method/setup.js';
import { scoreVolumes } from '../../src/method/validate.js';
import { UNet } from '../../src/nn/index.js';
import * as torch from '../../src/torch/index.js';
import { Rng, deriveSeed } from '../../src/util/rng.js';
import { tinyConfig } from './tiny-config.js';

test('the run directory keeps the file names of the first runs (existing runs resume)', () => {
  const f = runFiles('r');
  assert.deepEqual(
    [f.config, f.metrics, f.seeds, f.summary, f.report],
    ['config.json', 'metrics.jsonl', 'seeds.json', 'summary.json', 'report.html'].map((n) =>
      join('r', n),
    ),
  );
  const s = stageFilesIn('r', 'proposed');
  assert.deepEqual(
    [s.checkpoint, s.best, s.latestBest, s.done, s.handoff, s.handoffInfo],
    [
      'checkpoint.safetensors',
      'best.safetensors',
      'latest-best.safetensors',
      'done.json',
      'handoff.safetensors',
      'handoff.json',
    ].map((n) => join('r', 'proposed', n)),
  );
  assert.equal(
    pseudoLabelFile('r', 'proposed', 0),
    join('r', 'baseline', 'round0-pseudo-labels.bin'),
  );
  assert.equal(
    pseudoLabelFile('r', 'proposed', 2),
    join('r', 'proposed', 'round2-pseudo-labels.bin'),
  );
  assert.equal(pseudoLabelInfoFile('x.bin'), 'x.bin.json');
  const cfg = parseConfig(tinyConfig);
  assert.equal(semiSupervisedStart('r', cfg), join('r', 'baseline', 'best.safetensors'));
  const handoff = parseConfig({ ...tinyConfig, baseline: { ...tinyConfig.baseline, handoff: 5 } });
  assert.equal(semiSupervisedStart('r', handoff), join('r', 'baseline', 'handoff.safetensors'));
});

test('the streams keep the keys of the first runs (runs reproduce bit for bit)', () => {
  // The literal keys every stage derived its seeds from before the streams had names.
  const legacy: Record<string, [number[], number[], number[]]> = {
    baseline: [[1], [2], [7, 0]],
    proposed: [
      [3, 1],
      [4, 1],
      [7, 1],
    ],
    'self-training': [
      [3, 2],
      [4, 2],
      [7, 2],
    ],
    fixmatch: [
      [3, 3],
      [4, 3],
      [7, 3],
    ],
    'mean-teacher': [
      [3, 4],
      [4, 4],
      [7, 4],
    ],
  };
  for (const m of METHODS) {
    const s = m.seeds;
    assert.deepEqual([s.torch, s.rng, s.bnUpdate], legacy[m.name], m.name);
  }
  assert.deepEqual(
    [
      SEED_STREAMS.pseudoLabelFilter,
      SEED_STREAMS.pseudoLabelSlices,
      SEED_STREAMS.validationVolumes,
      SEED_STREAMS.rank,
    ],
    [5, 6, 8, 9],
  );
  // Every method has streams of its own.
  const keys = METHODS.flatMap((m) => [m.seeds.torch, m.seeds.rng, m.seeds.bnUpdate]);
  assert.equal(new Set(keys.map((k) => k.join(','))).size, keys.length);
});

// A run with one semi-supervised method whose rounds label a random subset of the unlabeled
// slices (6 draws of 12), so that the slice stream visibly decides something.
let dir: string;
let cfg: RunConfig;
let seeds: SeedsFile;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'run-dir-'));
  cfg = parseConfig({
    ...tinyConfig,
    methods: ['self-training'],
    joint: { ...tinyConfig.joint, segBatchSize: 2, iterationsPerRound: 3 },
  });
  await runPipeline(cfg, { dir });
  seeds = readSeeds(dir) as SeedsFile;
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('seeds.json records the seed of every stream of every stage', () => {
  assert.ok(seeds, 'seeds.json exists');
  assert.equal(seeds.seed, cfg.seed);
  assert.deepEqual(Object.keys(seeds.stages), ['baseline', 'self-training']);
  const at = (...key: number[]) => ({ key, seed: deriveSeed(cfg.seed, ...key) });
  assert.deepEqual(seeds.stages.baseline, {
    torch: at(1),
    rng: at(2),
    bnUpdate: at(7, 0),
    validationVolumes: at(8),
  });
  assert.deepEqual(seeds.stages['self-training'], {
    torch: at(3, 2),
    rng: at(4, 2),
    bnUpdate: at(7, 2),
    validationVolumes: at(8),
    pseudoLabelSlices: [at(6, 0), at(6, 1)],
    pseudoLabelFilter: [at(5, 0), at(5, 1)],
  });
  // What the registry declares is what was recorded.
  for (const stage of Object.keys(seeds.stages)) {
    const s = methodSpec(stage).seeds;
    assert.deepEqual(seeds.stages[stage].torch.key, s.torch);
    assert.deepEqual(seeds.stages[stage].rng.key, s.rng);
  }
});

test('the recorded seeds are those the stages drew from', async () => {
  const dataset = await openDataset(cfg);
  const pre = makePreprocessor(cfg);
  // The slices each round labelled come from the recorded slice stream of that round.
  const count = unlabeledPool(await dataset.unlabeledTrain(), pre).count;
  for (const r of [0, 1]) {
    const info = JSON.parse(
      readFileSync(pseudoLabelInfoFile(pseudoLabelFile(dir, 'self-training', r)), 'utf8'),
    ) as { active: number[] };
    const seed = seeds.stages['self-training'].pseudoLabelSlices?.[r].seed as number;
    const drawn = roundSlices(count, cfg, new Rng(seed));
    assert.equal(drawn.length, 6);
    assert.deepEqual(info.active, drawn, `round ${r}`);
  }
  // The baseline's untrained score (logged at iteration −1) is that of a network initialised
  // from the recorded LibTorch seed.
  const untrained = readFileSync(runFiles(dir).metrics, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .find((r) => r.stage === 'baseline' && r.iter === -1);
  const classes = dataset.classNames.length;
  torch.manualSeed(seeds.stages.baseline.torch.seed);
  const net = new UNet(unetConfig(cfg, classes));
  const score = scoreVolumes(net, evalVolumes(await dataset.validation(), pre, classes), pre);
  net.dispose();
  assert.equal(score.dice, untrained.dice);
});

test('a finished run resumed rewrites the same seeds.json', async () => {
  const before = readFileSync(runFiles(dir).seeds, 'utf8');
  await runPipeline(cfg, { dir, resume: true });
  assert.equal(readFileSync(runFiles(dir).seeds, 'utf8'), before);
});
