import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/method/config.js';
import { classPresence, type SlicePool } from '../../src/method/pools.js';
import { jointLoss, proposedBatch, type JointPools } from '../../src/method/train/joint.js';
import type { StageContext } from '../../src/method/train/loop.js';
import { segmentationLoss } from '../../src/method/setup.js';
import { UNet } from '../../src/nn/index.js';
import * as torch from '../../src/torch/index.js';
import { Rng } from '../../src/util/rng.js';
import { tinyConfig } from './tiny-config.js';

const SIZE = 16;
const CLASSES = 4;

/** `count` slices whose labels are the four quadrants, classes rotated by `shift + slice`. */
function pool(count: number, shift: number): SlicePool {
  const plane = SIZE * SIZE;
  const labels = new Uint8Array(count * plane);
  const images = new Float32Array(count * plane);
  for (let k = 0; k < count; k++) {
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        const quadrant = (y < SIZE / 2 ? 0 : 2) + (x < SIZE / 2 ? 0 : 1);
        labels[k * plane + y * SIZE + x] = (quadrant + shift + k) % CLASSES;
        images[k * plane + y * SIZE + x] = (shift + k) / 10; // tells the slices apart
      }
    }
  }
  const sources = Array.from({ length: count }, (_, slice) => ({ caseId: `c${shift}`, slice }));
  return { count, size: [SIZE, SIZE], images, labels, sources };
}

const labeled = pool(4, 0);
const unlabeled = pool(5, 1);
const pools: JointPools = {
  labeled,
  labeledPresence: classPresence(labeled),
  unlabeled,
  unlabeledPresence: classPresence(unlabeled),
  active: [0, 1, 2, 3, 4],
};

const config = (pseudoSegBatchSize?: number) =>
  parseConfig({
    ...tinyConfig,
    augment: { affine: false, elastic: false, intensity: false },
    joint: { ...tinyConfig.joint, segBatchSize: 2, pairs: 2, pseudoSegBatchSize },
  });

test('pseudoSegBatchSize appends pseudo-labeled slices to the segmentation batch and its loss', () => {
  const cfg = config(3);
  torch.tidy(() => {
    const b = proposedBatch(pools, cfg, CLASSES, new Rng(5), 'cpu');
    assert.ok(b);
    assert.deepEqual(b.segImages.shape, [5, 1, SIZE, SIZE]);
    const images = b.segImages.data() as Float32Array;
    const targets = b.segTargets.argmax(1).to('uint8').data() as Uint8Array;
    const plane = SIZE * SIZE;
    for (let r = 0; r < 5; r++) {
      // Each row is a whole slice of its pool, labels with it: labeled rows first, then 3 pseudo-labeled.
      const from = r < 2 ? labeled : unlabeled;
      const k = Math.round(images[r * plane] * 10) - (r < 2 ? 0 : 1);
      assert.ok(
        k >= 0 && k < from.count,
        `row ${r} comes from the ${r < 2 ? '' : 'un'}labeled pool`,
      );
      assert.deepEqual(
        targets.subarray(r * plane, (r + 1) * plane),
        (from.labels as Uint8Array).subarray(k * plane, (k + 1) * plane),
        `row ${r}: the targets are its slice's labels`,
      );
    }
    // The joint loss takes every segmentation row: its Dice term is that of all five slices.
    torch.manualSeed(0);
    const net = new UNet({ inChannels: 1, numClasses: CLASSES, filters: [4, 8], embeddingDim: 4 });
    net.eval(); // per-slice BN statistics: the mixed batch's would differ from the slices' alone
    const ctx = { net } as StageContext;
    const loss = segmentationLoss(cfg);
    const l = jointLoss(ctx, cfg, loss, b, new Rng(1));
    const alone = loss(net.segLogits(net.segHidden(net.features(b.segImages))), b.segTargets);
    assert.ok(Math.abs(l.seg.item() - alone.item()) < 1e-4, `${l.seg.item()} vs ${alone.item()}`);
    net.dispose();
  });
});

test('without pseudoSegBatchSize the segmentation batch is labeled only, as in the code', () => {
  const b = proposedBatch(pools, config(), CLASSES, new Rng(5), 'cpu');
  assert.ok(b);
  assert.deepEqual(b.segImages.shape, [2, 1, SIZE, SIZE]);
  torch.dispose([b.segImages, b.segTargets, b.contrastImages, b.contrastLabels]);
});
