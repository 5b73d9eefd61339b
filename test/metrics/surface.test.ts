import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { surfaceVoxels } from '../../src/metrics/surface.js';
import { surfaceMetrics } from '../../src/metrics/surface-distance.js';

describe('surfaceVoxels', () => {
  it('keeps every voxel of a full 3x3x3 block but the centre (array border is background)', () => {
    const s = surfaceVoxels(new Uint8Array(27).fill(1), [3, 3, 3]);
    assert.equal(s[13], 0);
    assert.equal(
      s.reduce((a, b) => a + b, 0),
      26,
    );
  });

  it('uses 6-connectivity: a voxel with all face neighbours set is interior', () => {
    const mask = new Uint8Array(5 * 5 * 5);
    const at = (z: number, y: number, x: number): number => z * 25 + y * 5 + x;
    for (const [z, y, x] of [
      [2, 2, 2],
      [1, 2, 2],
      [3, 2, 2],
      [2, 1, 2],
      [2, 3, 2],
      [2, 2, 1],
      [2, 2, 3],
    ]) {
      mask[at(z, y, x)] = 1;
    }
    const s = surfaceVoxels(mask, [5, 5, 5]);
    assert.equal(s[at(2, 2, 2)], 0);
    assert.equal(
      s.reduce((a, b) => a + b, 0),
      6,
    );
  });

  it('marks every voxel of a one-slice mask (D = 1)', () => {
    const s = surfaceVoxels(new Uint8Array(16).fill(1), [1, 4, 4]);
    assert.ok(s.every((v) => v === 1));
  });
});

describe('surfaceMetrics', () => {
  it('measures two single voxels in millimetres', () => {
    const a = new Uint8Array(2 * 1 * 4);
    const b = new Uint8Array(2 * 1 * 4);
    a[0] = 1; // (0, 0, 0)
    b[4 + 3] = 1; // (1, 0, 3)
    const m = surfaceMetrics(a, b, [2, 1, 4], [4, 1, 1]);
    assert.equal(m.hd95, 5);
    assert.equal(m.assd, 5);
    assert.deepEqual(surfaceMetrics(a, b, [2, 1, 4], null), {
      hd95: Math.sqrt(10),
      assd: Math.sqrt(10),
    });
  });

  it('interpolates the 95th percentile and averages the directed means', () => {
    // a: voxels x = 0..3 of a 1x1x8 row (surface: all 4); b: x = 7. a→b: 7,6,5,4; b→a: 4.
    const a = Uint8Array.from([1, 1, 1, 1, 0, 0, 0, 0]);
    const b = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 1]);
    const m = surfaceMetrics(a, b, [1, 1, 8], null);
    // sorted [4, 4, 5, 6, 7]: position 0.95·4 = 3.8 → 6 + 0.8·(7 − 6)
    assert.ok(Math.abs(m.hd95 - 6.8) < 1e-12);
    assert.equal(m.assd, (5.5 + 4) / 2);
  });

  it('is NaN when either mask is empty', () => {
    const a = Uint8Array.from([1, 0, 0, 0]);
    const none = new Uint8Array(4);
    for (const [x, y] of [
      [a, none],
      [none, a],
      [none, none],
    ]) {
      const m = surfaceMetrics(x, y, [1, 2, 2], [1, 1, 1]);
      assert.ok(Number.isNaN(m.hd95) && Number.isNaN(m.assd));
    }
  });
});
