import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tinyConfig } from './tiny-config.js';
import { runAndKill, runToEnd, tensorBytes } from './run-cli.js';
import { runFiles, STAGE_FILES } from '../../src/method/run-dir.js';

test('a run killed with SIGKILL at several points and resumed ends with identical weights', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'resume-'));
  try {
    const config = join(dir, 'config.json');
    // The semi-supervised stages start from the baseline's best of its first 7 of 12 iterations
    // and keep a model average (saved in their resume checkpoints beside the raw weights).
    const cfg = {
      ...tinyConfig,
      baseline: { ...tinyConfig.baseline, handoff: 7 },
      joint: { ...tinyConfig.joint, modelEmaDecay: 0.9 },
    };
    writeFileSync(config, JSON.stringify(cfg));
    const straight = join(dir, 'straight');
    runToEnd(['run', '--config', config, '--out', straight, '--json']);

    const killed = join(dir, 'killed');
    const metrics = runFiles(killed).metrics;
    // Kill during the baseline, during the first joint stage, and in the second one.
    for (const lines of [7, 22, 45]) {
      const args = ['run', '--config', config, '--out', killed, '--json'];
      if (existsSync(runFiles(killed).config)) args.push('--resume');
      await runAndKill(args, metrics, lines);
    }
    runToEnd(['run', '--config', config, '--out', killed, '--resume', '--json']);

    const summary = JSON.parse(readFileSync(runFiles(straight).summary, 'utf8'));
    for (const r of summary.results) {
      assert.equal(
        r.pseudoLabelSeconds > 0,
        r.method !== 'baseline',
        `${r.method} pseudo-label time`,
      );
      assert.equal(
        r.startSeconds > 0,
        r.method !== 'baseline',
        `${r.method} baseline time before it`,
      );
    }
    // The seeds of every stream, written at each stage's start, whatever the kills.
    const seeds = (d: string) => readFileSync(runFiles(d).seeds, 'utf8');
    assert.equal(seeds(killed), seeds(straight));
    const handoff = join('baseline', STAGE_FILES.handoff);
    assert.ok(tensorBytes(join(straight, handoff)).equals(tensorBytes(join(killed, handoff))));
    for (const stage of ['baseline', 'self-training', 'proposed']) {
      for (const file of [STAGE_FILES.checkpoint, STAGE_FILES.best]) {
        const a = tensorBytes(join(straight, stage, file));
        const b = tensorBytes(join(killed, stage, file));
        assert.ok(a.equals(b), `${stage}/${file} differs after kill and resume`);
      }
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
    assert.deepEqual(strip(metrics), strip(runFiles(straight).metrics), 'metrics.jsonl matches');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
