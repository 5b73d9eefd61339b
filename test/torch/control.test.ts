// Engine control: seeds, threads, CUDA availability on this CPU build, grad mode, version.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as torch from '../../src/torch/index.js';

describe('control', () => {
  it('manualSeed: the same seed replays every generator, another seed differs', () => {
    torch.tidy(() => {
      const draw = (): number[] => [
        ...torch.rand([4]).toArray(),
        ...torch.randn([4], { dtype: 'float64' }).toArray(),
        ...torch.randint(0, 1000, [4]).toArray(),
        ...torch.randperm(6).toArray(),
        ...torch.F.dropout(torch.ones([8]), 0.5).toArray(),
      ];
      torch.manualSeed(1234);
      const a = draw();
      const a2 = draw();
      torch.manualSeed(1234);
      assert.deepEqual(draw(), a);
      assert.deepEqual(draw(), a2);
      assert.notDeepEqual(a, a2);
      torch.manualSeed(1235);
      assert.notDeepEqual(draw(), a);
    });
  });
  it('setNumThreads/getNumThreads', () => {
    const n = torch.getNumThreads();
    assert.ok(Number.isInteger(n) && n >= 1);
    try {
      torch.setNumThreads(2);
      assert.equal(torch.getNumThreads(), 2);
      torch.setNumThreads(1);
      assert.equal(torch.getNumThreads(), 1);
      // Work still runs (and agrees) with either count.
      const r = torch.tidy(() =>
        torch
          .ones([64, 64])
          .matmul(torch.ones([64, 64]))
          .sum()
          .item(),
      );
      assert.equal(r, 64 * 64 * 64);
    } finally {
      torch.setNumThreads(n);
    }
    assert.equal(torch.getNumThreads(), n);
  });
  it('cuda.isAvailable() is false and deviceCount() 0 on this CPU build; synchronize is a no-op', () => {
    assert.equal(torch.cuda.isAvailable(), false);
    assert.equal(torch.cuda.deviceCount(), 0);
    torch.cuda.synchronize();
    assert.throws(() => torch.zeros([2], { device: 'cuda' }), Error);
  });
  it('grad mode switches', () => {
    assert.equal(torch.isGradEnabled(), true);
    torch.setGradEnabled(false);
    assert.equal(torch.isGradEnabled(), false);
    torch.setGradEnabled(true);
    assert.equal(torch.isGradEnabled(), true);
    assert.equal(
      torch.noGrad(() => torch.isGradEnabled()),
      false,
    );
  });
  it('libtorchVersion is 1.13.x; mallocTrim runs', () => {
    assert.match(torch.libtorchVersion(), /^1\.13\./);
    torch.mallocTrim();
  });
});
