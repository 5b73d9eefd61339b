import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../../src/torch/index.js';
import { Rng } from '../../src/util/rng.js';
import {
  augmentSegmentationBatch,
  drawElasticGrids,
  elasticDisplacement,
  elasticWarp,
  splineResizeMatrix,
} from '../../src/data/augment.js';
import { hasScipy, maxAbsDiff, python, syntheticBatch } from './augment-helpers.js';

torch.setNumThreads(1);

describe('elastic deformation (E.3 step 2)', () => {
  it(
    'upsamples the coarse grid exactly as skimage resize(order=3, mode=reflect, clip=True)',
    { skip: !hasScipy() && 'no scipy' },
    () => {
      // skimage's mode 'reflect' is ndimage's 'mirror'; resize = zoom(grid_mode=True) + clip to the input range.
      const rng = new Rng(5);
      const sizes: [number, number][] = [
        [192, 192],
        [160, 160],
        [7, 12],
      ];
      const grids = sizes.map(() => Array.from({ length: 9 }, () => rng.normal(0, 5)));
      const ref = python<{ m: number[][]; d: number[][] }[]>(
        `
import sys, json, numpy as np
from scipy.ndimage import zoom
job = json.load(sys.stdin)
out = []
for (h, w), g in zip(job['sizes'], job['grids']):
    m = np.stack([zoom(np.eye(3)[i], h / 3, order=3, mode='mirror', grid_mode=True) for i in range(3)], axis=1)
    g = np.array(g).reshape(3, 3)
    d = np.clip(zoom(g, (h / 3, w / 3), order=3, mode='mirror', grid_mode=True), g.min(), g.max())
    out.append({'m': m.tolist(), 'd': d.tolist()})
print(json.dumps(out))
`,
        { sizes, grids },
      );
      sizes.forEach(([h, w], i) => {
        const m = splineResizeMatrix(3, h);
        let e = 0;
        for (let o = 0; o < h; o++)
          for (let j = 0; j < 3; j++) e = Math.max(e, Math.abs(m[o * 3 + j] - ref[i].m[o][j]));
        assert.ok(e < 1e-12, `resize matrix 3->${h}: ${e}`);
        const g = torch.tensor(Float32Array.from([...grids[i], ...grids[i]]), [1, 2, 3, 3]);
        const d = elasticDisplacement(g, h, w);
        const expected = torch.tensor(Float32Array.from(ref[i].d.flat()), [h, w]);
        assert.ok(maxAbsDiff(d.select(1, 0).squeeze(0), expected) < 1e-4, `field ${h}x${w}`);
        assert.ok(maxAbsDiff(d.select(1, 1).squeeze(0), expected) < 1e-4);
      });
    },
  );

  it('warps output(y, x) = input(y − d_y, x − d_x), clamping at the edges', () => {
    const { images } = syntheticBatch(2, 40, 48);
    const g = new Float32Array(2 * 18);
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 9; j++) [g[i * 18 + j], g[i * 18 + 9 + j]] = [3, -2];
    const out = elasticWarp(images, g, [3, 3]);
    // Interior: a pure shift down by 3 and left by 2.
    const shifted = images.slice(2, 0, 37).slice(3, 2, 48);
    assert.ok(maxAbsDiff(out.slice(2, 3, 40).slice(3, 0, 46), shifted) < 1e-5);
    // Edges clamp: the top rows repeat row 0 of the input (shifted by 2 columns).
    assert.ok(
      maxAbsDiff(
        out.slice(2, 0, 3).slice(3, 0, 46),
        images.slice(2, 0, 1).slice(3, 2, 48).expand(2, 1, 3, 46),
      ) < 1e-5,
    );
  });

  it('with σ = 0 is the identity; labels stay one-hot', () => {
    const { images, labels } = syntheticBatch(4, 48, 48);
    const r = augmentSegmentationBatch(images, labels, 4, {
      rng: new Rng(3),
      sigma: 0,
      affine: false,
      n0: 0,
    });
    assert.equal(r.plan.n0, 0);
    assert.ok(maxAbsDiff(r.images, images) < 1e-5);
    const oneHot = torch.F.oneHot(labels, 4).permute(0, 3, 1, 2).float();
    assert.ok(maxAbsDiff(r.labels, oneHot) < 1e-5);
  });

  it('gives soft labels in [0, 1] summing to 1 per pixel, that move with the image', () => {
    const { images, labels } = syntheticBatch(8, 64, 64);
    for (const seed of [1, 2, 3]) {
      // σ = 5 on every slice (n0 = 0), affine on: the hardest case for alignment.
      const r = augmentSegmentationBatch(images, labels, 4, { rng: new Rng(seed), n0: 0 });
      assert.ok(r.labels.min().item() >= 0 && r.labels.max().item() <= 1);
      assert.ok(maxAbsDiff(r.labels.sum(1), torch.ones([8, 64, 64])) < 1e-5);
      // Soft labels really are soft somewhere (the field is not a pure lattice shift).
      const fractional = r.labels.gt(0.05).logicalAnd(r.labels.lt(0.95)).sum().item();
      assert.ok(fractional > 0);
      // The structure (intensity ≥ 0.65: classes 1 and 2) and the label's argmax ∈ {1, 2} agree.
      const struct = r.images.squeeze(1).ge(0.65);
      const arg = r.labels.argmax(1);
      const lab = arg.eq(1).logicalOr(arg.eq(2));
      const dice = (a: torch.Tensor, b: torch.Tensor) =>
        (2 * a.logicalAnd(b).sum().item()) / (a.sum().item() + b.sum().item());
      // Aligned: ~0.975 (the boundary pixels differ: nearest vs bilinear in the affine step, and
      // the threshold); a control with the labels mirrored scores ~0.5.
      assert.ok(dice(struct, lab) > 0.95, `dice ${dice(struct, lab)} at seed ${seed}`);
      assert.ok(dice(struct, lab.flip(2)) < 0.8, 'control');
      torch.dispose(r);
    }
  });

  it('draws N(0, σ²) grids of the requested shape', () => {
    const g = drawElasticGrids(new Rng(8), 200, 5, 3);
    assert.equal(g.length, 200 * 18);
    let s = 0;
    let s2 = 0;
    for (const v of g) {
      s += v;
      s2 += v * v;
    }
    const mean = s / g.length;
    const sd = Math.sqrt(s2 / g.length - mean * mean);
    assert.ok(Math.abs(mean) < 0.3 && Math.abs(sd - 5) < 0.25, `mean ${mean}, sd ${sd}`);
  });
});
