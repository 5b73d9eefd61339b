import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, deriveSeed } from '../../src/util/rng.js';

describe('Rng', () => {
  it('is deterministic by seed and differs between seeds', () => {
    const seq = (seed: number) => {
      const r = new Rng(seed);
      return Array.from({ length: 100 }, () => r.nextUint32());
    };
    assert.deepEqual(seq(42), seq(42));
    assert.notDeepEqual(seq(42), seq(43));
    assert.deepEqual(seq(0), seq(2 ** 32), 'seeds are taken modulo 2^32');
  });

  it('has the right moments: uniform on [0, 1), standard normal, uniform integers', () => {
    const r = new Rng(1);
    const n = 200_000;
    let [su, su2, sn, sn2, sn4] = [0, 0, 0, 0, 0];
    const counts = new Array(7).fill(0);
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      assert.ok(u >= 0 && u < 1);
      su += u;
      su2 += u * u;
      const z = r.normal();
      sn += z;
      sn2 += z * z;
      sn4 += z ** 4;
      counts[r.int(7)]++;
    }
    assert.ok(Math.abs(su / n - 0.5) < 0.005);
    assert.ok(Math.abs(su2 / n - 1 / 3) < 0.005);
    assert.ok(Math.abs(sn / n) < 0.01);
    assert.ok(Math.abs(sn2 / n - 1) < 0.02);
    assert.ok(Math.abs(sn4 / n - 3) < 0.1, 'normal kurtosis');
    for (const c of counts) assert.ok(Math.abs(c / n - 1 / 7) < 0.005);
    const x = r.uniform(-2, 3);
    assert.ok(x >= -2 && x < 3);
    assert.equal(new Rng(3).normal(10, 0), 10);
    assert.throws(() => r.int(0), RangeError);
  });

  it('derives distinct, stable stream seeds', () => {
    assert.equal(deriveSeed(1, 2, 3), deriveSeed(1, 2, 3));
    const seeds = new Set<number>();
    for (let s = 0; s < 4; s++) for (let i = 0; i < 250; i++) seeds.add(deriveSeed(7, s, i));
    assert.equal(seeds.size, 1000);
    assert.notEqual(deriveSeed(1, 2), deriveSeed(2, 1));
  });
});
