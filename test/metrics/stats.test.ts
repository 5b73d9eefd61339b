import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describe as summary, percentileSorted } from '../../src/metrics/stats.js';

describe('percentileSorted', () => {
  it('matches numpy.percentile (linear) on known values', () => {
    // numpy.percentile([1, 2, 3, 4], q) for q = 95, 50, 0, 100, 25
    assert.equal(percentileSorted([1, 2, 3, 4], 95), 3.8499999999999996);
    assert.equal(percentileSorted([1, 2, 3, 4], 50), 2.5);
    assert.equal(percentileSorted([1, 2, 3, 4], 0), 1);
    assert.equal(percentileSorted([1, 2, 3, 4], 100), 4);
    assert.equal(percentileSorted([0, 10], 25), 2.5);
    assert.equal(percentileSorted([7], 95), 7);
    assert.ok(Number.isNaN(percentileSorted([], 95)));
  });
});

describe('describe', () => {
  it('gives mean, population std and median, skipping and counting NaN', () => {
    const s = summary([4, NaN, 1, 3, 2, NaN]);
    assert.deepEqual(s, { mean: 2.5, std: Math.sqrt(1.25), median: 2.5, n: 4, nanCount: 2 });
    assert.equal(summary([5, 1, 3]).median, 3);
  });

  it('is NaN with n = 0 when every value is NaN', () => {
    const s = summary([NaN, NaN]);
    assert.equal(s.n, 0);
    assert.equal(s.nanCount, 2);
    assert.ok([s.mean, s.std, s.median].every(Number.isNaN));
  });
});
