import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cli } from '../eval/model-fixture.js';

test('contraseg bench predict --json: both engines on a phantom stand-in when the data are absent', () => {
  const r = cli(['bench', 'predict', '--json', '--repeats', '1', '--warmup', '0'], {
    CONTRASEG_DATA: '/nonexistent-contraseg-data',
  });
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.match(String(j.input), /^phantom volume/);
  for (const k of ['torch_volume_ms', 'onnx_volume_ms', 'ratio']) {
    assert.ok(typeof j[k] === 'number' && (j[k] as number) > 0, `${k}: ${j[k]}`);
  }
});
