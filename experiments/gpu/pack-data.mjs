#!/usr/bin/env node
// Packs ../shared/data into one compact file for a GPU machine (the device tool carries at most
// 64 MiB; the data are 146 MB):  node experiments/gpu/pack-data.mjs [dataRoot] [out]
// What changes (docs/results.md, "GPU runs", says so beside every number):
// - training slices (ACDC data/slices, PROMISE12 train.list cases) are stored already resized to
//   the network input (128², corner-aligned bilinear for images, nearest for labels, as
//   `preprocess.mode: "resize"` does); the configs' own resize is then the identity. Percentile
//   windows are linear, so they commute with the resize; they are recomputed from the resized
//   slices, which moves the 1st/99th percentiles slightly.
// - validation volumes keep their native size, so scoring is unchanged.
// - ACDC images (floats in [0, 1]) are quantised to PACK_BITS bits (default 8, like PROMISE12;
//   12 bits make the package 12 MiB larger); PROMISE12 stays 8-bit (resized pixels rounded).
// unpack-data.mjs writes the shared/data layout back from this file.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import h5wasm from 'h5wasm/node';
import { PNG } from 'pngjs';
import { Preprocessor } from '../../dist/src/data/preprocess.js';

const root = process.argv[2] ?? '../shared/data';
const out = process.argv[3] ?? '.devtools/data.pack.xz';
const BITS = Number(process.env.PACK_BITS ?? 8);
const SIZE = 128;
await h5wasm.ready;
const resize = new Preprocessor({ mode: 'resize', size: [SIZE, SIZE], imageOrder: 1, percentiles: null });

/** Sections are compressed as one stream but kept apart: like with like compresses better. */
const sections = { high: [], low: [], label: [] };
const sizes = { high: 0, low: 0, label: 0 };
function add(section, bytes) {
  sections[section].push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  sizes[section] += bytes.byteLength;
  return bytes.byteLength;
}
/** Row-wise differences (mod 256) of a byte plane: smooth images become small numbers. */
function delta(plane, width) {
  const out = new Uint8Array(plane.length);
  for (let i = 0; i < plane.length; i++) out[i] = i % width === 0 ? plane[i] : (plane[i] - plane[i - 1]) & 255;
  return out;
}
function addImage(values, width, bits) {
  const levels = 2 ** bits - 1;
  const high = new Uint8Array(values.length);
  const low = bits > 8 ? new Uint8Array(values.length) : null;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= 0 && v <= 1)) throw new Error(`image value ${v} outside [0, 1]`);
    const q = Math.round(v * levels);
    if (low) {
      high[i] = q >> 8;
      low[i] = q & 255;
    } else high[i] = q;
  }
  add('high', delta(high, width));
  if (low) add('low', delta(low, width));
}
const volume = (values, shape) => ({ shape, data: values, spacing: null, affine: null, datatype: 'float32' });

const entries = [];
const texts = {};
for (const list of ['ACDC/train.list', 'ACDC/train_slices.list', 'ACDC/val.list', 'PROMISE12/train.list', 'PROMISE12/val.list'])
  texts[list] = readFileSync(join(root, list), 'utf8');

for (const name of readdirSync(join(root, 'ACDC/data/slices')).sort()) {
  const path = `ACDC/data/slices/${name}`;
  const file = new h5wasm.File(join(root, path), 'r');
  const [h, w] = file.get('image').shape;
  const image = volume(file.get('image').value, [1, h, w]);
  const label = volume(new Uint8Array(file.get('label').value), [1, h, w]);
  file.close();
  const { slices, geometry } = resize.forwardImage(image, path);
  addImage(slices, SIZE, BITS);
  add('label', resize.forwardLabel(label, geometry, path));
  entries.push({ path, kind: 'h5', shape: [SIZE, SIZE], bits: BITS });
}
for (const name of readdirSync(join(root, 'ACDC/data')).filter((f) => f.endsWith('.h5')).sort()) {
  const path = `ACDC/data/${name}`;
  const file = new h5wasm.File(join(root, path), 'r');
  const shape = file.get('image').shape;
  addImage(file.get('image').value, shape[2], BITS);
  add('label', new Uint8Array(file.get('label').value));
  file.close();
  entries.push({ path, kind: 'h5', shape, bits: BITS });
}
const readPng = (path) => {
  const png = PNG.sync.read(readFileSync(join(root, path)));
  const gray = new Float32Array(png.width * png.height);
  for (let i = 0; i < gray.length; i++) gray[i] = png.data[4 * i];
  return { gray, shape: [png.height, png.width] };
};
const trainCases = new Set(texts['PROMISE12/train.list'].split('\n').map((s) => s.trim()).filter(Boolean));
for (const name of readdirSync(join(root, 'PROMISE12/Img')).filter((f) => f.endsWith('.png')).sort()) {
  const image = readPng(`PROMISE12/Img/${name}`);
  const label = readPng(`PROMISE12/GT/${name}`);
  const [h, w] = image.shape;
  const train = trainCases.has(name.split('_')[0]);
  let pixels = image.gray;
  let mask = Uint8Array.from(label.gray);
  let shape = image.shape;
  if (train) {
    const { slices, geometry } = resize.forwardImage(volume(image.gray, [1, h, w]), name);
    pixels = slices;
    mask = resize.forwardLabel(volume(mask, [1, h, w]), geometry, name);
    shape = [SIZE, SIZE];
  }
  const bytes = Uint8Array.from(pixels, (v) => Math.min(255, Math.max(0, Math.round(v))));
  add('high', delta(bytes, shape[1]));
  add('label', mask);
  entries.push({ path: `PROMISE12/${name}`, kind: 'png', shape, bits: 8 });
}

const header = Buffer.from(JSON.stringify({ version: 1, size: SIZE, texts, sizes, entries }));
const length = Buffer.alloc(8);
length.writeBigUInt64LE(BigInt(header.length));
mkdirSync(dirname(out), { recursive: true });
const raw = `${out}.raw`;
writeFileSync(raw, Buffer.concat([length, header, ...sections.high, ...sections.low, ...sections.label]));
execFileSync('xz', ['-T0', `-${process.env.PACK_XZ ?? 9}`, '-f', raw], { stdio: 'inherit' });
renameSync(`${raw}.xz`, out);
const mib = (n) => (n / 2 ** 20).toFixed(1);
console.log(`${out}: ${entries.length} files, ${mib(statSync(out).size)} MiB (raw: high ${mib(sizes.high)}, low ${mib(sizes.low)}, label ${mib(sizes.label)} MiB)`);
