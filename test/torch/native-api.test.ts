// The table of native ops (native/src/ops.def) against what it drives: the generated TypeScript
// interface of the addon (src/torch/native-api.ts) and the addon's exports; mode arguments.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as torch from '../../src/torch/index.js';
import { checkOpTable, native } from '../../src/torch/native.js';
import { nativeOps, opTableSha256 } from '../../src/torch/native-api.js';

// dist/test/torch -> the repository root
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

describe('native op table', () => {
  it('src/torch/native-api.ts is what native/gen-api.mjs makes of ops.def', () => {
    const r = spawnSync(process.execPath, [join(root, 'native', 'gen-api.mjs'), '--check'], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
  });
  it('the addon exports the handle class, its op table and exactly the ops of the table, in order', () => {
    assert.deepEqual(Object.keys(native), ['NativeTensor', 'opTable', ...nativeOps]);
    for (const op of nativeOps) assert.equal(typeof native[op], 'function', op);
    assert.equal(createHash('sha256').update(native.opTable).digest('hex'), opTableSha256);
  });
  it('an addon built from another op table (or before it carried one) fails at load, saying how to rebuild', () => {
    const changed = native.opTable.replace("'bilinear' | 'nearest'", 'number');
    assert.notEqual(changed, native.opTable);
    for (const addon of [{ opTable: changed }, {}])
      assert.throws(() => checkOpTable(addon, 'native/build/Release/contraseg.node'), {
        name: 'EngineUnavailableError',
        message:
          /native\/build\/Release\/contraseg\.node was built from other sources than this code: .*Rebuild it with `node native\/build\.mjs`/,
      });
    checkOpTable(native, 'the loaded addon');
  });
  it('mode arguments are strings; an unknown one is a TypeError listing the choices', () => {
    torch.tidy(() => {
      const x = torch.randn([1, 2, 4, 4]);
      const t = torch.zeros([1, 4, 4], { dtype: 'int64' });
      const grid = torch.zeros([1, 3, 3, 2]);
      const bad = 'avg' as never;
      assert.throws(() => torch.F.crossEntropy(x, t, { reduction: bad }), {
        name: 'TypeError',
        message: "crossEntropy: unknown reduction 'avg' (none, mean or sum)",
      });
      assert.throws(() => torch.F.nllLoss(x, t, { reduction: bad }), {
        name: 'TypeError',
        message: "nllLoss: unknown reduction 'avg' (none, mean or sum)",
      });
      assert.throws(() => torch.F.gridSample(x, grid, { mode: bad }), {
        name: 'TypeError',
        message: "gridSample: unknown grid sampling mode 'avg' (bilinear, nearest or bicubic)",
      });
      assert.throws(() => torch.F.gridSample(x, grid, { paddingMode: bad }), {
        name: 'TypeError',
        message: "gridSample: unknown padding mode 'avg' (zeros, border or reflection)",
      });
      assert.throws(() => torch.F.interpolate(x, { size: 2, mode: bad }), {
        name: 'TypeError',
        message: "interpolate: unknown interpolation mode 'avg' (nearest, bilinear or bicubic)",
      });
      assert.throws(() => torch.F.pad(x, [1, 1, 1, 1], bad), {
        name: 'TypeError',
        message: "padMode: unknown padding mode 'avg' (reflect or replicate)",
      });
      assert.throws(
        () => native.op_crossEntropy(x.handle, t.handle, undefined, 1 as never, -100, 0),
        {
          name: 'TypeError',
          message: 'crossEntropy: argument 3 (reduction) is not a string',
        },
      );
    });
  });
});
