import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../src/method/config.js';
import { roundSlices } from '../../src/method/pseudo-labels.js';
import { Rng } from '../../src/util/rng.js';
import { tinyConfig } from './tiny-config.js';

test('pseudo-labels are estimated only for as many slices as a round can draw', () => {
  // The proposed method draws 30·pairs unlabeled slices an iteration: 60 here.
  const cfg = (iterationsPerRound: number) =>
    parseConfig({ ...tinyConfig, joint: { ...tinyConfig.joint, iterationsPerRound } });
  assert.deepEqual(
    roundSlices(100, cfg(2), new Rng(1)),
    Array.from({ length: 100 }, (_, i) => i),
  );
  const short = roundSlices(1000, cfg(3), new Rng(1));
  assert.equal(short.length, 180);
  assert.equal(new Set(short).size, 180);
  assert.ok(short.every((v, i) => v >= 0 && v < 1000 && (i === 0 || v > short[i - 1])));
  assert.deepEqual(roundSlices(1000, cfg(3), new Rng(1)), short, 'the same seed, the same slices');
  assert.notDeepEqual(roundSlices(1000, cfg(3), new Rng(2)), short);
  // Self-training alone draws segBatchSize (4) an iteration.
  const self = parseConfig({ ...tinyConfig, methods: ['self-training'] });
  assert.equal(roundSlices(1000, self, new Rng(1)).length, 6 * 4);
});
