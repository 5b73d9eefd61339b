import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, type RunConfigInput } from '../../src/method/config.js';
import { runPipeline } from '../../src/method/run.js';
import { consistencyWeight } from '../../src/method/train/mean-teacher.js';
import { loadSafetensors } from '../../src/nn/safetensors.js';
import * as torch from '../../src/torch/index.js';
import { tinyConfig } from './tiny-config.js';
import { runAndKill, runToEnd, tensorBytes } from './run-cli.js';
import { runFiles, STAGE_FILES, stageFilesIn } from '../../src/method/run-dir.js';

const config: RunConfigInput = {
  ...tinyConfig,
  methods: ['mean-teacher'],
  meanTeacher: {
    iterations: 8,
    labeledBatchSize: 4,
    unlabeledBatchSize: 4,
    lambda: 1,
    rampup: 5,
    valEvery: 3,
    checkpointEvery: 2,
  },
};

/** The parameters (not BN statistics) of a checkpoint, or of its auxiliary module `aux`. */
function params(path: string, aux?: string): Map<string, Float32Array> {
  const { tensors } = loadSafetensors(path);
  const prefix = aux ? `__aux__.${aux}.` : '';
  const out = new Map<string, Float32Array>();
  for (const [k, t] of Object.entries(tensors)) {
    if (!k.startsWith(prefix) || (!aux && k.startsWith('__'))) continue;
    const name = k.slice(prefix.length);
    if (/running_|num_batches/.test(name)) continue;
    out.set(name, (t.data() as Float32Array).slice());
  }
  torch.dispose(tensors);
  return out;
}

function distance(a: Map<string, Float32Array>, b: Map<string, Float32Array>): number {
  let s = 0;
  for (const [k, x] of a) {
    const y = b.get(k) as Float32Array;
    assert.ok(y, `${k} in both`);
    for (let i = 0; i < x.length; i++) s += (x[i] - y[i]) ** 2;
  }
  return Math.sqrt(s);
}

test('mean teacher: the consistency weight ramps up as exp(-5(1 - t/T)^2)', () => {
  assert.equal(consistencyWeight(0, 0.1, 100), 0.1 * Math.exp(-5));
  assert.ok(Math.abs(consistencyWeight(50, 0.1, 100) - 0.1 * Math.exp(-1.25)) < 1e-15);
  assert.equal(consistencyWeight(100, 0.1, 100), 0.1);
  assert.equal(consistencyWeight(5000, 0.1, 100), 0.1);
  assert.equal(consistencyWeight(0, 0.1, 0), 0.1);
});

test('mean teacher trains: positive consistency, a teacher that differs from the student and moves towards it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mean-teacher-'));
  try {
    const summary = await runPipeline(parseConfig(config), { dir });
    assert.deepEqual(
      summary.results.map((r) => r.method),
      ['baseline', 'mean-teacher'],
    );
    const records = readFileSync(runFiles(dir).metrics, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((r) => r.stage === 'mean-teacher' && r.kind === 'train');
    assert.equal(records.length, 8);
    for (const r of records) {
      assert.equal(r.skipped, false);
      assert.ok(r.consistency > 0 && Number.isFinite(r.consistency), 'consistency term > 0');
      assert.ok(Math.abs(r.loss - (r.sup + r.weight * r.consistency)) < 1e-5);
    }
    const weights = records.map((r) => r.weight);
    assert.ok(Math.abs(weights[0] - Math.exp(-5)) < 1e-12);
    for (let i = 1; i < weights.length; i++) assert.ok(weights[i] >= weights[i - 1]);
    assert.equal(weights[7], 1);

    const start = params(stageFilesIn(dir, 'baseline').best);
    const student = params(stageFilesIn(dir, 'mean-teacher').checkpoint);
    const teacher = params(stageFilesIn(dir, 'mean-teacher').checkpoint, 'teacher');
    assert.equal(teacher.size, student.size);
    const fromStudent = distance(teacher, student);
    const fromStart = distance(teacher, start);
    assert.ok(fromStudent > 0, 'the teacher differs from the student');
    assert.ok(fromStart > 0, 'the teacher moved');
    assert.ok(
      fromStudent < distance(start, student),
      `the teacher moved towards the student (${fromStudent} < ${distance(start, student)})`,
    );
    // Model files hold the student only.
    const best = loadSafetensors(stageFilesIn(dir, 'mean-teacher').best);
    assert.ok(!Object.keys(best.tensors).some((k) => k.startsWith('__aux__')));
    torch.dispose(best.tensors);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('mean teacher: a run killed and resumed ends with identical student and teacher', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mean-teacher-resume-'));
  try {
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(config));
    const straight = join(dir, 'straight');
    runToEnd(['run', '--config', file, '--out', straight, '--json']);
    const killed = join(dir, 'killed');
    const metrics = runFiles(killed).metrics;
    // The baseline writes 17 lines (12 iterations, 4 validations, the untrained score).
    for (const lines of [21, 26]) {
      const args = ['run', '--config', file, '--out', killed, '--json'];
      if (existsSync(runFiles(killed).config)) args.push('--resume');
      await runAndKill(args, metrics, lines);
    }
    runToEnd(['run', '--config', file, '--out', killed, '--resume', '--json']);
    for (const f of [STAGE_FILES.checkpoint, STAGE_FILES.best]) {
      assert.ok(
        tensorBytes(join(straight, 'mean-teacher', f)).equals(
          tensorBytes(join(killed, 'mean-teacher', f)),
        ),
        `mean-teacher/${f} differs after kill and resume`,
      );
    }
    const strip = (p: string) =>
      readFileSync(p, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          const r = JSON.parse(l);
          delete r.time;
          return JSON.stringify(r);
        });
    assert.deepEqual(strip(metrics), strip(runFiles(straight).metrics));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
