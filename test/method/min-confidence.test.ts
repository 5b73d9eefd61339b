// pseudo.minConfidence: pseudo-labeled pixels below the confidence get IGNORE_LABEL, and no loss
// reads them: their one-hot target is all zero (with or without augmentation), the segmentation
// losses leave them out, the presence masks and the contrastive classes skip them.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { augmentSegmentationBatch } from '../../src/data/augment.js';
import { oneHot } from '../../src/method/batch.js';
import { parseConfig } from '../../src/method/config.js';
import { pseudoLabelQuality } from '../../src/method/diagnose.js';
import { crossEntropyLoss, diceLoss } from '../../src/method/losses/index.js';
import { IGNORE_LABEL, classPresence } from '../../src/method/pools.js';
import { labelSlices } from '../../src/method/pseudo-labels.js';
import { crfParamsFromList } from '../../src/method/pseudo/crf.js';
import { pseudoLabelFile } from '../../src/method/run-dir.js';
import { runPipeline } from '../../src/method/run.js';
import * as torch from '../../src/torch/index.js';
import { Rng } from '../../src/util/rng.js';
import { tinyConfig } from './tiny-config.js';

test('labelSlices: pixels whose largest probability is below minConfidence get IGNORE_LABEL', () => {
  // One 1×3 slice, 2 classes: probabilities of class 1 are 0.95, 0.6 and 0.05.
  const probs = Float32Array.from([0.05, 0.4, 0.95, 0.95, 0.6, 0.05]);
  const images = new Float32Array(3);
  assert.deepEqual([...labelSlices(probs, images, 1, [1, 3], 2, null)], [1, 1, 0]);
  assert.deepEqual(
    [...labelSlices(probs, images, 1, [1, 3], 2, null, 'cpu', 0.9)],
    [1, IGNORE_LABEL, 0],
  );
  // With the CRF the confidence is still the network's: a strong smoothing makes the middle
  // pixel's marginal of class 1 near 1 (class 1 on both sides), but its probability stays 0.6.
  const sides = Float32Array.from([0.05, 0.4, 0.05, 0.95, 0.6, 0.95]);
  const crf = crfParamsFromList([0.01, 0.5, 10, 3, 30, 10]);
  assert.deepEqual([...labelSlices(sides, images, 1, [1, 3], 2, crf)], [1, 1, 1]);
  assert.deepEqual(
    [...labelSlices(sides, images, 1, [1, 3], 2, crf, 'cpu', 0.9)],
    [1, IGNORE_LABEL, 1],
  );
});

test('oneHot and the augmentation give ignored pixels an all-zero target', () => {
  const labels = torch.tensor(Int32Array.from([0, 2, IGNORE_LABEL, 1]), [1, 2, 2]).long();
  const expected = [1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0];
  assert.deepEqual([...(oneHot(labels, 3).data() as Float32Array)], expected);
  const images = torch.rand([1, 1, 2, 2]);
  const plain = { rng: new Rng(1), affine: false, elastic: false };
  assert.throws(() => augmentSegmentationBatch(images, labels, 3, plain), /outside \[0, 3\)/);
  const r = augmentSegmentationBatch(images, labels, 3, { ...plain, ignoreLabel: IGNORE_LABEL });
  assert.deepEqual([...(r.labels.data() as Float32Array)], expected);
});

test('classPresence skips IGNORE_LABEL', () => {
  const labels = Uint8Array.from([0, 2, IGNORE_LABEL, IGNORE_LABEL]);
  const pool = {
    count: 1,
    size: [2, 2] as [number, number],
    images: new Float32Array(4),
    labels,
    sources: [{ caseId: 'a', slice: 0 }],
  };
  assert.deepEqual([...classPresence(pool)], [0b101]);
});

test('Dice and cross-entropy with ignoreEmptyTarget: ignored pixels change neither loss nor gradient', () => {
  torch.manualSeed(0);
  const labels = torch.tensor(Int32Array.from([0, 1, 2, IGNORE_LABEL, 1, IGNORE_LABEL]), [1, 2, 3]);
  const target = oneHot(labels.long(), 3);
  const full = oneHot(torch.tensor(Int32Array.from([0, 1, 2, 0, 1, 2]), [1, 2, 3]).long(), 3);
  const logits = torch.randn([1, 3, 2, 3]);
  // Other logits at the ignored pixels (1, 0) and (1, 2) only.
  const mask = torch.tensor(Float32Array.from([0, 0, 0, 1, 0, 1]), [1, 1, 2, 3]);
  const moved = logits.add(torch.randn([1, 3, 2, 3]).mul(5).mul(mask));
  const losses = [
    (l: torch.Tensor, t: torch.Tensor) => diceLoss(l, t, { ignoreEmptyTarget: true }),
    (l: torch.Tensor, t: torch.Tensor) => crossEntropyLoss(l, t, { ignoreEmptyTarget: true }),
    (l: torch.Tensor, t: torch.Tensor) =>
      crossEntropyLoss(l, t, { weights: null, ignoreEmptyTarget: true }),
  ];
  for (const loss of losses) {
    const a = loss(logits, target).item();
    assert.ok(Math.abs(loss(moved, target).item() - a) < 1e-6, `${a}`);
    const x = logits.clone().requiresGrad_();
    loss(x, target).backward();
    const g = x.grad!.mul(mask).abs().max().item();
    assert.ok(g < 1e-7, `gradient ${g} at ignored pixels`);
    // Without ignored pixels the option changes nothing.
    const withAll = loss(logits, full).item();
    const plain = (
      loss === losses[0]
        ? diceLoss(logits, full)
        : crossEntropyLoss(logits, full, {
            weights: loss === losses[1] ? 'paper' : null,
          })
    ).item();
    assert.ok(Math.abs(withAll - plain) < 1e-6, `${withAll} vs ${plain}`);
  }
  // Without the option the ignored pixels do count.
  assert.ok(Math.abs(diceLoss(moved, target).item() - diceLoss(logits, target).item()) > 1e-4);
});

test('a run with pseudo.minConfidence saves ignored pixels and trains on the rest', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'min-confidence-'));
  try {
    const cfg = parseConfig({
      ...tinyConfig,
      // As test/method/stage-start.test.ts: pseudo-labels that hold every class, so that the
      // proposed method finds contrastive pairs among the confident pixels.
      baseline: { ...tinyConfig.baseline, iterations: 40 },
      pseudo: { ...tinyConfig.pseudo, crf: null, minConfidence: 0.5 },
      joint: { ...tinyConfig.joint, pseudoSegBatchSize: 2 },
      methods: ['self-training', 'proposed'],
    });
    const summary = await runPipeline(cfg, { dir });
    const [, selfTraining, proposed] = summary.results;
    assert.equal(selfTraining.skippedIterations, 0);
    assert.ok(proposed.skippedIterations < 12, `${proposed.skippedIterations} of 12 skipped`);
    const round0 = new Uint8Array(readFileSync(pseudoLabelFile(dir, 'proposed', 0)));
    const ignored = round0.filter((v) => v === IGNORE_LABEL).length;
    assert.ok(ignored > 0, 'some pixels are below 0.5');
    assert.ok(round0.every((v) => v < 4 || v === IGNORE_LABEL));
    const q = await pseudoLabelQuality(dir);
    for (const r of q) {
      assert.ok(r.coverage > 0 && r.coverage < 1, `${r.stage} ${r.round}: ${r.coverage}`);
      assert.ok(r.perClass.every((d) => d >= 0 && d <= 1));
    }
    // diagnose --min-confidence: the run's own threshold reproduces the saved round 0; 0 keeps all.
    const swept = await pseudoLabelQuality(dir, { saved: false, minConfidence: [0, 0.5] });
    assert.deepEqual(
      swept.map((r) => r.stage),
      ['argmax without CRF, confidence ≥ 0', 'argmax without CRF, confidence ≥ 0.5'],
    );
    assert.equal(swept[0].coverage, 1);
    assert.deepEqual({ ...swept[1], stage: q[0].stage }, q[0]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
