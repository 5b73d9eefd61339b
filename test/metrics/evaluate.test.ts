import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../../src/errors.js';
import { evaluateVolume } from '../../src/metrics/evaluate.js';
import type { Volume } from '../../src/io/volume.js';

const shape: [number, number, number] = [1, 2, 4];
const map = (values: number[]) => ({ shape, data: Uint8Array.from(values) });

describe('evaluateVolume', () => {
  it('scores every foreground class with Dice from voxel counts', () => {
    const pred = map([1, 1, 2, 0, 0, 2, 2, 0]);
    const gt = map([1, 0, 2, 0, 0, 2, 0, 1]);
    const r = evaluateVolume(pred, gt, 3, null);
    assert.equal(r.unit, 'voxel');
    assert.deepEqual(
      r.classes.map((c) => [c.label, c.dice, c.predVoxels, c.gtVoxels]),
      [
        [1, (2 * 1) / (2 + 2), 2, 2],
        [2, (2 * 2) / (3 + 2), 3, 2],
      ],
    );
  });

  it('measures distances in millimetres with the given spacing', () => {
    const pred = map([1, 0, 0, 0, 0, 0, 0, 0]); // (0, 0, 0)
    const gt = map([0, 0, 0, 0, 0, 0, 0, 1]); // (0, 1, 3)
    const r = evaluateVolume(pred, gt, 2, [5, 4, 1]);
    assert.equal(r.unit, 'mm');
    assert.equal(r.classes[0].hd95, 5); // √(4² + 3²)
    assert.equal(r.classes[0].assd, 5);
    assert.equal(evaluateVolume(pred, gt, 2, null).classes[0].hd95, Math.sqrt(10));
  });

  it('follows the empty-mask conventions', () => {
    const none = map([0, 0, 0, 0, 0, 0, 0, 0]);
    const some = map([0, 1, 1, 0, 0, 0, 0, 0]);
    const [bothEmpty, predEmpty, gtEmpty] = [
      evaluateVolume(none, none, 2, [1, 1, 1]).classes[0],
      evaluateVolume(none, some, 2, [1, 1, 1]).classes[0],
      evaluateVolume(some, none, 2, [1, 1, 1]).classes[0],
    ];
    assert.equal(bothEmpty.dice, 1);
    assert.equal(predEmpty.dice, 0);
    assert.equal(gtEmpty.dice, 0);
    for (const c of [bothEmpty, predEmpty, gtEmpty]) {
      assert.ok(Number.isNaN(c.hd95) && Number.isNaN(c.assd));
    }
    const nanDice = evaluateVolume(none, none, 2, null, { emptyDice: 'nan' }).classes[0].dice;
    assert.ok(Number.isNaN(nanDice));
    assert.equal(evaluateVolume(none, some, 2, null, { emptyDice: 'nan' }).classes[0].dice, 0);
  });

  it('accepts Volumes with any voxel type and gives the same result', () => {
    const labels = [0, 1, 1, 2, 2, 2, 0, 1];
    const truth = [0, 1, 2, 2, 2, 0, 0, 1];
    const volume = (data: Volume['data']): Volume => ({
      shape,
      data,
      spacing: [3, 1, 1],
      affine: null,
      datatype: 'int16',
    });
    const gt = volume(Int16Array.from(truth));
    const expected = evaluateVolume(map(labels), map(truth), 3, gt.spacing);
    for (const data of [
      Int16Array.from(labels),
      Float32Array.from(labels),
      Int32Array.from(labels),
    ]) {
      assert.deepEqual(evaluateVolume(volume(data), gt, 3, gt.spacing), expected);
    }
  });

  it('rejects bad input with InputError', () => {
    const ok = map([0, 1, 0, 0, 0, 0, 0, 0]);
    const bad: [string, () => unknown][] = [
      ['label out of range', () => evaluateVolume(map([0, 3, 0, 0, 0, 0, 0, 0]), ok, 3, null)],
      [
        'negative label',
        () => evaluateVolume(ok, { shape, data: Int16Array.of(0, -1, 0, 0, 0, 0, 0, 0) }, 3, null),
      ],
      [
        'fractional label',
        () =>
          evaluateVolume({ shape, data: Float32Array.of(0, 0.5, 0, 0, 0, 0, 0, 0) }, ok, 3, null),
      ],
      [
        'NaN label',
        () =>
          evaluateVolume({ shape, data: Float32Array.of(NaN, 0, 0, 0, 0, 0, 0, 0) }, ok, 3, null),
      ],
      ['shape mismatch', () => evaluateVolume({ shape: [1, 4, 2], data: ok.data }, ok, 2, null)],
      ['length mismatch', () => evaluateVolume({ shape, data: new Uint8Array(7) }, ok, 2, null)],
      ['one class', () => evaluateVolume(ok, ok, 1, null)],
      ['zero spacing', () => evaluateVolume(ok, ok, 2, [1, 0, 1])],
      ['NaN spacing', () => evaluateVolume(ok, ok, 2, [1, NaN, 1])],
    ];
    for (const [what, call] of bad) assert.throws(call, InputError, what);
    assert.throws(
      () => evaluateVolume(map([0, 0, 0, 0, 0, 7, 0, 0]), ok, 3, null),
      /pred has label 7 at voxel 5/,
    );
  });
});
