// The dense CRF of the pseudo-labels (src/method/pseudo/crf.ts) against a brute-force mean field
// over every pixel pair (crf_reference.ts), for each normalisation, with and without the
// self-term, with both kernels active, with the low-rank Gaussian, and with the paper's parameters.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as torch from '../../src/torch/index.js';
import {
  CRF_PARAMS,
  denseCrf,
  type CrfParams,
  type DenseCrfOptions,
} from '../../src/method/pseudo/crf.js';
import { both, bruteForceCrf, maxAbsDiff, randomInputs, small, wide } from './crf_reference.js';

torch.setNumThreads(2);

function compare(
  seed: number,
  shape: number[],
  params: CrfParams,
  o: DenseCrfOptions,
  tol: number,
  dtype: 'float32' | 'float64' = 'float64',
  K = 1,
): number {
  const { probs, images } = randomInputs(seed, shape, K);
  const expected = bruteForceCrf(probs, images, shape, K, params, o);
  const got = torch.tidy(() => {
    const p = torch.tensor(probs, shape).to(dtype);
    const im = torch.tensor(images, [shape[0], K, shape[2], shape[3]]).to(dtype);
    const q = denseCrf(p, im, params, o);
    assert.deepEqual(q.shape, shape);
    assert.equal(q.dtype, dtype);
    return q.to('float64').toArray();
  });
  const d = maxAbsDiff(got, expected);
  assert.ok(d <= tol, `max |ours − brute force| = ${d} > ${tol}`);
  return d;
}

describe('denseCrf against a brute-force mean field (12×12, 3 labels, float64)', () => {
  it('pydensecrf semantics (symmetric normalisation, self included), both kernels', () => {
    compare(1, [1, 3, 12, 12], both, { ...wide }, 1e-5);
  });
  it('textbook mean field (no normalisation, j ≠ i), both kernels', () => {
    // Unnormalised row sums are ≈ 2π·σ² ≈ 25-40, so smaller weights keep the problem non-trivial.
    const p = { ...both, gaussianWeight: 0.1, bilateralWeight: 0.15 };
    // Also: the window's 528 offsets gathered 100 at a time (6 groups, the last one partial).
    const o: DenseCrfOptions = { ...wide, normalization: 'none', includeSelf: false };
    compare(2, [1, 3, 12, 12], p, { ...o, bilateralGroupSize: 100 }, 1e-5);
  });
  for (const normalization of ['symmetric', 'before', 'after', 'none'] as const) {
    for (const includeSelf of [true, false]) {
      it(`normalization '${normalization}', includeSelf ${includeSelf}`, () => {
        const p =
          normalization === 'none'
            ? { ...small, gaussianWeight: 0.1, bilateralWeight: 0.15 }
            : small;
        compare(3, [1, 3, 8, 8], p, { ...wide, normalization, includeSelf }, 1e-5);
      });
    }
  }
  it('a 2-channel image and a non-square slice (7×10), 4 labels', () => {
    compare(4, [1, 4, 7, 10], small, { ...wide }, 1e-5, 'float64', 2);
  });
  it('the low-rank Gaussian (float32 tolerance 1e-9) on 28×28 and 24×20 slices, paper parameters', () => {
    const o: DenseCrfOptions = { gaussianMethod: 'lowRank', gaussianTolerance: 1e-9 };
    compare(16, [1, 3, 28, 28], { ...CRF_PARAMS.acdc, iterations: 6 }, o, 1e-5);
    compare(
      17,
      [1, 3, 24, 20],
      { ...both, bilateralSxy: 0.8, gaussianSxy: 4, iterations: 5 },
      o,
      1e-5,
    );
  });
  it('ACDC parameters [0.01, 0.5, 10, 10, 30, 30]', () => {
    compare(5, [2, 3, 12, 12], CRF_PARAMS.acdc, {}, 1e-5);
  });
  it('Prostate parameters [0.01, 0.5, 10, 5, 30, 30]', () => {
    compare(6, [2, 3, 12, 12], CRF_PARAMS.prostate, {}, 1e-5);
  });
  it('paper parameters with the textbook options (the bilateral term then vanishes)', () => {
    const o: DenseCrfOptions = { normalization: 'none', includeSelf: false };
    compare(7, [1, 3, 12, 12], CRF_PARAMS.acdc, o, 1e-5);
    // With a_sxy = 0.01 px the bilateral kernel between distinct pixels underflows to 0.
    const noBilateral = { ...CRF_PARAMS.acdc, bilateralWeight: 0 };
    const a = torch.tidy(() => {
      const { probs, images } = randomInputs(7, [1, 3, 12, 12]);
      const p = torch.tensor(probs, [1, 3, 12, 12]).to('float64');
      const im = torch.tensor(images, [1, 1, 12, 12]).to('float64');
      return maxAbsDiff(
        denseCrf(p, im, CRF_PARAMS.acdc, o).toArray(),
        denseCrf(p, im, noBilateral, o).toArray(),
      );
    });
    assert.equal(a, 0);
  });
  it('float32 computation stays within 1e-4 of the float64 brute force', () => {
    const d = compare(8, [2, 3, 12, 12], CRF_PARAMS.acdc, {}, 1e-4, 'float32');
    assert.ok(d > 0); // really computed in float32
    compare(9, [1, 3, 8, 8], small, { ...wide }, 1e-4, 'float32');
  });
});
