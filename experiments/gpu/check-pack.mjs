#!/usr/bin/env node
// Compares data unpacked by unpack-data.mjs with the originals: every validation volume (native
// size) and every training slice (against the original resized as pack-data.mjs resizes it) to
// within the 8-bit quantisation, labels exactly, and the configs' 128² resize of a packed slice
// being the identity. Prints the largest errors; exits non-zero on a mismatch.
// Usage: node experiments/gpu/check-pack.mjs ORIGINAL UNPACKED
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import h5wasm from 'h5wasm/node';
import { PNG } from 'pngjs';
import { Preprocessor } from '../../dist/src/data/preprocess.js';

const [original, unpacked] = process.argv.slice(2);
await h5wasm.ready;
const resize = new Preprocessor({ mode: 'resize', size: [128, 128], imageOrder: 1, percentiles: null });
const volume = (data, shape) => ({ shape, data, spacing: null, affine: null, datatype: 'float32' });
const h5 = (path) => {
  const f = new h5wasm.File(path, 'r');
  const image = f.get('image');
  const out = { image: Float32Array.from(image.value), label: Uint8Array.from(f.get('label').value), shape: image.shape };
  f.close();
  return out;
};
const png = (path) => {
  const p = PNG.sync.read(readFileSync(path));
  return { pixels: Float32Array.from({ length: p.width * p.height }, (_, i) => p.data[4 * i]), shape: [p.height, p.width] };
};
const worst = { acdcVal: 0, acdcTrain: 0, identity: 0, promiseVal: 0, promiseTrain: 0 };
let labelMismatches = 0;
const maxDiff = (a, b) => {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};
const sameLabels = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);

for (const name of readdirSync(join(original, 'ACDC/data')).filter((f) => f.endsWith('.h5'))) {
  const a = h5(join(original, 'ACDC/data', name));
  const b = h5(join(unpacked, 'ACDC/data', name));
  worst.acdcVal = Math.max(worst.acdcVal, maxDiff(a.image, b.image));
  if (!sameLabels(a.label, b.label)) labelMismatches++;
}
for (const name of readdirSync(join(original, 'ACDC/data/slices'))) {
  const a = h5(join(original, 'ACDC/data/slices', name));
  const b = h5(join(unpacked, 'ACDC/data/slices', name));
  const [h, w] = a.shape;
  const { slices, geometry } = resize.forwardImage(volume(a.image, [1, h, w]));
  worst.acdcTrain = Math.max(worst.acdcTrain, maxDiff(slices, b.image));
  if (!sameLabels(resize.forwardLabel(volume(a.label, [1, h, w]), geometry), b.label)) labelMismatches++;
  worst.identity = Math.max(worst.identity, maxDiff(resize.forwardImage(volume(b.image, [1, 128, 128])).slices, b.image));
}
const train = new Set(readFileSync(join(original, 'PROMISE12/train.list'), 'utf8').split('\n').map((s) => s.trim()));
for (const name of readdirSync(join(original, 'PROMISE12/Img'))) {
  const a = png(join(original, 'PROMISE12/Img', name));
  const b = png(join(unpacked, 'PROMISE12/Img', name));
  const la = png(join(original, 'PROMISE12/GT', name));
  const lb = png(join(unpacked, 'PROMISE12/GT', name));
  if (train.has(name.split('_')[0])) {
    const { slices, geometry } = resize.forwardImage(volume(a.pixels, [1, ...a.shape]));
    worst.promiseTrain = Math.max(worst.promiseTrain, maxDiff(slices, b.pixels));
    const labels = resize.forwardLabel(volume(Uint8Array.from(la.pixels), [1, ...la.shape]), geometry);
    if (!sameLabels(labels, Uint8Array.from(lb.pixels))) labelMismatches++;
  } else {
    worst.promiseVal = Math.max(worst.promiseVal, maxDiff(a.pixels, b.pixels));
    if (!sameLabels(la.pixels, lb.pixels)) labelMismatches++;
  }
}
console.log(JSON.stringify({ ...worst, labelMismatches }));
const ok =
  worst.acdcVal <= 0.5 / 255 + 1e-6 && worst.acdcTrain <= 0.5 / 255 + 1e-6 && worst.identity === 0 &&
  worst.promiseVal === 0 && worst.promiseTrain <= 0.5 && labelMismatches === 0;
if (!ok) {
  console.error('check-pack: the unpacked data differ from the originals beyond the quantisation');
  process.exit(1);
}
