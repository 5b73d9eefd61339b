// Deterministic memory management: tidy scopes, keep, dispose, `using`, and the live-handle
// counters (memoryStats) that the leak checks rely on.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as torch from '../../src/torch/index.js';
import { F } from '../../src/torch/index.js';

const live = (): number => torch.memoryStats().liveTensors;

describe('memory', () => {
  it('memoryStats counts live handles and their bytes', () => {
    const before = torch.memoryStats();
    const t = torch.zeros([10, 10], { dtype: 'float64' });
    const after = torch.memoryStats();
    assert.equal(after.liveTensors, before.liveTensors + 1);
    assert.equal(after.liveBytes, before.liveBytes + 800);
    t.dispose();
    assert.deepEqual(torch.memoryStats(), before);
  });
  it('tidy disposes intermediates and keeps the returned tensor', () => {
    const base = live();
    const y = torch.tidy(() => {
      const a = torch.ones([4]);
      const b = a.mul(2).add(1).exp();
      return b.sum();
    });
    assert.equal(live(), base + 1);
    assert.equal(y.isDisposed, false);
    assert.ok(Math.abs(y.item() - 4 * Math.exp(3)) < 1e-3);
    y.dispose();
    assert.equal(live(), base);
  });
  it('tidy keeps tensors in returned arrays and plain objects', () => {
    const base = live();
    const out = torch.tidy(() => {
      const a = torch.ones([2]);
      const m = a.max(0);
      return { list: [a.add(1), a.mul(3)], m, n: 5, s: 'x' };
    });
    assert.equal(live(), base + 4);
    assert.deepEqual(out.list[1].toArray(), [3, 3]);
    torch.dispose(out);
    assert.equal(live(), base);
  });
  it('nested tidy moves results to the enclosing scope; keep survives every scope', () => {
    const base = live();
    let inner: torch.Tensor | null = null;
    let kept: torch.Tensor | null = null;
    torch.tidy(() => {
      inner = torch.tidy(() => torch.ones([2]).mul(2));
      kept = torch.keep(torch.ones([3]));
      assert.equal(inner.isDisposed, false);
    });
    assert.equal(inner!.isDisposed, true);
    assert.equal(kept!.isDisposed, false);
    assert.equal(live(), base + 1);
    kept!.dispose();
    assert.equal(live(), base);
  });
  it('tidy disposes its tensors when the function throws, and refuses async functions', async () => {
    const base = live();
    assert.throws(
      () =>
        torch.tidy(() => {
          torch.ones([3]).add(1);
          throw new Error('boom');
        }),
      /boom/,
    );
    assert.equal(live(), base);
    assert.throws(
      () =>
        torch.tidy(() => {
          torch.ones([3]);
          return Promise.resolve(1) as unknown as number;
        }),
      /tidy: the function must be synchronous/,
    );
    assert.equal(live(), base);
  });
  it('dispose is idempotent and the count drops once', () => {
    const base = live();
    const t = torch.ones([2]);
    t.dispose();
    t.dispose();
    assert.equal(t.isDisposed, true);
    assert.equal(live(), base);
    torch.dispose([t, { t }]);
    assert.equal(live(), base);
  });
  it('using a disposed tensor throws an Error naming the op', () => {
    const t = torch.ones([2, 2]);
    const ok = torch.ones([2, 2]);
    t.dispose();
    assert.throws(
      () => t.add(1),
      (e: Error) => e instanceof Error && /^add: .*already disposed/.test(e.message),
    );
    assert.throws(() => ok.add(t), /add: argument 1: tensor was already disposed/);
    assert.throws(() => t.shape, /shape: tensor was already disposed/);
    assert.throws(() => t.sum(), /sum: .*already disposed/);
    assert.throws(() => t.data(), /already disposed/);
    assert.throws(() => F.conv2d(t, ok.reshape(1, 1, 2, 2)), /conv2d: .*already disposed/);
    assert.throws(() => torch.cat([ok, t]), /cat: argument 0\[1\]: tensor was already disposed/);
    assert.throws(() => t.backward(), /backward: .*already disposed/);
    ok.dispose();
  });
  it('`using` declarations dispose at the end of the block', () => {
    const base = live();
    let seen: torch.Tensor | null = null;
    {
      using a = torch.ones([3]);
      using b = a.mul(2);
      seen = b;
      assert.equal(live(), base + 2);
      assert.deepEqual(b.toArray(), [2, 2, 2]);
    }
    assert.equal(seen!.isDisposed, true);
    assert.equal(live(), base);
  });
  it('a loop of 2000 small ops inside tidy leaves no live tensors and no bytes', () => {
    const before = torch.memoryStats();
    torch.tidy(() => {
      let acc = torch.zeros([8]);
      for (let i = 0; i < 2000; i++) acc = acc.add(1).mul(0.5);
      assert.ok(Math.abs(acc.toArray()[0] - 1) < 1e-6);
    });
    assert.deepEqual(torch.memoryStats(), before);
  });
  it('a training-like loop (forward, backward, update, grads) returns to the baseline each step', () => {
    const w = torch.randn([4, 4], { requiresGrad: true });
    const base = live();
    for (let step = 0; step < 50; step++) {
      torch.tidy(() => {
        const x = torch.randn([8, 4]);
        const loss = x.matmul(w).relu().logsumexp(1).mean();
        loss.backward();
        torch.noGrad(() => w.sub_(w.grad!.mul(0.01)));
        w.grad = null;
      });
      assert.equal(live(), base, `step ${step}`);
    }
    w.dispose();
  });
  it('tensors outside any scope are released by garbage collection as a backstop', async () => {
    const { setFlagsFromString } = await import('node:v8');
    const { runInNewContext } = await import('node:vm');
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const base = live();
    (() => {
      for (let i = 0; i < 100; i++) torch.ones([16]);
    })();
    assert.equal(live(), base + 100);
    for (let k = 0; k < 10 && live() > base; k++) {
      gc();
      await new Promise((res) => setImmediate(res));
    }
    assert.ok(live() < base + 100, `live ${live() - base} after gc`);
  });
});
