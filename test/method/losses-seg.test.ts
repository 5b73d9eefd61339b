// Segmentation losses (src/method/losses/dice.ts, cross-entropy.ts, dice-ce.ts): values and
// gradients against PyTorch references of the released TF code's formulas and of SSL4MIS
// (losses_ref.py, run by test/torch/reference_ops.py), hand-computed values, and finite-difference
// gradient checks in float64.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../src/errors.js';
import {
  crossEntropyLoss,
  diceCeLoss,
  diceCeLossTerms,
  diceLoss,
  paperClassWeights,
  softDice,
  SSL4MIS_DICE_CE,
  type DiceLossOptions,
} from '../../src/method/losses/index.js';
import * as torch from '../../src/torch/index.js';
import type { Tensor } from '../../src/torch/index.js';
import type { Rng } from '../../src/util/rng.js';
import { gradcheck } from '../torch/gradcheck.js';
import { assertClose, nums, parityTests, randnT, rng, type ParityCase } from '../torch/helpers.js';

const REF_DIR = fileURLToPath(new URL('../../../test/method/', import.meta.url));
/** Python statements: import losses_ref, then `out = <expr>`. */
const py = (expr: string): string =>
  [
    `import sys`,
    `sys.path.insert(0, ${JSON.stringify(REF_DIR)})`,
    `from losses_ref import *`,
    `out = ${expr}`,
  ].join('\n');

const size = (s: number[]): number => s.reduce((a, b) => a * b, 1);

/** int64 labels in [0, c), with class `absent` (if given) missing from image 0. */
function labelsT(r: Rng, shape: number[], c: number, absent?: number): Tensor {
  const v = new BigInt64Array(size(shape));
  const per = size(shape.slice(1));
  for (let i = 0; i < v.length; i++) {
    let k = r.int(c);
    while (absent !== undefined && i < per && k === absent) k = r.int(c);
    v[i] = BigInt(k);
  }
  return torch.tensor(v, shape);
}

/** Soft one-hot targets: softmax over classes of random scores (like warped one-hot maps). */
function softTargetT(r: Rng, shape: number[], dtype: 'float32' | 'float64' = 'float64'): Tensor {
  return torch.tidy(() => randnT(r, shape, { dtype, scale: 2 }).softmax(1));
}

/** One-hot float (N, C, ...) of int labels. */
function oneHotT(labels: Tensor, c: number, dtype: 'float32' | 'float64' = 'float64'): Tensor {
  return torch.tidy(() => {
    const oh = torch.F.oneHot(labels, c);
    const dims = [0, oh.ndim - 1, ...Array.from({ length: oh.ndim - 2 }, (_, i) => i + 1)];
    return oh
      .permute(...dims)
      .to(dtype)
      .contiguous();
  });
}

/** [loss, dLoss/dlogits] of one of our losses. */
function lossAndGrad(fn: (x: Tensor) => Tensor, logits: Tensor): Tensor[] {
  const x = logits.detach().clone().requiresGrad_();
  const loss = fn(x);
  loss.backward();
  return [loss.detach(), x.grad!];
}

const cases: ParityCase[] = [];
{
  const r = rng(11);
  const tol = { rtol: 1e-9, atol: 1e-12 };
  const add = (c: ParityCase): void => {
    cases.push(c);
  };
  // Dice (dsc_loss 2 and 1), hard labels with an absent class, and soft targets.
  for (const withBg of [true, false]) {
    const lg = randnT(r, [3, 4, 8, 8], { dtype: 'float64', scale: 2 });
    const lab = labelsT(r, [3, 8, 8], 4, 2);
    add({
      name: `dice ${withBg ? 'with' : 'without'} background, hard labels, class 2 absent once`,
      inputs: () => ({ logits: lg, y: oneHotT(lab, 4), lab }),
      ours: ({ logits, lab: l }) =>
        lossAndGrad((x) => diceLoss(x, l, { includeBackground: withBg }), logits),
      py: py(`loss_and_grad(tf_dice, logits, y, ${withBg ? 'True' : 'False'})`),
      ...tol,
    });
    const lg2 = randnT(r, [2, 3, 6, 5], { dtype: 'float64' });
    const soft = softTargetT(r, [2, 3, 6, 5]);
    add({
      name: `dice ${withBg ? 'with' : 'without'} background, soft targets`,
      inputs: () => ({ logits: lg2, y: soft }),
      ours: ({ logits, y }) =>
        lossAndGrad((x) => diceLoss(x, y, { includeBackground: withBg }), logits),
      py: py(`loss_and_grad(tf_dice, logits, y, ${withBg ? 'True' : 'False'})`),
      ...tol,
    });
  }
  {
    const lg = randnT(r, [2, 3, 3, 4, 5], { dtype: 'float64' });
    const lab = labelsT(r, [2, 3, 4, 5], 3);
    add({
      name: 'dice on a 3-D (N, C, D, H, W) input',
      inputs: () => ({ logits: lg, y: oneHotT(lab, 3), lab }),
      ours: ({ logits, y }) => lossAndGrad((x) => diceLoss(x, y), logits),
      py: py('loss_and_grad(tf_dice, logits, y, True)'),
      ...tol,
    });
  }
  {
    const lg = randnT(r, [4, 4, 16, 16], { scale: 3 });
    const lab = labelsT(r, [4, 16, 16], 4);
    add({
      name: 'dice in float32',
      inputs: () => ({ logits: lg, y: oneHotT(lab, 4, 'float32'), lab }),
      ours: ({ logits, lab: l }) => lossAndGrad((x) => diceLoss(x, l), logits),
      py: py('loss_and_grad(tf_dice, logits, y, True)'),
      rtol: 1e-5,
      atol: 1e-7,
    });
  }
  // Weighted CE (dsc_loss 0) with the paper's table, soft targets, explicit weights, none.
  for (const c of [2, 3, 4, 8]) {
    const lg = randnT(r, [2, c, 6, 7], { dtype: 'float64', scale: 2 });
    const lab = labelsT(r, [2, 6, 7], c);
    add({
      name: `weighted CE, paper weights for C = ${c}, hard labels`,
      inputs: () => ({ logits: lg, y: oneHotT(lab, c), lab }),
      ours: ({ logits, lab: l }) => lossAndGrad((x) => crossEntropyLoss(x, l), logits),
      py: py(`loss_and_grad(tf_weighted_ce, logits, y, ${JSON.stringify(paperClassWeights(c))})`),
      ...tol,
    });
  }
  {
    const lg = randnT(r, [2, 3, 5, 5], { dtype: 'float64', scale: 2 });
    const soft = softTargetT(r, [2, 3, 5, 5]);
    add({
      name: 'weighted CE, soft targets (weight of the soft true class)',
      inputs: () => ({ logits: lg, y: soft }),
      ours: ({ logits, y }) => lossAndGrad((x) => crossEntropyLoss(x, y), logits),
      py: py('loss_and_grad(tf_weighted_ce, logits, y, [0.1, 0.45, 0.45])'),
      ...tol,
    });
    add({
      name: 'weighted CE, explicit weights',
      inputs: () => ({ logits: lg, y: soft }),
      ours: ({ logits, y }) =>
        lossAndGrad((x) => crossEntropyLoss(x, y, { weights: [0.2, 0.5, 1.3] }), logits),
      py: py('loss_and_grad(tf_weighted_ce, logits, y, [0.2, 0.5, 1.3])'),
      ...tol,
    });
    add({
      name: 'unweighted CE with soft targets equals F.cross_entropy with probabilities',
      inputs: () => ({ logits: lg, y: soft }),
      ours: ({ logits, y }) =>
        lossAndGrad((x) => crossEntropyLoss(x, y, { weights: null }), logits),
      py: py('loss_and_grad(lambda x, t: F.cross_entropy(x, t), logits, y)'),
      ...tol,
    });
  }
  {
    const lg = randnT(r, [3, 4, 8, 8], { dtype: 'float64', scale: 2 });
    const lab = labelsT(r, [3, 8, 8], 4, 3);
    add({
      name: 'SSL4MIS preset equals 0.5 * (CrossEntropyLoss + SSL4MIS DiceLoss)',
      inputs: () => ({ logits: lg, lab }),
      ours: ({ logits, lab: l }) => lossAndGrad((x) => diceCeLoss(x, l, SSL4MIS_DICE_CE), logits),
      py: py('loss_and_grad(ssl4mis_dice_ce, logits, lab)'),
      ...tol,
    });
    add({
      name: 'default Dice + CE equals tf_dice + unweighted CE',
      inputs: () => ({ logits: lg, y: oneHotT(lab, 4), lab }),
      ours: ({ logits, lab: l }) => lossAndGrad((x) => diceCeLoss(x, l), logits),
      py: py('loss_and_grad(lambda x, t: tf_dice(x, t) + F.cross_entropy(x, t), logits, y)'),
      ...tol,
    });
    add({
      name: 'Dice + weighted CE with lambdas',
      inputs: () => ({ logits: lg, y: oneHotT(lab, 4), lab }),
      ours: ({ logits, y }) =>
        lossAndGrad(
          (x) =>
            diceCeLoss(x, y, {
              lambdaDice: 0.3,
              lambdaCe: 2,
              dice: { includeBackground: false },
              ce: { weights: 'paper' },
            }),
          logits,
        ),
      py: py(
        'loss_and_grad(lambda x, t: 0.3 * tf_dice(x, t, False) + ' +
          '2 * tf_weighted_ce(x, t, [0.1, 0.3, 0.3, 0.3]), logits, y)',
      ),
      ...tol,
    });
  }
}

describe('segmentation losses match PyTorch references (values and gradients)', () => {
  parityTests(cases, { before, it });
});

describe('segmentation losses: hand-computed values', () => {
  // One image, two classes, two pixels with equal logits: p = 0.5 everywhere.
  const logits = (): Tensor => torch.zeros([1, 2, 1, 2], { dtype: 'float64' });
  const y = (): Tensor => torch.tensor([1, 0, 0, 1], [1, 2, 1, 2], { dtype: 'float64' });
  it('dice: I = 0.5, S = 2 per class gives dice 0.5, loss 0.5 (with or without background)', () => {
    torch.tidy(() => {
      assertClose([diceLoss(logits(), y()).item()], [1 - 1 / (2 + 1e-10)], { rtol: 1e-15 });
      assertClose([diceLoss(logits(), y(), { includeBackground: false }).item()], [0.5], {
        rtol: 1e-9,
      });
      assertClose(nums(softDice(logits(), y(), { softmax: true })), [0.5, 0.5], { rtol: 1e-9 });
    });
  });
  it('dice: confident right ~0, confident wrong ~1; an absent class has dice 0', () => {
    torch.tidy(() => {
      const t = y();
      assert.ok(diceLoss(t.mul(60), t).item() < 1e-9); // 1e-10 in the denominator
      assert.ok(Math.abs(diceLoss(t.rsub(1).mul(60), t).item() - 1) < 1e-12);
      // Class 1 absent from the target: its dice is 0 (the released code's behaviour).
      const bgOnly = torch.tensor([1, 1, 0, 0], [1, 2, 1, 2], { dtype: 'float64' });
      assertClose(nums(softDice(logits(), bgOnly, { softmax: true })), [2 / 3, 0], { rtol: 1e-9 });
    });
  });
  it('weighted CE: per pixel log 2, weights 0.1 and 0.9 give mean 0.5·log 2', () => {
    torch.tidy(() => {
      assertClose([crossEntropyLoss(logits(), y()).item()], [0.5 * Math.LN2], { rtol: 1e-12 });
      assertClose([crossEntropyLoss(logits(), y(), { weights: null }).item()], [Math.LN2], {
        rtol: 1e-12,
      });
    });
  });
  it('paper weight table; other class counts need explicit weights', () => {
    assert.deepEqual(paperClassWeights(4), [0.1, 0.3, 0.3, 0.3]);
    assert.deepEqual(paperClassWeights(8), [0.09, ...Array(7).fill(0.13)]);
    torch.tidy(() => {
      const lg = torch.zeros([1, 5, 2, 2]);
      const lab = torch.zeros([1, 2, 2], { dtype: 'int64' });
      assert.throws(() => crossEntropyLoss(lg, lab), InputError);
      assert.ok(Number.isFinite(crossEntropyLoss(lg, lab, { weights: [1, 1, 1, 1, 1] }).item()));
      assert.throws(() => crossEntropyLoss(lg, lab, { weights: [1, 1] }), InputError);
    });
  });
  it('dice-ce terms add up with the lambdas', () => {
    torch.tidy(() => {
      const r = rng(5);
      const lg = randnT(r, [2, 3, 4, 4]);
      const lab = labelsT(r, [2, 4, 4], 3);
      const t = diceCeLossTerms(lg, lab, { lambdaDice: 0.25, lambdaCe: 3 });
      assertClose([t.loss.item()], [0.25 * t.dice.item() + 3 * t.ce.item()], { rtol: 1e-6 });
      assertClose([t.dice.item()], [diceLoss(lg, lab).item()], { rtol: 1e-7 });
      assertClose([t.ce.item()], [crossEntropyLoss(lg, lab, { weights: null }).item()], {
        rtol: 1e-7,
      });
    });
  });
  it('bad shapes and dtypes throw InputError', () => {
    torch.tidy(() => {
      const lg = torch.zeros([2, 3, 4, 4]);
      assert.throws(() => diceLoss(lg, torch.zeros([2, 4, 4, 4])), InputError);
      assert.throws(() => diceLoss(lg, torch.zeros([2, 4, 5], { dtype: 'int64' })), InputError);
      assert.throws(() => crossEntropyLoss(lg, torch.zeros([2, 3, 4, 5])), InputError);
      assert.throws(() => diceLoss(torch.zeros([2, 3]), torch.zeros([2, 3])), InputError);
      assert.throws(
        () => diceLoss(torch.zeros([1, 3, 2, 2], { dtype: 'int64' }), torch.zeros([1, 3, 2, 2])),
        InputError,
      );
    });
  });
  it('runs inside and outside tidy without leaking tensors', () => {
    const r = rng(9);
    const lg = randnT(r, [2, 4, 8, 8]);
    const lab = labelsT(r, [2, 8, 8], 4);
    const before0 = torch.memoryStats().liveTensors;
    for (const f of [
      () => diceLoss(lg, lab),
      () => crossEntropyLoss(lg, lab),
      () => diceCeLoss(lg, lab, SSL4MIS_DICE_CE),
    ]) {
      const l = f();
      assert.deepEqual(l.shape, []);
      l.dispose();
    }
    assert.equal(torch.memoryStats().liveTensors, before0);
    torch.dispose([lg, lab]);
  });
});

describe('segmentation losses: finite-difference gradients (float64)', () => {
  const r = rng(21);
  const lab = labelsT(r, [2, 5, 4], 3, 1);
  const soft = softTargetT(r, [2, 3, 5, 4]);
  const lg = randnT(r, [2, 3, 5, 4], { dtype: 'float64' });
  const diceVariants: [string, DiceLossOptions][] = [
    ['paper default', {}],
    ['without background', { includeBackground: false }],
    ['batch, squared, smoothed (SSL4MIS)', SSL4MIS_DICE_CE.dice!],
  ];
  for (const [name, o] of diceVariants) {
    it(`dice ${name}, hard and soft targets`, () => {
      gradcheck((x) => diceLoss(x, lab, o), [lg]);
      gradcheck((x) => diceLoss(x, soft, o), [lg]);
    });
  }
  it('weighted CE, hard and soft targets', () => {
    gradcheck((x) => crossEntropyLoss(x, lab), [lg]);
    gradcheck((x) => crossEntropyLoss(x, soft), [lg]);
  });
  it('Dice + CE (SSL4MIS preset)', () => {
    gradcheck((x) => diceCeLoss(x, lab, SSL4MIS_DICE_CE), [lg]);
  });
});
