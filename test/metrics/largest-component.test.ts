import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keepLargestComponent } from '../../src/metrics/largest-component.js';

/** A [D, H, W] label map from rows of characters: one string of rows per slice, '.' is 0. */
function volume(slices: string[][]): { labels: Uint8Array; shape: [number, number, number] } {
  const d = slices.length;
  const h = slices[0].length;
  const w = slices[0][0].length;
  const labels = Uint8Array.from(
    slices.flatMap((rows) => rows.flatMap((r) => [...r].map((ch) => (ch === '.' ? 0 : +ch)))),
  );
  return { labels, shape: [d, h, w] };
}

const render = (labels: Uint8Array, [d, h, w]: readonly number[]) =>
  Array.from({ length: d }, (_, z) =>
    Array.from({ length: h }, (_, y) =>
      Array.from(labels.subarray(z * h * w + y * w, z * h * w + y * w + w))
        .map((v) => (v === 0 ? '.' : String(v)))
        .join(''),
    ),
  );

test('keepLargestComponent keeps the largest blob of a class and zeroes the others', () => {
  const v = volume([['11..1', '11...', '.....', '...22', '2..22']]);
  const out = keepLargestComponent(v.labels, v.shape, [1, 2]);
  assert.deepEqual(render(out, v.shape), [['11...', '11...', '.....', '...22', '...22']]);
  assert.deepEqual(render(v.labels, v.shape)[0][0], '11..1', 'the input is not changed');
});

test('keepLargestComponent: faces connect, across slices too; edges and corners do not', () => {
  // Two voxels touching only diagonally are separate components; a voxel straight above another
  // in the next slice is connected to it.
  const diagonal = volume([['1..', '.11', '...']]);
  assert.deepEqual(render(keepLargestComponent(diagonal.labels, diagonal.shape, [1]), [1, 3, 3]), [
    ['...', '.11', '...'],
  ]);
  const stacked = volume([
    ['1..', '...', '..1'],
    ['1..', '...', '...'],
    ['1..', '...', '...'],
  ]);
  assert.deepEqual(render(keepLargestComponent(stacked.labels, stacked.shape, [1]), [3, 3, 3]), [
    ['1..', '...', '...'],
    ['1..', '...', '...'],
    ['1..', '...', '...'],
  ]);
});

test('keepLargestComponent leaves classes it is not given, and an absent class, alone', () => {
  const v = volume([['1.1', '...', '2.2']]);
  assert.deepEqual(render(keepLargestComponent(v.labels, v.shape, [2, 3]), v.shape), [
    ['1.1', '...', '2..'],
  ]);
});

test('keepLargestComponent rejects a shape that does not fit and the background class', () => {
  const v = volume([['11']]);
  assert.throws(() => keepLargestComponent(v.labels, [1, 1, 3], [1]), /2 voxels for shape/);
  assert.throws(() => keepLargestComponent(v.labels, v.shape, [0]), /background/);
});
