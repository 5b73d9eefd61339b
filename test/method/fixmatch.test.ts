import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/method/config.js';
import { runPipeline } from '../../src/method/run.js';
import { tinyConfig } from './tiny-config.js';
import * as torch from '../../src/torch/index.js';
import { loadSafetensors } from '../../src/nn/safetensors.js';
import { runFiles, stageFilesIn } from '../../src/method/run-dir.js';

test('the FixMatch-style baseline trains from the baseline with consistency on unlabeled slices', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixmatch-'));
  try {
    const cfg = parseConfig({
      ...tinyConfig,
      baseline: { ...tinyConfig.baseline, handoff: 6 },
      methods: ['fixmatch'],
      fixmatch: {
        iterations: 6,
        labeledBatchSize: 4,
        unlabeledBatchSize: 4,
        threshold: 0.5,
        valEvery: 3,
        checkpointEvery: 3,
      },
    });
    const summary = await runPipeline(cfg, { dir });
    assert.deepEqual(
      summary.results.map((r) => r.method),
      ['baseline', 'fixmatch'],
    );
    const records = readFileSync(runFiles(dir).metrics, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((r) => r.stage === 'fixmatch' && r.kind === 'train');
    assert.equal(records.length, 6);
    for (const r of records) {
      assert.equal(r.skipped, false);
      for (const k of ['loss', 'sup', 'unsup', 'confident'])
        assert.ok(Number.isFinite(r[k]), `${k} is finite`);
      assert.ok(r.confident >= 0 && r.confident <= 1);
    }
    assert.ok(
      records.some((r) => r.unsup > 0),
      'the unlabeled term contributes',
    );
    const param = (p: string) => {
      const { tensors } = loadSafetensors(p);
      const w = Array.from(tensors['seg_out.weight'].data() as Float32Array);
      torch.dispose(tensors);
      return w;
    };
    // With handoff 6 of 12, FixMatch starts from the baseline's best of iterations 0..5 and its
    // budget counts the baseline's seconds up to there.
    const handoff = loadSafetensors(stageFilesIn(dir, 'baseline').handoff);
    torch.dispose(handoff.tensors);
    assert.ok(JSON.parse(handoff.metadata['contraseg.trainer']).bestIteration < 6);
    const [baseline, fixmatch] = summary.results;
    assert.ok(fixmatch.startSeconds > 0 && fixmatch.startSeconds < baseline.trainSeconds);
    assert.equal(baseline.startSeconds, 0);
    for (const r of summary.results) {
      for (const which of ['selected', 'last'] as const) {
        const m = r.validationMetrics[which];
        assert.equal(m.perClass.length, 3);
        assert.ok(m.perClass.every((c) => c.dice.mean >= 0 && c.dice.mean <= 1));
        assert.equal(m.overall.hd95.n + m.overall.hd95.nanCount, 3);
      }
      r.validationMetrics.selected.perClass.forEach((c, k) => {
        if (c.dice.nanCount === 0)
          assert.ok(Math.abs(c.dice.mean - r.validation.perClass[k]) < 1e-9);
      });
    }
    const base = param(stageFilesIn(dir, 'baseline').handoff);
    const fix = param(stageFilesIn(dir, 'fixmatch').checkpoint);
    assert.equal(base.length, fix.length);
    assert.ok(
      base.some((v, i) => v !== fix[i]),
      'the weights moved away from the baseline',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
