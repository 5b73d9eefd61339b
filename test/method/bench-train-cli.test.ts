import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../io/fixtures.js';

const CLI = fileURLToPath(new URL('../../../bin/contraseg.js', import.meta.url));
const tmp = tempDir();
after(tmp.cleanup);

test('bench train --json: iteration_ms, step_ms and ratio per stage (phantom stand-in for missing data)', () => {
  const config = join(tmp.dir, 'bench.json');
  writeFileSync(
    config,
    JSON.stringify({
      name: 'bench-tiny',
      threads: 1,
      data: { kind: 'acdc-h5', root: join(tmp.dir, 'no-such-ACDC'), labeledPatients: 1 },
      preprocess: { mode: 'resize', size: [32, 32] },
      model: { filters: [8, 16, 16], embeddingDim: 8 },
      baseline: { iterations: 10, batchSize: 4 },
      joint: { segBatchSize: 4, pairs: 2 },
    }),
  );
  const r = spawnSync(
    process.execPath,
    [CLI, 'bench', 'train', '--config', config, '--json', '--iterations', '1', '--warmup', '0'],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1, r.stdout);
  const out = JSON.parse(lines[0]) as Record<string, Record<string, unknown>>;
  for (const stage of ['baseline', 'proposed']) {
    for (const key of ['iteration_ms', 'step_ms', 'ratio']) {
      const v = out[stage][key];
      assert.ok(typeof v === 'number' && v > 0, `${stage}.${key} = ${String(v)}`);
    }
  }
  // Every registered method's whole iteration, through its own step.
  assert.deepEqual(Object.keys(out.method_iteration_ms), [
    'baseline',
    'self-training',
    'proposed',
    'fixmatch',
    'mean-teacher',
  ]);
  for (const [name, ms] of Object.entries(out.method_iteration_ms))
    assert.ok(typeof ms === 'number' && ms > 0, `${name}: ${String(ms)}`);
  assert.match(String(out.config.data), /^phantom/);
  assert.deepEqual(out.config.size, [32, 32]);
  assert.equal(out.threads, 1);
});
