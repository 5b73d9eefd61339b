import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../../src/torch/index.js';
import { Rng } from '../../src/util/rng.js';
import { contrastiveIntensity, segmentationIntensity } from '../../src/data/augment.js';
import { sameBits } from './augment-helpers.js';

torch.setNumThreads(1);

/** Inputs with a wide range, including values outside [0, 1.5]. */
function inputs(n: number): torch.Tensor {
  return torch.tidy(() => {
    torch.manualSeed(4);
    return torch.rand([n, 1, 24, 24]).mul(2.2).sub(0.4);
  });
}

/** Per image: the mean and the least-squares slope of out against in (the contrast factor). */
function fit(x: torch.Tensor, y: torch.Tensor): { dMean: number[]; slope: number[] } {
  return torch.tidy(() => {
    const mx = x.mean([1, 2, 3], true);
    const my = y.mean([1, 2, 3], true);
    const xc = x.sub(mx);
    const slope = xc
      .mul(y.sub(my))
      .sum([1, 2, 3])
      .div(xc.square().sum([1, 2, 3]))
      .toArray();
    const dMean = my.sub(mx).flatten().toArray();
    return { dMean, slope };
  });
}

describe('intensity augmentation (C.4 step 4, E.3 step 3)', () => {
  it('contrastive views stay within [0, 1.5]', () => {
    const x = inputs(10);
    for (let seed = 0; seed < 20; seed++) {
      for (const perImage of [false, true]) {
        const y = contrastiveIntensity(x, { rng: new Rng(seed), perImage });
        assert.ok(y.min().item() >= 0 && y.max().item() <= 1.5);
        y.dispose();
      }
    }
  });

  it('brightness then contrast about each image mean; one δ and one f per call by default', () => {
    // In [0.45, 0.55] nothing clips, so out = (x − mean)·f + mean + δ exactly.
    const x = torch.tidy(() =>
      inputs(6)
        .mul(0.1 / 2.2)
        .add(0.45),
    );
    for (const perImage of [false, true]) {
      const fits = [1, 2, 3].map((seed) =>
        fit(x, contrastiveIntensity(x, { rng: new Rng(seed), perImage })),
      );
      for (const { dMean, slope } of fits) {
        for (const d of dMean) assert.ok(d >= -0.3 && d <= 0.3);
        for (const f of slope) assert.ok(f >= 0.7 - 1e-4 && f <= 1.3 + 1e-4);
        const spread = (v: number[]) => Math.max(...v) - Math.min(...v);
        if (perImage)
          assert.ok(spread(dMean) > 1e-3 && spread(slope) > 1e-3, 'per-image draws differ');
        else assert.ok(spread(dMean) < 1e-5 && spread(slope) < 1e-4, 'shared δ and f');
      }
    }
  });

  it('is deterministic under a seed', () => {
    const x = inputs(4);
    const a = contrastiveIntensity(x, { rng: new Rng(9) });
    const b = contrastiveIntensity(x, { rng: new Rng(9) });
    const c = contrastiveIntensity(x, { rng: new Rng(10) });
    assert.ok(sameBits(a, b));
    assert.ok(!sameBits(a, c));
  });

  it('segmentation-batch change: contrast U(0.8, 1.2) on the first half, brightness ±0.1 on the rest', () => {
    const x = inputs(8);
    for (let seed = 0; seed < 10; seed++) {
      const { dMean, slope } = fit(x, segmentationIntensity(x, { rng: new Rng(seed) }));
      for (let i = 0; i < 4; i++) {
        assert.ok(Math.abs(dMean[i]) < 1e-5, 'contrast keeps the mean');
        assert.ok(slope[i] >= 0.8 - 1e-4 && slope[i] <= 1.2 + 1e-4);
        assert.ok(Math.abs(slope[i] - slope[0]) < 1e-4, 'one factor per call');
      }
      for (let i = 4; i < 8; i++) {
        assert.ok(Math.abs(slope[i] - 1) < 1e-4, 'brightness keeps the contrast');
        assert.ok(Math.abs(dMean[i]) <= 0.1 + 1e-6);
        assert.ok(Math.abs(dMean[i] - dMean[4]) < 1e-5);
      }
    }
  });
});
