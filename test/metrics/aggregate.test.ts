import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../../src/errors.js';
import { summarizeVolumes } from '../../src/metrics/aggregate.js';
import type { ClassMetrics, VolumeMetrics } from '../../src/metrics/evaluate.js';

const cls = (label: number, dice: number, hd95: number, assd: number): ClassMetrics => ({
  label,
  dice,
  hd95,
  assd,
  predVoxels: 10,
  gtVoxels: 12,
});

const volumes: VolumeMetrics[] = [
  { unit: 'mm', classes: [cls(1, 0.9, 2, 1), cls(2, 0.5, 8, 3)] },
  { unit: 'mm', classes: [cls(1, 0.7, 4, 2), cls(2, 0, NaN, NaN)] },
  { unit: 'mm', classes: [cls(1, 0.8, 3, 1.5), cls(2, 0.6, 6, 2)] },
];

describe('summarizeVolumes', () => {
  it('summarises per class over volumes and overall over pooled values, skipping NaN', () => {
    const s = summarizeVolumes(volumes);
    assert.equal(s.volumes, 3);
    assert.equal(s.unit, 'mm');
    const [c1, c2] = s.perClass;
    assert.equal(c1.label, 1);
    assert.ok(Math.abs(c1.dice.mean - 0.8) < 1e-12);
    assert.ok(Math.abs(c1.dice.std - Math.sqrt(0.02 / 3)) < 1e-12);
    assert.equal(c1.hd95.median, 3);
    assert.deepEqual(c2.hd95, { mean: 7, std: 1, median: 7, n: 2, nanCount: 1 });
    assert.equal(c2.dice.n, 3);
    assert.equal(s.overall.hd95.n, 5);
    assert.equal(s.overall.hd95.nanCount, 1);
    assert.equal(s.overall.hd95.mean, (2 + 8 + 4 + 3 + 6) / 5);
    assert.equal(s.overall.dice.median, (0.6 + 0.7) / 2);
  });

  it('rejects mixed units, mismatched classes and an empty list', () => {
    const voxel: VolumeMetrics = { unit: 'voxel', classes: volumes[0].classes };
    const fewer: VolumeMetrics = { unit: 'mm', classes: [cls(1, 1, 0, 0)] };
    const relabeled: VolumeMetrics = { unit: 'mm', classes: [cls(1, 1, 0, 0), cls(3, 1, 0, 0)] };
    assert.throws(() => summarizeVolumes([volumes[0], voxel]), InputError);
    assert.throws(() => summarizeVolumes([volumes[0], fewer]), InputError);
    assert.throws(() => summarizeVolumes([volumes[0], relabeled]), InputError);
    assert.throws(() => summarizeVolumes([]), InputError);
  });
});
