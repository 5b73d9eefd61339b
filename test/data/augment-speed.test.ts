// Speed of the segmentation-batch augmentation against one training step of the paper's UNet at
// the paper's batch (20 slices of 192×192, 4 classes), both on 2 threads. Prints both numbers;
// asserts only a loose bound, since the shared machine is noisy.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../../src/torch/index.js';
import { Rng } from '../../src/util/rng.js';
import { augmentSegmentationBatch, contrastiveIntensity } from '../../src/data/augment.js';
import { Adam, UNet } from '../../src/nn/index.js';
import { syntheticBatch } from './augment-helpers.js';

function diceLoss(logits: torch.Tensor, target: torch.Tensor): torch.Tensor {
  return torch.tidy(() => {
    const p = logits.softmax(1);
    const inter = p.mul(target).sum([2, 3]);
    const denom = p
      .sum([2, 3])
      .add(target.sum([2, 3]))
      .add(1e-10);
    return inter.mul(2).div(denom).mean().rsub(1);
  });
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

it('augments a batch of 20 × 192² in well under 10% of a UNet training step (2 threads)', () => {
  torch.setNumThreads(2);
  torch.manualSeed(0);
  const [n, size, classes] = [20, 192, 4];
  const { images, labels } = syntheticBatch(n, size, size);
  const rng = new Rng(0);
  const augment = () => augmentSegmentationBatch(images, labels, classes, { rng });

  // Augmentation: 2 warm-up calls, then the median of 9.
  for (let i = 0; i < 2; i++) torch.dispose(augment());
  const augMs: number[] = [];
  for (let i = 0; i < 9; i++) {
    const t = performance.now();
    torch.dispose(augment());
    augMs.push(performance.now() - t);
  }
  const contrastMs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    contrastiveIntensity(images.slice(0, 0, 10), { rng }).dispose();
    contrastMs.push(performance.now() - t);
  }

  // One UNet step: forward, Dice loss on the augmented soft labels, backward, Adam step.
  const net = new UNet({ numClasses: classes });
  net.train();
  const opt = new Adam(net.parameters(), { lr: 1e-3 });
  const batch = augment();
  const step = (k: number) =>
    torch.tidy(() => {
      opt.zeroGrad();
      const x = batch.images.slice(0, 0, k);
      diceLoss(net.forward(x), batch.labels.slice(0, 0, k)).backward();
      opt.step();
      return null;
    });
  // Warm-up on 4 slices (Adam state, kernel paths) to keep this file short; then one timed step.
  step(4);
  const t0 = performance.now();
  step(n);
  const s = performance.now() - t0;
  const a = median(augMs);
  console.log(
    `augmentation (20×192², 4 classes, 2 threads): median ${a.toFixed(1)} ms, min ${Math.min(...augMs).toFixed(1)} ms; ` +
      `contrastive intensity (10 slices): ${median(contrastMs).toFixed(1)} ms; ` +
      `UNet training step (batch 20): ${s.toFixed(0)} ms; ratio ${((100 * a) / s).toFixed(1)}%`,
  );
  torch.dispose(batch);
  net.dispose();
  opt.dispose();
  assert.ok(a < 0.3 * s, `augmentation ${a} ms vs step ${s} ms`);
});
