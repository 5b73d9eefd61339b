#!/usr/bin/env node
// Writes the shared/data layout (ACDC SSL4MIS HDF5, PROMISE12 PNG slices) back from a package of
// pack-data.mjs:  node experiments/gpu/unpack-data.mjs PACKAGE OUTDIR
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import h5wasm from 'h5wasm/node';
import { PNG } from 'pngjs';

const [pack, outDir] = process.argv.slice(2);
if (!pack || !outDir) throw new Error('usage: unpack-data.mjs PACKAGE OUTDIR');
await h5wasm.ready;

/** xz, else Python's lzma (the GPU machine's image holds Python; xz is usual but not promised). */
function decompress(path) {
  const options = { maxBuffer: 2 ** 31 - 1, stdio: ['ignore', 'pipe', 'inherit'] };
  try {
    return execFileSync('xz', ['-dc', path], options);
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
    const py = 'import lzma, sys; sys.stdout.buffer.write(lzma.open(sys.argv[1]).read())';
    return execFileSync('python3', ['-c', py, path], options);
  }
}

const raw = decompress(pack);
const headerLength = Number(raw.readBigUInt64LE(0));
const { version, texts, sizes, entries } = JSON.parse(raw.subarray(8, 8 + headerLength).toString());
if (version !== 1) throw new Error(`${pack}: unknown package version ${version}`);
let at = 8 + headerLength;
const cursor = {};
for (const section of ['high', 'low', 'label']) {
  cursor[section] = at;
  at += sizes[section];
}
if (at !== raw.length) throw new Error(`${pack}: ${raw.length} bytes, the header promises ${at}`);
const take = (section, n) => {
  const bytes = raw.subarray(cursor[section], cursor[section] + n);
  cursor[section] += n;
  return bytes;
};
/** Undoes pack-data.mjs's row-wise differences. */
function undelta(bytes, width) {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = i % width === 0 ? bytes[i] : (out[i - 1] + bytes[i]) & 255;
  return out;
}
const write = (path, data) => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
};

for (const [name, text] of Object.entries(texts)) write(join(outDir, name), text);
for (const { path, kind, shape, bits } of entries) {
  const n = shape.reduce((a, b) => a * b, 1);
  const width = shape[shape.length - 1];
  const high = undelta(take('high', n), width);
  const low = bits > 8 ? undelta(take('low', n), width) : null;
  const label = take('label', n);
  const target = join(outDir, path);
  mkdirSync(dirname(target), { recursive: true });
  if (kind === 'h5') {
    const levels = 2 ** bits - 1;
    const image = new Float32Array(n);
    for (let i = 0; i < n; i++) image[i] = ((low ? (high[i] << 8) | low[i] : high[i]) / levels);
    const file = new h5wasm.File(target, 'w');
    file.create_dataset({ name: 'image', data: image, shape, dtype: '<f' });
    file.create_dataset({ name: 'label', data: new Uint8Array(label), shape, dtype: '<B' });
    file.close();
  } else {
    const [dir, name] = [dirname(path), path.slice(path.lastIndexOf('/') + 1)];
    for (const [sub, pixels] of [['Img', high], ['GT', label]]) {
      const png = new PNG({ width, height: shape[0], colorType: 0, inputColorType: 0, bitDepth: 8 });
      png.data = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
      write(join(outDir, dir, sub, name), PNG.sync.write(png, { colorType: 0, inputColorType: 0 }));
    }
  }
}
console.log(`${outDir}: ${entries.length} files from ${pack}`);
