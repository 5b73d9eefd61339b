import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { adoptedFrom, baselineDifferences } from '../../src/method/adopt-baseline.js';
import { parseConfig, type RunConfig } from '../../src/method/config.js';
import { runFiles, stageFilesIn } from '../../src/method/run-dir.js';
import { runPipeline } from '../../src/method/run.js';
import { InputError } from '../../src/errors.js';
import { tinyConfig } from './tiny-config.js';

// A run that trains only its baseline, and a second run with other joint settings that starts
// from it (`contraseg run --baseline-from`).
let root: string;
let source: string;
let adopter: string;
let cfg: RunConfig;
before(async () => {
  root = mkdtempSync(join(tmpdir(), 'adopt-baseline-'));
  source = join(root, 'source');
  adopter = join(root, 'adopter');
  await runPipeline(parseConfig(tinyConfig), { dir: source, methods: ['baseline'] });
  cfg = parseConfig({
    ...tinyConfig,
    name: 'other-joint',
    pseudo: { ...tinyConfig.pseudo, crf: null },
    joint: {
      ...tinyConfig.joint,
      rounds: 1,
      selection: 'latest-best',
      lrSchedule: 'poly',
      lr: 5e-4,
    },
  });
  await runPipeline(cfg, { dir: adopter, methods: ['proposed'], baselineFrom: source });
});
after(() => rmSync(root, { recursive: true, force: true }));

const records = (dir: string) =>
  readFileSync(runFiles(dir).metrics, 'utf8')
    .trim()
    .split('\n')
    .map(
      (l) =>
        JSON.parse(l) as {
          stage: string;
          kind: string;
          iter: number;
          lr?: number;
          event?: string;
          from?: string;
        },
    );

test('--baseline-from copies the finished baseline instead of training it again', () => {
  for (const f of ['best', 'checkpoint', 'done'] as const) {
    assert.deepEqual(
      readFileSync(stageFilesIn(adopter, 'baseline')[f]),
      readFileSync(stageFilesIn(source, 'baseline')[f]),
      f,
    );
  }
  const own = records(adopter).filter((r) => r.stage === 'baseline');
  const theirs = records(source).filter((r) => r.stage === 'baseline');
  assert.deepEqual(
    own.filter((r) => r.kind !== 'event'),
    theirs.filter((r) => r.kind !== 'event'),
    'the baseline records are the source run’s, none of its own',
  );
  const adopted = own.filter((r) => r.event === 'adopted');
  assert.equal(adopted.length, 1);
  assert.equal(adopted[0].from, resolve(source));
  assert.equal(adoptedFrom(adopter), resolve(source));
  assert.equal(adoptedFrom(source), null, 'a run that trained its own baseline adopted none');
});

test('--baseline-from: the method trains on from the adopted baseline with its own settings', () => {
  assert.ok(existsSync(stageFilesIn(adopter, 'proposed').done));
  assert.ok(records(adopter).some((r) => r.stage === 'proposed' && r.kind === 'train'));
  assert.ok(!existsSync(join(adopter, 'baseline.adopting')), 'no staging folder left');
});

test('--baseline-from refuses a baseline trained with another config, writing nothing', async () => {
  const dir = join(root, 'refused');
  const other = parseConfig({
    ...tinyConfig,
    baseline: { ...tinyConfig.baseline, iterations: 13 },
  });
  await assert.rejects(
    runPipeline(other, { dir, baselineFrom: source }),
    (e: unknown) =>
      e instanceof InputError &&
      /baseline\.iterations differ/.test(e.message) &&
      e.message.includes(source),
  );
  assert.ok(!existsSync(dir), 'the run directory was not created');
});

test('--baseline-from refuses a path that holds no run', async () => {
  await assert.rejects(
    runPipeline(cfg, { dir: join(root, 'none'), baselineFrom: join(root, 'missing') }),
    (e: unknown) => e instanceof InputError && /no config\.json/.test(e.message),
  );
});

test('baselineDifferences ignores what the baseline never reads and names what it does', () => {
  const base = parseConfig(tinyConfig);
  assert.deepEqual(baselineDifferences(base, cfg), []);
  const seeded = parseConfig({ ...tinyConfig, seed: 8, threads: 2 });
  assert.deepEqual(baselineDifferences(base, seeded), ['seed']);
  const augmented = parseConfig({ ...tinyConfig, augment: { elastic: false } });
  assert.deepEqual(baselineDifferences(base, augmented), ['augment.elastic']);
});

test('baselineDifferences: a run without a handoff may adopt a baseline that had one, not the reverse', () => {
  const base = parseConfig(tinyConfig);
  const handoff = (h: number) =>
    parseConfig({ ...tinyConfig, baseline: { ...base.baseline, handoff: h } });
  const end = base.baseline.iterations;
  assert.deepEqual(baselineDifferences(base, handoff(2)), []);
  assert.deepEqual(
    baselineDifferences(handoff(end), handoff(2)),
    [],
    'a handoff at the end is none',
  );
  assert.deepEqual(baselineDifferences(handoff(2), base), ['baseline.handoff']);
  assert.deepEqual(baselineDifferences(handoff(2), handoff(3)), ['baseline.handoff']);
  assert.deepEqual(baselineDifferences(handoff(2), handoff(2)), []);
});

const trainLr = (dir: string, stage: string) =>
  records(dir)
    .filter((r) => r.stage === stage && r.kind === 'train')
    .map((r) => [r.iter, r.lr as number]);

test("a stage's lrSchedule 'poly' decays its lr over the stage; the adopted Adam baseline's is constant", () => {
  assert.ok(trainLr(adopter, 'baseline').every(([, v]) => v === cfg.optimizer.lr));
  const joint = trainLr(adopter, 'proposed');
  const total = cfg.joint.rounds * cfg.joint.iterationsPerRound;
  assert.equal(joint.length, total);
  for (const [it, v] of joint) assert.ok(Math.abs(v - 5e-4 * (1 - it / total) ** 0.9) < 1e-12);
});

test("a stage's lr replaces the rate of the baseline checkpoint it starts from with its optimiser state", async () => {
  const dir = join(root, 'stage-lr');
  const lower = parseConfig({
    ...tinyConfig,
    joint: { ...tinyConfig.joint, rounds: 1, init: 'full', lr: 2e-4 },
  });
  await runPipeline(lower, { dir, methods: ['self-training'], baselineFrom: source });
  const lrs = trainLr(dir, 'self-training');
  assert.equal(lrs.length, lower.joint.iterationsPerRound);
  assert.ok(
    lrs.every(([, v]) => v === 2e-4),
    JSON.stringify(lrs),
  );
  assert.notEqual(lower.optimizer.lr, 2e-4);
});
