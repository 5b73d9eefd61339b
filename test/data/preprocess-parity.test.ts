// Parity of the preprocessing with numpy / scipy (Debian's /usr/bin/python3). skimage is not
// installed: its resize(order, mode='constant', anti_aliasing=False) is, since skimage 0.19, the
// call scipy.ndimage.zoom(grid_mode=True, mode='grid-constant') made below, and the script also
// checks that call against the bilinear formula written out in numpy.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Volume } from '../../src/io/volume.js';
import { centreWindow, cropOrPadSlice, uncropSlice } from '../../src/data/crop-pad.js';
import { applyWindow, percentiles } from '../../src/data/intensity.js';
import { type PreprocessConfig, Preprocessor } from '../../src/data/preprocess.js';
import {
  type InterpolationOrder,
  alignedTaps,
  gridTaps,
  rescaledSize,
  resampleSlice,
} from '../../src/data/resample.js';
import { Rng } from '../../src/util/rng.js';
import { runPython, skipWithoutScipy } from './preprocess-python.js';

const SCRIPT = String.raw`
import json, sys
import numpy as np
from scipy import ndimage

def grid_matrix(n, m, order):
    # One axis of skimage resize (pixel centres aligned, zero outside), written out.
    x = (np.arange(m) + 0.5) * (n / m) - 0.5
    W = np.zeros((m, n))
    for k in range(m):
        f = np.floor(x[k]); t = x[k] - f
        taps = [(int(np.floor(x[k] + 0.5)), 1.0)] if order == 0 else [(int(f), 1 - t), (int(f) + 1, t)]
        for i, w in taps:
            if 0 <= i < n:
                W[k, i] += w
    return W

def sk_resize(img, out_shape, order):
    # skimage >= 0.19 resize(..., mode='constant', anti_aliasing=False, preserve_range=True)
    factors = np.divide(img.shape, out_shape)
    out = ndimage.zoom(img, [1 / f for f in factors], order=order, mode='grid-constant', grid_mode=True)
    assert out.shape == tuple(out_shape), (out.shape, out_shape)
    return out

def crop_or_pad(s, nx, ny):
    # The authors' crop_or_pad_slice_to_size.
    x, y = s.shape
    x_s, y_s, x_c, y_c = (x - nx) // 2, (y - ny) // 2, (nx - x) // 2, (ny - y) // 2
    if x > nx and y > ny:
        return s[x_s:x_s + nx, y_s:y_s + ny]
    out = np.zeros((nx, ny), dtype=s.dtype)
    if x <= nx and y > ny:
        out[x_c:x_c + x, :] = s[:, y_s:y_s + ny]
    elif x > nx and y <= ny:
        out[:, y_c:y_c + y] = s[x_s:x_s + nx, :]
    else:
        out[x_c:x_c + x, y_c:y_c + y] = s
    return out

def uncrop(pred, x, y, nx, ny):
    # The canvas step of the authors' reshape_img_and_f1_score; pred is (nx, ny, C).
    x_s, y_s, x_c, y_c = (x - nx) // 2, (y - ny) // 2, (nx - x) // 2, (ny - y) // 2
    out = np.zeros((x, y, pred.shape[2]))
    if x > nx and y > ny:
        out[x_s:x_s + nx, y_s:y_s + ny, :] = pred
    elif x <= nx and y > ny:
        out[:, y_s:y_s + ny, :] = pred[x_c:x_c + x, :, :]
    elif x > nx and y <= ny:
        out[x_s:x_s + nx, :, :] = pred[:, y_c:y_c + y, :]
    else:
        out[:, :, :] = pred[x_c:x_c + x, y_c:y_c + y, :]
    return out

def spacing_pipeline(c):
    img = np.asarray(c['image'], np.float32).reshape(c['shape'])
    lab = np.asarray(c['label'], np.uint8).reshape(c['shape'])
    D, H, W = img.shape
    lo, hi = np.percentile(img, c['percentiles'])
    img = (img - lo) / (hi - lo)
    sp, t, (nx, ny) = c['spacing'], c['target'], c['crop']
    scale = np.array([sp[1] / t[0], sp[2] / t[1]])
    x, y = np.maximum(np.round(scale * np.array([H, W])), 1).astype(int)
    images = [crop_or_pad(sk_resize(img[d], (x, y), 1), nx, ny) for d in range(D)]
    labels = [crop_or_pad(sk_resize(lab[d].astype(np.float64), (x, y), 0), nx, ny) for d in range(D)]
    probs = np.asarray(c['probs'], np.float32).reshape(D, -1, nx, ny)
    C = probs.shape[1]
    native = []
    for d in range(D):
        canvas = uncrop(probs[d].transpose(1, 2, 0), x, y, nx, ny)
        native.append(np.argmax(sk_resize(canvas, (H, W, C), 1), axis=-1))
    return {'image': np.stack(images).ravel().tolist(), 'label': np.stack(labels).ravel().tolist(),
            'inverse': np.stack(native).ravel().tolist(), 'resampled': [int(x), int(y)]}

def resize_pipeline(c):
    img = np.asarray(c['image'], np.float32).reshape(c['shape'])
    lab = np.asarray(c['label'], np.uint8).reshape(c['shape'])
    D, H, W = img.shape
    S0, S1 = c['size']
    images = [ndimage.zoom(img[d], (S0 / H, S1 / W), order=c['imageOrder']) for d in range(D)]
    labels = [ndimage.zoom(lab[d], (S0 / H, S1 / W), order=0) for d in range(D)]
    probs = np.asarray(c['probs'], np.float32).reshape(D, -1, S0, S1)
    nearest = [ndimage.zoom(np.argmax(probs[d], axis=0), (H / S0, W / S1), order=0) for d in range(D)]
    linear = [np.argmax(ndimage.zoom(probs[d], (1, H / S0, W / S1), order=1), axis=0) for d in range(D)]
    return {'image': np.stack(images).ravel().tolist(), 'label': np.stack(labels).ravel().tolist(),
            'nearest': np.stack(nearest).ravel().tolist(), 'linear': np.stack(linear).ravel().tolist()}

def run(c):
    op = c['op']
    if op == 'percentile':
        return np.percentile(np.asarray(c['data'], np.float64), c['qs']).tolist()
    if op == 'normalise':
        a = np.asarray(c['data'], np.float32)
        lo, hi = np.percentile(a, c['qs'])
        return ((a - lo) / (hi - lo)).tolist()
    if op == 'grid':
        a = np.asarray(c['data'], np.float64).reshape(c['shape'])
        out = sk_resize(a, c['out'], c['order'])
        written = grid_matrix(a.shape[0], c['out'][0], c['order']) @ a @ grid_matrix(a.shape[1], c['out'][1], c['order']).T
        assert np.allclose(out, written, atol=1e-12), 'scipy grid zoom != written-out formula'
        return out.ravel().tolist()
    if op == 'aligned':
        a = np.asarray(c['data'], np.float32).reshape(c['shape'])
        out = ndimage.zoom(a, (c['out'][0] / a.shape[0], c['out'][1] / a.shape[1]), order=c['order'])
        assert out.shape == tuple(c['out']), (out.shape, c['out'])
        return out.ravel().tolist()
    if op == 'rescaled_size':
        return [int(np.maximum(np.round(s * c['scale']), 1)) for s in c['sizes']]
    if op == 'crop':
        a = np.asarray(c['data'], np.float64).reshape(c['shape'])
        out = crop_or_pad(a, *c['target'])
        back = uncrop(out[:, :, None], a.shape[0], a.shape[1], *c['target'])[:, :, 0]
        return {'out': out.ravel().tolist(), 'back': back.ravel().tolist()}
    if op == 'spacing':
        return spacing_pipeline(c)
    if op == 'resize':
        return resize_pipeline(c)
    raise ValueError(op)

print(json.dumps([run(c) for c in json.load(sys.stdin)]))
`;

const rng = new Rng(20240601);

function randomArray(n: number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.normal(0, scale);
  return a;
}

function randomLabels(n: number, classes: number): Uint8Array {
  const a = new Uint8Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.int(classes);
  return a;
}

/** Positive per-pixel distributions over C classes, D x C x H x W. */
function randomProbs(depth: number, classes: number, plane: number): Float32Array {
  const p = new Float32Array(depth * classes * plane);
  for (let d = 0; d < depth; d++) {
    for (let i = 0; i < plane; i++) {
      let sum = 0;
      for (let c = 0; c < classes; c++) sum += p[(d * classes + c) * plane + i] = rng.uniform();
      for (let c = 0; c < classes; c++) p[(d * classes + c) * plane + i] /= sum;
    }
  }
  return p;
}

function assertClose(actual: ArrayLike<number>, expected: number[], tol: number, what: string) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (!(err <= tol * Math.max(1, Math.abs(expected[i])))) {
      assert.fail(`${what}: element ${i} is ${actual[i]}, numpy says ${expected[i]}`);
    }
  }
}

function assertEqualArrays(actual: ArrayLike<number>, expected: number[], what: string) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  const bad = expected.findIndex((v, i) => actual[i] !== v);
  if (bad >= 0)
    assert.fail(`${what}: element ${bad} is ${actual[bad]}, numpy says ${expected[bad]}`);
}

function volume(shape: [number, number, number], data: Volume['data'], spacing: Volume['spacing']) {
  return { shape, data, spacing, affine: null, datatype: 'float32' } satisfies Volume;
}

// --- cases -------------------------------------------------------------------------------------

const percentileCases = [1, 2, 7, 1000, 4096].map((n) => ({
  op: 'percentile',
  data: Array.from(randomArray(n, 3)),
  qs: [0, 1, 2.5, 33.3, 50, 99, 99.9, 100],
}));
// Ties and integer data, like an int16 MR volume.
percentileCases.push({
  op: 'percentile',
  data: Array.from(randomLabels(777, 9)),
  qs: [0, 1, 50, 99, 100],
});

const normaliseCase = { op: 'normalise', data: Array.from(randomArray(3000, 200)), qs: [1, 99] };

const sizePairs: [number, number][] = [
  [7, 7],
  [5, 11],
  [11, 5],
  [8, 26],
  [26, 8],
  [9, 20],
  [1, 4],
  [4, 1],
  [13, 12],
  [12, 13],
];
const resampleCases = (['grid', 'aligned'] as const).flatMap((op) =>
  ([0, 1] as const).flatMap((order) =>
    sizePairs.map(([n, m], i) => {
      const [h, w] = [n, sizePairs[(i + 3) % sizePairs.length][0]];
      const out = [m, sizePairs[(i + 3) % sizePairs.length][1]];
      return { op, order, shape: [h, w], out, data: Array.from(randomArray(h * w)) };
    }),
  ),
);

const rescaleCase = {
  op: 'rescaled_size',
  sizes: [1, 2, 3, 5, 7, 9, 10, 11, 216, 232, 256, 428],
  scale: 0.5,
};
const rescaleCase2 = { ...rescaleCase, scale: 1.5625 / 1.36719 };
const rescaleCase3 = { ...rescaleCase, scale: 0.25 };

const cropShapes: [number, number, number, number][] = [
  [10, 12, 6, 7],
  [9, 11, 6, 6],
  [5, 12, 8, 7],
  [12, 5, 7, 8],
  [4, 5, 9, 10],
  [7, 7, 7, 7],
  [8, 3, 8, 6],
];
const cropCases = cropShapes.map(([h, w, th, tw]) => ({
  op: 'crop',
  shape: [h, w],
  target: [th, tw],
  data: Array.from(randomArray(h * w)),
}));

interface PipelineCase {
  config: PreprocessConfig;
  shape: [number, number, number];
  spacing: [number, number, number];
  image: Float32Array;
  label: Uint8Array;
  probs: Float32Array;
}

function pipelineCase(
  config: PreprocessConfig,
  shape: [number, number, number],
  spacing: [number, number, number],
  classes: number,
): PipelineCase {
  const n = shape[0] * shape[1] * shape[2];
  const image = randomArray(n, 50).map((v) => v + 300);
  const out = config.mode === 'spacing' ? config.cropSize : config.size;
  return {
    config,
    shape,
    spacing,
    image,
    label: randomLabels(n, classes),
    probs: randomProbs(shape[0], classes, out[0] * out[1]),
  };
}

const spacingCases = [
  // rows rescaled 37 -> 49 then cropped to 40; columns 29 -> 27 then padded to 32
  pipelineCase(
    { mode: 'spacing', targetSpacing: [1.36719, 1.36719], cropSize: [40, 32] },
    [3, 37, 29],
    [10, 1.8, 1.25],
    4,
  ),
  // downsampling on both axes with odd crop differences
  pipelineCase(
    { mode: 'spacing', targetSpacing: [1.5, 1.5], cropSize: [13, 14], percentiles: [2, 98] },
    [2, 40, 33],
    [5, 0.7, 0.9],
    3,
  ),
  // both axes padded
  pipelineCase(
    { mode: 'spacing', targetSpacing: [1, 1], cropSize: [30, 31] },
    [2, 17, 20],
    [5, 1.3, 1.1],
    4,
  ),
];

const resizeCases = [
  pipelineCase({ mode: 'resize', size: [32, 32] }, [3, 20, 26], [10, 1.5, 1.5], 4),
  pipelineCase({ mode: 'resize', size: [24, 20], imageOrder: 1 }, [2, 33, 29], [10, 1.5, 1.5], 3),
  pipelineCase({ mode: 'resize', size: [26, 26] }, [2, 8, 15], [10, 1.5, 1.5], 4),
];

function pipelineInput(c: PipelineCase) {
  return {
    op: c.config.mode,
    shape: c.shape,
    spacing: c.spacing,
    image: Array.from(c.image),
    label: Array.from(c.label),
    probs: Array.from(c.probs),
    ...(c.config.mode === 'spacing'
      ? {
          target: c.config.targetSpacing,
          crop: c.config.cropSize,
          percentiles: c.config.percentiles ?? [1, 99],
        }
      : { size: c.config.size, imageOrder: c.config.imageOrder ?? 0 }),
  };
}

const allCases: unknown[] = [];
let results: unknown[] = [];
/** Queues reference cases; the returned function reads the reference result of case i. */
function expect<T>(cases: unknown[]): (i: number) => T {
  const start = allCases.length;
  allCases.push(...cases);
  return (i) => results[start + i] as T;
}
const percentileRef = expect<number[]>(percentileCases);
const normaliseRef = expect<number[]>([normaliseCase]);
const resampleRef = expect<number[]>(resampleCases);
const rescaleCases = [rescaleCase, rescaleCase2, rescaleCase3];
const rescaleRef = expect<number[]>(rescaleCases);
const cropRef = expect<{ out: number[]; back: number[] }>(cropCases);
const spacingRef = expect<{
  image: number[];
  label: number[];
  inverse: number[];
  resampled: number[];
}>(spacingCases.map(pipelineInput));
const resizeRef = expect<{ image: number[]; label: number[]; nearest: number[]; linear: number[] }>(
  resizeCases.map(pipelineInput),
);

// --- tests -------------------------------------------------------------------------------------

const skip = skipWithoutScipy();

describe('preprocessing matches numpy / scipy', { skip }, () => {
  before(() => {
    results = runPython(SCRIPT, allCases) as unknown[];
  });

  it('percentiles follow numpy.percentile (linear)', () => {
    percentileCases.forEach((c, i) => {
      assertClose(percentiles(c.data, c.qs), percentileRef(i), 1e-12, `n=${c.data.length}`);
    });
  });

  it('percentile normalisation x <- (x - p1) / (p99 - p1) without clipping', () => {
    const data = Float32Array.from(normaliseCase.data);
    const [low, high] = percentiles(data, [1, 99]);
    const out = applyWindow(data, { low, high });
    const expected = normaliseRef(0);
    assertClose(out, expected, 1e-5, 'normalise');
    assert.ok(expected.some((v) => v < 0) && expected.some((v) => v > 1), 'values leave [0, 1]');
  });

  it('pixel-centre (skimage) and corner-aligned (scipy zoom) resampling, orders 0 and 1', () => {
    resampleCases.forEach((c, i) => {
      const taps = c.op === 'grid' ? gridTaps : alignedTaps;
      const order = c.order as InterpolationOrder;
      const out = new Float32Array(c.out[0] * c.out[1]);
      const src = Float32Array.from(c.data);
      resampleSlice(
        src,
        0,
        taps(c.shape[0], c.out[0], order),
        taps(c.shape[1], c.out[1], order),
        out,
        0,
      );
      const what = `${c.op} order ${c.order} [${c.shape}] -> [${c.out}]`;
      const expected = resampleRef(i);
      if (order === 0) assertEqualArrays(out, expected.map(Math.fround), what);
      else assertClose(out, expected, 1e-5, what);
    });
  });

  it('scipy zoom (corner-aligned, mode constant) zeroes the last row when rounding overshoots', () => {
    const taps = alignedTaps(8, 26, 0);
    assert.equal(taps.weight[2 * 25], 0, 'scipy gives cval at 8 -> 26, last sample');
  });

  it('rescaled size is max(1, np.round(size * scale)), halves to even', () => {
    rescaleCases.forEach((c, i) => {
      assert.deepEqual(
        c.sizes.map((s) => rescaledSize(s, c.scale)),
        rescaleRef(i),
      );
    });
  });

  it('centre crop / pad and its inverse follow the authors’ code', () => {
    cropCases.forEach((c, i) => {
      const [h, w] = c.shape;
      const [th, tw] = c.target;
      const rows = centreWindow(h, th);
      const cols = centreWindow(w, tw);
      const out = new Float64Array(th * tw);
      cropOrPadSlice(c.data, 0, rows, cols, out, 0);
      const back = new Float64Array(h * w);
      uncropSlice(out, 0, rows, cols, back, 0);
      const expected = cropRef(i);
      assertEqualArrays(out, expected.out, `crop [${c.shape}] -> [${c.target}]`);
      assertEqualArrays(back, expected.back, `uncrop [${c.target}] -> [${c.shape}]`);
    });
  });

  it('spacing mode: image, label and inverse of probabilities (method.md E.1, G)', () => {
    spacingCases.forEach((c, i) => {
      const pre = new Preprocessor(c.config);
      const { slices, geometry } = pre.forwardImage(volume(c.shape, c.image, c.spacing));
      const label = pre.forwardLabel(volume(c.shape, c.label, c.spacing), geometry);
      const expected = spacingRef(i);
      assert.deepEqual(geometry.resampledSize, expected.resampled);
      assertClose(slices, expected.image, 1e-5, 'image');
      assertEqualArrays(label, expected.label, 'label');
      assertEqualArrays(pre.inverseProbabilities(c.probs, geometry), expected.inverse, 'inverse');
    });
  });

  it('resize mode: SSL4MIS zoom of image and label, nearest and linear inverses', () => {
    resizeCases.forEach((c, i) => {
      const pre = new Preprocessor(c.config);
      const linear = new Preprocessor({ ...c.config, inverse: 'linear' } as PreprocessConfig);
      const { slices, geometry } = pre.forwardImage(volume(c.shape, c.image, c.spacing));
      const label = pre.forwardLabel(volume(c.shape, c.label, c.spacing), geometry);
      const expected = resizeRef(i);
      assertClose(slices, expected.image, 1e-5, 'image');
      assertEqualArrays(label, expected.label, 'label');
      assertEqualArrays(pre.inverseProbabilities(c.probs, geometry), expected.nearest, 'nearest');
      assertEqualArrays(linear.inverseProbabilities(c.probs, geometry), expected.linear, 'linear');
    });
  });
});
