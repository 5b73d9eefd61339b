// `contraseg env` and `contraseg --version`: what a bug report needs, with and without LibTorch.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as torch from '../../src/torch/index.js';

// dist/test/cli -> the repository root
const root = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));
const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [root('bin/contraseg.js'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
const version = (JSON.parse(readFileSync(root('package.json'), 'utf8')) as { version: string })
  .version;

test('contraseg --version prints the package version', () => {
  const r = cli(['--version']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), version);
});

test('contraseg env --json reports the LibTorch this process loads', () => {
  const r = cli(['env', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.contraseg, version);
  assert.equal(report.node, process.version);
  assert.ok(report.cpu.cores >= 1);
  assert.deepEqual(report.libtorch.cuda, {
    available: torch.cuda.isAvailable(),
    devices: torch.cuda.deviceCount(),
  });
  assert.equal(report.libtorch.version, torch.libtorchVersion());
  assert.deepEqual(report.libtorch.distributedBackends, torch.distributed.availableBackends());
  assert.match(report.libtorch.addon, /native\/build\/Release\/contraseg\.node$/);
  assert.match(report.onnxruntimeNode, /^\d+\.\d+\.\d+/);
  const text = cli(['env']);
  assert.equal(text.status, 0, text.stderr);
  assert.match(
    text.stdout,
    new RegExp(`^libtorch: ${report.libtorch.version.replace(/\./g, '\\.')} `, 'm'),
  );
});

test('contraseg env still reports, with the reason, when LibTorch does not load', () => {
  const r = cli(['env'], { CONTRASEG_NO_TORCH: '1' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^libtorch: not loaded \(CONTRASEG_NO_TORCH is set\)$/m);
  assert.match(r.stdout, /^node: v\d+/m);
});
