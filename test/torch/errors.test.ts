// Errors, not crashes: misuse throws a JavaScript Error naming the op (and the tensor shapes);
// the process never aborts. The cases run here and again in a child process whose exit code and
// output prove that nothing aborted.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import * as torch from '../../src/torch/index.js';
import { errorCases, runErrorCases } from './error-cases.js';

describe('errors: misuse throws a JavaScript Error naming the op', () => {
  for (const c of errorCases) {
    it(c.name, () => {
      const base = torch.memoryStats().liveTensors;
      assert.throws(
        () =>
          torch.tidy(() => {
            c.run();
          }),
        (e: unknown) => {
          assert.ok(e instanceof Error, 'an Error');
          assert.equal(e.constructor.name, c.type ?? 'Error', `class of: ${e.message}`);
          assert.match(e.message, c.message);
          return true;
        },
      );
      assert.equal(
        torch.memoryStats().liveTensors,
        base,
        'no tensors leak from a failed op inside tidy',
      );
    });
  }
  it('the engine keeps working after errors', () => {
    torch.tidy(() => {
      assert.deepEqual(torch.ones([2]).add(1).toArray(), [2, 2]);
    });
  });
});

describe('errors: a child process running every misuse exits normally', () => {
  it('exit code 0 and every case reported', () => {
    const mod = fileURLToPath(new URL('./error-cases.js', import.meta.url));
    const code =
      `const m = await import(${JSON.stringify(mod)});` +
      'const f = m.runErrorCases();' +
      'console.log(JSON.stringify({ n: m.errorCases.length, failures: f }));';
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.signal, null, `child killed by ${r.signal}: ${r.stderr}`);
    assert.equal(r.status, 0, `child exit ${r.status}: ${r.stderr}`);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
      n: number;
      failures: unknown[];
    };
    assert.equal(out.n, errorCases.length);
    assert.deepEqual(out.failures, []);
  });
  it('an uncaught engine error exits with code 1 and a message, not an abort signal', () => {
    const idx = fileURLToPath(new URL('../../src/torch/index.js', import.meta.url));
    const code = `const t = await import(${JSON.stringify(idx)}); t.zeros([2, 3]).matmul(t.zeros([2, 3]));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.signal, null);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /matmul: mat1 and mat2 shapes cannot be multiplied/);
  });
});

export { runErrorCases };
