import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { InputError } from '../../src/errors.js';
import { readHdf5 } from '../../src/io/hdf5.js';
import { parseNifti } from '../../src/io/nifti.js';
import type { Volume } from '../../src/io/volume.js';
import { Rng } from '../../src/util/rng.js';
import { FIXTURES, tempDir } from './fixtures.js';

const NIFTI_CASES = 800;
const HDF5_CASES = 400;
const tmp = tempDir();
after(tmp.cleanup);

/** NIfTI-1 header fields as (offset, kind), to overwrite with random values. */
const NIFTI1_FIELDS: Array<[number, 'i16' | 'i32' | 'f32']> = [
  [0, 'i32'],
  ...Array.from({ length: 8 }, (_, i): [number, 'i16'] => [40 + 2 * i, 'i16']),
  [70, 'i16'],
  [72, 'i16'],
  ...Array.from({ length: 8 }, (_, i): [number, 'f32'] => [76 + 4 * i, 'f32']),
  [108, 'f32'],
  [112, 'f32'],
  [116, 'f32'],
  [252, 'i16'],
  [254, 'i16'],
  ...Array.from({ length: 18 }, (_, i): [number, 'f32'] => [256 + 4 * i, 'f32']),
  [344, 'i32'],
];

function randInt(rng: Rng, n: number): number {
  return Math.floor(rng.uniform() * n);
}

function flipBits(rng: Rng, bytes: Uint8Array, count: number, within = bytes.length): void {
  for (let k = 0; k < count; k++) bytes[randInt(rng, within)] ^= 1 << randInt(rng, 8);
}

/** A random value that is often an edge case: 0, -1, huge, NaN, Inf, or random bits. */
function randomField(rng: Rng, view: DataView, offset: number, kind: 'i16' | 'i32' | 'f32'): void {
  const specials = [
    0,
    -1,
    1,
    2,
    3,
    7,
    8,
    352,
    32767,
    -32768,
    2 ** 31 - 1,
    NaN,
    Infinity,
    -Infinity,
    1e30,
  ];
  const value =
    rng.uniform() < 0.5 ? specials[randInt(rng, specials.length)] : rng.uniform(-1e6, 1e6);
  if (kind === 'f32') view.setFloat32(offset, value, true);
  else if (kind === 'i16') view.setInt16(offset, Number.isFinite(value) ? value : 0, true);
  else view.setInt32(offset, Number.isFinite(value) ? value : 0, true);
}

function corruptNifti(rng: Rng, clean: Uint8Array): Uint8Array {
  const bytes = Uint8Array.from(clean);
  const view = new DataView(bytes.buffer);
  switch (randInt(rng, 4)) {
    case 0:
      flipBits(rng, bytes, 1 + randInt(rng, 8));
      return bytes;
    case 1:
      return bytes.subarray(0, randInt(rng, bytes.length));
    case 2:
      for (let k = 1 + randInt(rng, 3); k > 0; k--) {
        const [offset, kind] = NIFTI1_FIELDS[randInt(rng, NIFTI1_FIELDS.length)];
        randomField(rng, view, offset, kind);
      }
      return bytes;
    default:
      flipBits(rng, bytes, 1 + randInt(rng, 4), Math.min(bytes.length, 352));
      return bytes;
  }
}

/** What every volume a reader returns must satisfy. */
function assertValidVolume(v: Volume, what: string): void {
  assert.ok(
    v.shape.every((n) => Number.isInteger(n) && n >= 1),
    `${what}: shape ${v.shape}`,
  );
  assert.equal(v.shape[0] * v.shape[1] * v.shape[2], v.data.length, `${what}: size`);
  if (v.data instanceof Float32Array || v.data instanceof Float64Array) {
    assert.ok(v.data.every(Number.isFinite), `${what}: finite`);
  }
  assert.ok(v.affine === null || (v.affine.length === 16 && v.affine.every(Number.isFinite)), what);
  assert.ok(v.spacing === null || v.spacing.every((s) => s > 0 && Number.isFinite(s)), what);
}

function tally(outcomes: Map<string, number>, key: string): void {
  outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
}

test(`${NIFTI_CASES} corrupted NIfTI files (.nii and .nii.gz) are rejected or valid`, (t) => {
  const rng = new Rng(0x5eed);
  const names = [
    'int16_scaled_qform.nii',
    'float32_oblique_sform.nii.gz',
    'label_uint8.nii.gz',
    'float64_nifti2.nii',
    'int32_no_xform.nii',
    'int16_bigendian.nii',
    'uint8_2d.nii',
  ];
  const clean = names.map((n) => {
    const raw = readFileSync(join(FIXTURES, 'nifti', n));
    return n.endsWith('.gz') ? gunzipSync(raw) : raw;
  });
  const outcomes = new Map<string, number>();
  const start = performance.now();
  for (let i = 0; i < NIFTI_CASES; i++) {
    const base = clean[randInt(rng, clean.length)];
    let bytes: Uint8Array;
    const mode = i % 3;
    if (mode === 0) bytes = corruptNifti(rng, base);
    else if (mode === 1) bytes = gzipSync(corruptNifti(rng, base));
    else {
      // corrupt the compressed stream itself: bit flips or truncation
      bytes = Uint8Array.from(gzipSync(base));
      if (rng.uniform() < 0.5) flipBits(rng, bytes, 1 + randInt(rng, 4));
      else bytes = bytes.subarray(0, randInt(rng, bytes.length));
    }
    const name = `case${i}.nii${mode === 0 ? '' : '.gz'}`;
    try {
      assertValidVolume(parseNifti(bytes, name), name);
      tally(outcomes, 'valid');
    } catch (err) {
      assert.ok(err instanceof InputError, `${name}: ${(err as Error).stack}`);
      assert.ok(err.message.startsWith(`${name}: `));
      tally(outcomes, 'InputError');
    }
  }
  const ms = performance.now() - start;
  t.diagnostic(`NIfTI fuzz: ${NIFTI_CASES} cases in ${ms.toFixed(0)} ms: ${[...outcomes]}`);
  assert.ok((outcomes.get('InputError') ?? 0) > NIFTI_CASES / 2);
});

test(`${HDF5_CASES} corrupted HDF5 files are rejected or valid, without a crash or hang`, async (t) => {
  const rng = new Rng(0xbad5eed);
  const clean = ['slice.h5', 'volume.h5', 'nan.h5', 'image_only.h5'].map((n) =>
    readFileSync(join(FIXTURES, 'h5', n)),
  );
  const paths: string[] = [];
  for (let i = 0; i < HDF5_CASES; i++) {
    let bytes = Uint8Array.from(clean[i % clean.length]);
    switch (randInt(rng, 4)) {
      case 0:
        flipBits(rng, bytes, 1 + randInt(rng, 8));
        break;
      case 1:
        bytes = bytes.subarray(0, randInt(rng, bytes.length));
        break;
      case 2:
        flipBits(rng, bytes, 1 + randInt(rng, 4), Math.min(bytes.length, 2048));
        break;
      default: {
        const at = randInt(rng, Math.min(bytes.length, 4096) - 4);
        for (let k = 0; k < 4; k++) bytes[at + k] = randInt(rng, 256);
      }
    }
    paths.push(join(tmp.dir, `case${i}.h5`));
    writeFileSync(paths[i], bytes);
  }
  const start = performance.now();
  const results = await Promise.allSettled(
    paths.map((p) => readHdf5(p, ['image'], { optional: ['label'], timeoutMs: 10_000 })),
  );
  const outcomes = new Map<string, number>();
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') {
      for (const [name, v] of r.value) assertValidVolume(v, `${paths[i]}:${name}`);
      tally(outcomes, 'valid');
    } else {
      assert.ok(r.reason instanceof InputError, `${paths[i]}: ${r.reason}`);
      tally(outcomes, /timed out/.test(r.reason.message) ? 'timeout' : 'InputError');
    }
  });
  const ms = performance.now() - start;
  t.diagnostic(`HDF5 fuzz: ${HDF5_CASES} cases in ${ms.toFixed(0)} ms: ${[...outcomes]}`);
  assert.equal(outcomes.get('timeout'), undefined);
  // the reader still works afterwards
  assert.equal((await readHdf5(join(FIXTURES, 'h5', 'slice.h5'), ['image', 'label'])).size, 2);
});
