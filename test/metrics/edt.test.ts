import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { squaredDistanceTransform, type Shape3, type Spacing3 } from '../../src/metrics/edt.js';
import { rng } from './synthetic.js';

/** O(n²) reference: squared distance from every voxel to every feature voxel. */
function bruteForce(features: Uint8Array, shape: Shape3, spacing: Spacing3): Float64Array {
  const [d, h, w] = shape;
  const coords = (i: number): number[] => [Math.floor(i / (h * w)), Math.floor(i / w) % h, i % w];
  const feats = [...features.keys()].filter((i) => features[i]).map(coords);
  const out = new Float64Array(d * h * w).fill(Infinity);
  for (let i = 0; i < out.length; i++) {
    const p = coords(i);
    for (const f of feats) {
      const d2 = p.reduce((s, v, k) => s + ((v - f[k]) * spacing[k]) ** 2, 0);
      if (d2 < out[i]) out[i] = d2;
    }
  }
  return out;
}

function assertMatches(actual: Float64Array, expected: Float64Array, label: string): void {
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    const ok = e === Infinity ? actual[i] === Infinity : Math.abs(actual[i] - e) <= 1e-9 * (1 + e);
    assert.ok(ok, `${label}: voxel ${i}: got ${actual[i]}, expected ${e}`);
  }
}

describe('squaredDistanceTransform', () => {
  it('equals brute force on random masks, shapes and anisotropic spacings', () => {
    const rand = rng(7);
    for (let trial = 0; trial < 60; trial++) {
      const shape: Shape3 = [
        1 + Math.floor(rand() * 6),
        1 + Math.floor(rand() * 9),
        1 + Math.floor(rand() * 9),
      ];
      const spacing: Spacing3 =
        trial % 3 === 0 ? [1, 1, 1] : [0.3 + rand() * 10, 0.3 + rand() * 3, 0.3 + rand() * 3];
      const density = [0.01, 0.05, 0.3, 0.9][trial % 4];
      const features = new Uint8Array(shape[0] * shape[1] * shape[2]).map(() =>
        rand() < density ? 1 : 0,
      );
      const label = `trial ${trial} shape ${shape} spacing ${spacing}`;
      assertMatches(
        squaredDistanceTransform(features, shape, spacing),
        bruteForce(features, shape, spacing),
        label,
      );
    }
  });

  it('handles a single feature, with the exact squared distances', () => {
    const shape: Shape3 = [3, 4, 5];
    const features = new Uint8Array(60);
    features[1 * 20 + 2 * 5 + 3] = 1;
    const d2 = squaredDistanceTransform(features, shape, [10, 1.5, 0.5]);
    assert.equal(d2[1 * 20 + 2 * 5 + 3], 0);
    assert.equal(d2[0], 10 ** 2 + 3 ** 2 + 1.5 ** 2);
    assert.equal(d2[2 * 20 + 3 * 5 + 4], 10 ** 2 + 1.5 ** 2 + 0.5 ** 2);
  });

  it('is Infinity everywhere without features', () => {
    const d2 = squaredDistanceTransform(new Uint8Array(24), [2, 3, 4], [1, 1, 1]);
    assert.ok(d2.every((v) => v === Infinity));
  });

  it('rejects a mask whose length does not match the shape', () => {
    assert.throws(
      () => squaredDistanceTransform(new Uint8Array(5), [1, 2, 3], [1, 1, 1]),
      RangeError,
    );
  });
});
