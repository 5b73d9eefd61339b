// Round trips and input checks of the preprocessing (no Python needed).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../src/errors.js';
import type { Volume } from '../../src/io/volume.js';
import { centreWindow, cropOrPadSlice, uncropSlice } from '../../src/data/crop-pad.js';
import { applyWindow, percentileWindow } from '../../src/data/intensity.js';
import { type PreprocessConfig, Preprocessor } from '../../src/data/preprocess.js';
import { alignedTaps } from '../../src/data/resample.js';
import { Rng } from '../../src/util/rng.js';

const rng = new Rng(7);

function volume(
  shape: [number, number, number],
  data: Volume['data'],
  spacing: Volume['spacing'] = null,
): Volume {
  return { shape, data, spacing, affine: null, datatype: 'float32' };
}

/** Independent random classes per voxel: the hardest case for nearest sampling. */
function randomLabels(shape: [number, number, number], classes: number): Uint8Array {
  return Uint8Array.from({ length: shape[0] * shape[1] * shape[2] }, () => rng.int(classes));
}

function randomImage(n: number): Float32Array {
  return Float32Array.from({ length: n }, () => rng.normal(100, 30));
}

/** One-hot D x C x plane probabilities of a D x plane label map. */
function oneHot(labels: Uint8Array, depth: number, classes: number): Float32Array {
  const plane = labels.length / depth;
  const p = new Float32Array(depth * classes * plane);
  for (let d = 0; d < depth; d++) {
    for (let i = 0; i < plane; i++) p[(d * classes + labels[d * plane + i]) * plane + i] = 1;
  }
  return p;
}

/** forwardLabel, one-hot, inverseProbabilities. */
function labelRoundTrip(config: PreprocessConfig, label: Volume, classes: number): Uint8Array {
  const pre = new Preprocessor(config);
  const { geometry } = pre.forwardImage(
    volume(label.shape, randomImage(label.data.length), label.spacing),
  );
  const forward = pre.forwardLabel(label, geometry);
  return pre.inverseProbabilities(oneHot(forward, label.shape[0], classes), geometry);
}

describe('crop / pad', () => {
  it('uncrop(crop(x)) keeps the window and zeroes the rest; pad then unpad is the identity', () => {
    for (let trial = 0; trial < 50; trial++) {
      const [h, w, th, tw] = [1 + rng.int(12), 1 + rng.int(12), 1 + rng.int(12), 1 + rng.int(12)];
      const src = Float64Array.from({ length: h * w }, () => 1 + rng.uniform());
      const rows = centreWindow(h, th);
      const cols = centreWindow(w, tw);
      const mid = new Float64Array(th * tw);
      cropOrPadSlice(src, 0, rows, cols, mid, 0);
      const back = new Float64Array(h * w);
      uncropSlice(mid, 0, rows, cols, back, 0);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const kept =
            y - rows.start >= 0 &&
            y - rows.start < th &&
            x - cols.start >= 0 &&
            x - cols.start < tw;
          assert.equal(back[y * w + x], kept ? src[y * w + x] : 0, `[${h},${w}] -> [${th},${tw}]`);
          if (th >= h && tw >= w) assert.ok(kept);
        }
      }
    }
  });
});

describe('Preprocessor round trips', () => {
  it('resize mode, upsampling: nearest inverse of one-hot gives the label (SSL4MIS edge kept)', () => {
    // scipy's corner-aligned zoom returns 0 where k (n - 1) / (m - 1) overshoots n - 1 by rounding;
    // going back from 32 to 16 (48 to 24) drops the last row (column), as in SSL4MIS's evaluation.
    const cases: [[number, number, number], [number, number], number][] = [
      [[2, 16, 24], [32, 48], 2],
      [[2, 10, 7], [30, 21], 0],
      [[3, 20, 26], [32, 32], 0],
    ];
    for (const [shape, size, droppedEdges] of cases) {
      const label = volume(shape, randomLabels(shape, 4));
      const back = labelRoundTrip({ mode: 'resize', size }, label, 4);
      const rowKept = alignedTaps(size[0], shape[1], 0).weight.filter((_, i) => i % 2 === 0);
      const colKept = alignedTaps(size[1], shape[2], 0).weight.filter((_, i) => i % 2 === 0);
      assert.equal(
        rowKept.filter((w) => w === 0).length + colKept.filter((w) => w === 0).length,
        droppedEdges,
      );
      const expected = label.data.map((v, i) => {
        const [y, x] = [Math.floor(i / shape[2]) % shape[1], i % shape[2]];
        return rowKept[y] && colKept[x] ? v : 0;
      });
      assert.deepEqual(back, expected, `[${shape}] -> [${size}]`);
    }
  });

  it('resize mode with identical sizes is the identity for image and label', () => {
    const shape: [number, number, number] = [2, 9, 11];
    const image = randomImage(2 * 9 * 11);
    for (const imageOrder of [0, 1] as const) {
      const pre = new Preprocessor({
        mode: 'resize',
        size: [9, 11],
        imageOrder,
        inverse: 'linear',
      });
      const { slices } = pre.forwardImage(volume(shape, image));
      assert.deepEqual(slices, image);
    }
    const label = volume(shape, randomLabels(shape, 3));
    const config = { mode: 'resize', size: [9, 11], inverse: 'linear' } as const;
    assert.deepEqual(labelRoundTrip(config, label, 3), label.data);
  });

  it('spacing mode, upsampling by 2 and 3 with padding: linear inverse gives the label', () => {
    for (const factor of [2, 3]) {
      const shape: [number, number, number] = [2, 12, 10];
      const label = volume(shape, randomLabels(shape, 4), [8, factor, factor]);
      const config: PreprocessConfig = {
        mode: 'spacing',
        targetSpacing: [1, 1],
        cropSize: [12 * factor + 5, 10 * factor + 2],
      };
      assert.deepEqual(labelRoundTrip(config, label, 4), label.data);
      assert.deepEqual(labelRoundTrip({ ...config, inverse: 'nearest' }, label, 4), label.data);
    }
  });

  it('spacing mode with cropping: the label comes back inside the crop, background outside', () => {
    const shape: [number, number, number] = [1, 20, 16];
    const label = volume(shape, randomLabels(shape, 4), [8, 2, 2]);
    const config: PreprocessConfig = { mode: 'spacing', targetSpacing: [1, 1], cropSize: [30, 24] };
    const back = labelRoundTrip(config, label, 4);
    // Rescaled to 40 x 32, the crop keeps rows 5..34 and columns 4..27. Native pixel (y, x)
    // averages rescaled rows 2y, 2y + 1 and columns 2x, 2x + 1, so it keeps its label when any of
    // them lies in the crop (half of a one-hot still wins the argmax): rows 2..17, columns 2..13.
    assert.deepEqual([centreWindow(40, 30).start, centreWindow(32, 24).start], [5, 4]);
    for (let y = 0; y < 20; y++) {
      for (let x = 0; x < 16; x++) {
        const inside = y >= 2 && y < 18 && x >= 2 && x < 14;
        assert.equal(back[y * 16 + x], inside ? label.data[y * 16 + x] : 0, `(${y}, ${x})`);
      }
    }
  });

  it('spacing mode at native spacing and size is the identity after normalisation', () => {
    const shape: [number, number, number] = [3, 8, 13];
    const image = randomImage(3 * 8 * 13);
    const pre = new Preprocessor({
      mode: 'spacing',
      targetSpacing: [1.25, 1.5],
      cropSize: [8, 13],
    });
    const { slices, geometry } = pre.forwardImage(volume(shape, image, [5, 1.25, 1.5]));
    assert.deepEqual(slices, applyWindow(image, percentileWindow(image, 1, 99)));
    assert.deepEqual(geometry.resampledSize, [8, 13]);
  });

  it('spacing mode without spacing skips resampling; percentiles null skips normalisation', () => {
    const shape: [number, number, number] = [1, 6, 6];
    const image = randomImage(36);
    const config = { mode: 'spacing', targetSpacing: [0.5, 0.5], cropSize: [6, 6] } as const;
    const pre = new Preprocessor({ ...config, percentiles: null });
    const { slices, geometry } = pre.forwardImage(volume(shape, image, null));
    assert.deepEqual(geometry.resampledSize, [6, 6]);
    assert.equal(geometry.window, null);
    assert.deepEqual(slices, image);
  });
});

describe('Preprocessor input checks', () => {
  const pre = new Preprocessor({ mode: 'resize', size: [8, 8] });
  const shape: [number, number, number] = [2, 5, 5];
  const { geometry } = pre.forwardImage(volume(shape, randomImage(50)));

  it('rejects bad configs', () => {
    const bad: unknown[] = [
      { mode: 'resize', size: [0, 8] },
      { mode: 'resize', size: [8.5, 8] },
      { mode: 'spacing', targetSpacing: [0, 1], cropSize: [8, 8] },
      { mode: 'spacing', targetSpacing: [1, 1], cropSize: [8, 8], percentiles: [99, 1] },
      { mode: 'zoom', size: [8, 8] },
      { mode: 'resize', size: [8, 8], imageOrder: 3 },
      { mode: 'resize', size: [8, 8], inverse: 'cubic' },
    ];
    for (const config of bad) {
      assert.throws(() => new Preprocessor(config as PreprocessConfig), InputError);
    }
  });

  it('rejects bad volumes, labels and prediction sizes', () => {
    const nan = randomImage(50);
    nan[7] = Number.NaN;
    assert.throws(() => pre.forwardImage(volume(shape, nan)), /non-finite/);
    assert.throws(() => pre.forwardImage(volume([2, 5, 6], randomImage(50))), InputError);
    const wrongShape = volume([2, 5, 4], new Uint8Array(40));
    assert.throws(
      () => pre.forwardLabel(wrongShape, geometry, 'lab.nii.gz'),
      /lab\.nii\.gz.*shape/,
    );
    const fractional = volume(shape, new Float32Array(50).fill(1.5));
    assert.throws(() => pre.forwardLabel(fractional, geometry), /not an integer/);
    assert.throws(
      () => pre.inverseProbabilities(new Float32Array(2 * 64 + 1), geometry),
      InputError,
    );
  });
});
