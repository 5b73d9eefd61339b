import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { PNG } from 'pngjs';
import { InputError } from '../../src/errors.js';
import { readPng, readPngStack } from '../../src/io/png.js';
import { tempDir } from './fixtures.js';

const tmp = tempDir();
after(tmp.cleanup);

/** Writes gray `values` as an 8-bit gray (or, with `rgb`, colour) PNG and returns its path. */
function writePng(name: string, width: number, values: number[], rgb = false): string {
  const png = new PNG({ width, height: values.length / width });
  png.data = Buffer.from(rgb ? values.flatMap((v) => [v, v, v, 255]) : values);
  const options = rgb
    ? { colorType: 2 as const }
    : { colorType: 0 as const, inputColorType: 0 as const, inputHasAlpha: false };
  const path = join(tmp.dir, name);
  writeFileSync(path, PNG.sync.write(png, options));
  return path;
}

test('an 8-bit gray PNG is a [1, H, W] uint8 volume of its values', () => {
  const v = readPng(writePng('a.png', 3, [0, 10, 20, 30, 255, 128]));
  assert.deepEqual(v.shape, [1, 2, 3]);
  assert.deepEqual(v.data, Uint8Array.of(0, 10, 20, 30, 255, 128));
  assert.equal(v.datatype, 'uint8');
  assert.equal(v.spacing, null);
});

test('slices stack in the given order', () => {
  const a = writePng('s0.png', 2, [1, 2, 3, 4]);
  const b = writePng('s1.png', 2, [5, 6, 7, 8]);
  const v = readPngStack([b, a]);
  assert.deepEqual(v.shape, [2, 2, 2]);
  assert.deepEqual(v.data, Uint8Array.of(5, 6, 7, 8, 1, 2, 3, 4));
});

test('slices of different sizes are rejected naming the slice', () => {
  const a = writePng('m0.png', 2, [1, 2, 3, 4]);
  const b = writePng('m1.png', 4, [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.throws(
    () => readPngStack([a, b]),
    (err: unknown) => err instanceof InputError && err.message.startsWith(`${b}: slice is 4x2`),
  );
});

test('colour, corrupt and missing PNGs are rejected', () => {
  assert.throws(
    () => readPng(writePng('rgb.png', 2, [1, 2, 3, 4], true)),
    /8-bit grayscale PNG, got color type 2/,
  );
  const good = readFileSync(writePng('t.png', 2, [1, 2, 3, 4]));
  const cut = join(tmp.dir, 'cut.png');
  writeFileSync(cut, good.subarray(0, good.length - 20));
  assert.throws(() => readPng(cut), /cut\.png: corrupt PNG/);
  assert.throws(() => readPng(join(tmp.dir, 'none.png')), /none\.png: cannot read: ENOENT/);
});
