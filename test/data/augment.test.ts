import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../../src/torch/index.js';
import { Rng } from '../../src/util/rng.js';
import { augmentSegmentationBatch } from '../../src/data/augment.js';
import { maxAbsDiff, sameBits, syntheticBatch } from './augment-helpers.js';

torch.setNumThreads(1);

describe('augmentSegmentationBatch', () => {
  const { images, labels } = syntheticBatch(20, 48, 48);

  it('returns images (N, 1, H, W) and soft one-hot labels (N, C, H, W), float32', () => {
    const r = augmentSegmentationBatch(images, labels, 4, { rng: new Rng(1) });
    assert.deepEqual(r.images.shape, [20, 1, 48, 48]);
    assert.deepEqual(r.labels.shape, [20, 4, 48, 48]);
    assert.equal(r.images.dtype, 'float32');
    assert.equal(r.labels.dtype, 'float32');
    assert.ok(r.labels.min().item() >= 0 && r.labels.max().item() <= 1);
    assert.ok(maxAbsDiff(r.labels.sum(1), torch.ones([20, 48, 48])) < 1e-5);
    assert.ok(r.plan.n0 >= 1 && r.plan.n0 <= 18);
  });

  it('is deterministic under a seed and differs between seeds', () => {
    const a = augmentSegmentationBatch(images, labels, 4, { rng: new Rng(42) });
    const b = augmentSegmentationBatch(images, labels, 4, { rng: new Rng(42) });
    const c = augmentSegmentationBatch(images, labels, 4, { rng: new Rng(43) });
    assert.deepEqual(a.plan, b.plan);
    assert.ok(sameBits(a.images, b.images) && sameBits(a.labels, b.labels));
    assert.ok(!sameBits(a.images, c.images) && !sameBits(a.labels, c.labels));
    // Intensity flag: the same seed gives the same geometry, then a different intensity.
    const d = augmentSegmentationBatch(images, labels, 4, { rng: new Rng(42), intensity: true });
    assert.ok(sameBits(a.labels, d.labels));
    assert.ok(!sameBits(a.images, d.images));
  });

  it('keeps slices [0, n0) affine-only (hard labels) and deforms [n0, N) (soft labels)', () => {
    const n0s = new Set<number>();
    for (let seed = 0; seed < 12; seed++) {
      const r = augmentSegmentationBatch(images, labels, 4, { rng: new Rng(seed) });
      const { n0 } = r.plan;
      n0s.add(n0);
      const hard = r.labels.slice(0, 0, n0);
      assert.ok(hard.eq(0).logicalOr(hard.eq(1)).all().item(), 'one-hot before n0');
      const soft = r.labels.slice(0, n0);
      assert.ok(soft.gt(0).logicalAnd(soft.lt(1)).sum().item() > 0, 'soft after n0');
      // Affine-only slices are exactly the affine transform of the input.
      const affineOnly = augmentSegmentationBatch(images, labels, 4, {
        rng: new Rng(seed),
        n0: 20,
      });
      assert.ok(
        sameBits(
          affineOnly.images.slice(0, 0, n0).contiguous(),
          r.images.slice(0, 0, n0).contiguous(),
        ),
      );
      torch.dispose([r, affineOnly]);
    }
    assert.ok(n0s.size > 3, 'n0 is drawn');
  });

  it('with affine and elastic off returns the input and its one-hot encoding', () => {
    const r = augmentSegmentationBatch(images, labels, 4, {
      rng: new Rng(0),
      affine: false,
      elastic: false,
    });
    assert.ok(sameBits(r.images, images));
    assert.ok(
      sameBits(r.labels, torch.F.oneHot(labels, 4).permute(0, 3, 1, 2).float().contiguous()),
    );
    assert.equal(r.plan.n0, 20);
  });

  it('rejects bad shapes, dtypes and label values, and leaks no tensors', () => {
    const rng = new Rng(0);
    assert.throws(
      () => augmentSegmentationBatch(images.squeeze(1), labels, 4, { rng }),
      RangeError,
    );
    assert.throws(
      () => augmentSegmentationBatch(images, labels.slice(0, 0, 5), 4, { rng }),
      RangeError,
    );
    assert.throws(() => augmentSegmentationBatch(images, labels.float(), 4, { rng }), TypeError);
    assert.throws(() => augmentSegmentationBatch(images, labels, 3, { rng }), /outside \[0, 3\)/);
    const before = torch.memoryStats().liveTensors;
    for (let i = 0; i < 3; i++) {
      const r = augmentSegmentationBatch(images, labels, 4, { rng, intensity: true });
      torch.dispose(r);
    }
    assert.equal(torch.memoryStats().liveTensors, before);
  });
});
