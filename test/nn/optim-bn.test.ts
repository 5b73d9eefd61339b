import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as torch from '../../src/torch/index.js';
import { Adam, BatchNorm2d, Conv2d, Module, Sequential, updateBn } from '../../src/nn/index.js';

test('Adam counts steps per parameter: one that starts late gets its own bias correction', () => {
  const early = new torch.Parameter(torch.zeros([3]));
  const late = new torch.Parameter(torch.zeros([2]));
  const lr = 0.01;
  const opt = new Adam([early, late], { lr });
  for (let t = 0; t < 10; t++) {
    early.grad = torch.tensor(Float32Array.from([1, -2, 3]), [3]);
    opt.step();
  }
  assert.deepEqual(opt.steps, [10, 0]);
  early.grad = torch.tensor(Float32Array.from([1, -2, 3]), [3]);
  late.grad = torch.tensor(Float32Array.from([0.5, -4]), [2]);
  opt.step();
  assert.deepEqual(opt.steps, [11, 1]);
  // A first step is lr·g/(|g| + ε) = ±lr, whatever the other parameters did (PyTorch); with a
  // shared step count of 11 it would be about 0.48·lr.
  const moved = late.data() as Float32Array;
  assert.ok(Math.abs(moved[0] + lr) < 1e-7 && Math.abs(moved[1] - lr) < 1e-7, `${moved}`);

  const state = opt.stateDict();
  assert.equal(state.scalars.step, 11);
  const copy = new Adam([early, late], { lr });
  copy.loadStateDict(state);
  assert.deepEqual(copy.steps, [11, 1]);
  // Checkpoints written before per-parameter counts load every count from `step`.
  copy.loadStateDict({ scalars: { lr, step: 5 }, tensors: {} });
  assert.deepEqual(copy.steps, [5, 5]);
  for (const o of [opt, copy]) o.dispose();
  torch.dispose([early, late]);
});

class TwoBranches extends Module {
  readonly body = this.registerModule(
    'body',
    new Sequential(new Conv2d(2, 3, 3, { padding: 1 }), new BatchNorm2d(3, { momentum: 0.1 })),
  );
  readonly unused = this.registerModule('unused', new BatchNorm2d(3, { momentum: 0.1 }));
  forward(x: torch.Tensor): torch.Tensor {
    return this.body.forward(x);
  }
}

test('updateBn: running statistics become the average over the batches; the rest is restored', () => {
  torch.manualSeed(3);
  const net = new TwoBranches().eval();
  const bn = net.body.layers[1] as BatchNorm2d;
  net.unused.runningMean.fill_(0.25);
  const inputs = [0, 1, 2].map((k) =>
    torch
      .randn([4, 2, 5, 5])
      .mul_(k + 1)
      .add_(k),
  );
  // The expected statistics: per-batch mean and unbiased variance of the conv output, averaged.
  const conv = net.body.layers[0] as Conv2d;
  const expected = torch.noGrad(() => {
    const stats = inputs.map((x) => {
      const y = conv.forward(x).transpose(0, 1).reshape(3, -1);
      return [y.mean([1]), y.var([1], false, 1)];
    });
    const avg = (k: number) => torch.stack(stats.map((s) => s[k])).mean([0]);
    return [avg(0), avg(1)].map((t) => Float32Array.from(t.data() as Float32Array));
  });
  updateBn(
    inputs.map((x) => x.clone()),
    net,
  );
  const close = (a: Float32Array, b: Float32Array) => a.every((v, i) => Math.abs(v - b[i]) < 1e-4);
  assert.ok(close(bn.runningMean.data() as Float32Array, expected[0]), 'running mean');
  assert.ok(close(bn.runningVar.data() as Float32Array, expected[1]), 'running variance');
  assert.equal(bn.options.momentum, 0.1, 'momentum restored');
  assert.equal(net.training, false, 'mode restored');
  assert.ok(
    (net.unused.runningMean.data() as Float32Array).every((v) => v === 0.25),
    'a layer the forward pass does not reach keeps its statistics',
  );
  torch.dispose(inputs);
  net.dispose();
});
