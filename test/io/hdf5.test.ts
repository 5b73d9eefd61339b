import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { InputError } from '../../src/errors.js';
import { readHdf5 } from '../../src/io/hdf5.js';
import { FIXTURES, tempDir } from './fixtures.js';

const DIR = join(FIXTURES, 'h5');
const expected = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as Record<
  string,
  { image: number[]; label: number[]; shape: number[] }
>;
const tmp = tempDir();
after(tmp.cleanup);

async function rejects(path: string, names: string[], pattern: RegExp): Promise<void> {
  await assert.rejects(
    readHdf5(path, names),
    (err: unknown) =>
      err instanceof InputError && err.message.startsWith(path) && pattern.test(err.message),
  );
}

for (const name of ['slice.h5', 'volume.h5']) {
  test(`${name}: image and label as written by h5py`, async () => {
    const arrays = await readHdf5(join(DIR, name), ['image', 'label']);
    const image = arrays.get('image')!;
    const label = arrays.get('label')!;
    const want = expected[name];
    assert.deepEqual(image.shape, want.shape);
    assert.deepEqual(label.shape, want.shape);
    assert.equal(image.datatype, 'float32');
    assert.equal(label.datatype, 'uint8');
    assert.deepEqual(image.data, Float32Array.from(want.image));
    assert.deepEqual(label.data, Uint8Array.from(want.label));
    assert.equal(image.spacing, null);
    assert.equal(image.affine, null);
  });
}

test('optional datasets are read when present and left out when absent', async () => {
  const full = await readHdf5(join(DIR, 'slice.h5'), ['image'], { optional: ['label', 'nope'] });
  assert.deepEqual([...full.keys()], ['image', 'label']);
  const only = await readHdf5(join(DIR, 'image_only.h5'), ['image'], { optional: ['label'] });
  assert.deepEqual([...only.keys()], ['image']);
});

test('missing dataset, missing file, not HDF5', async () => {
  await rejects(join(DIR, 'image_only.h5'), ['image', 'label'], /no dataset 'label'/);
  await rejects(join(tmp.dir, 'nope.h5'), ['image'], /cannot read: ENOENT/);
  await rejects(join(DIR, 'expected.json'), ['image'], /not an HDF5 file/);
});

test('truncated file is caught before libhdf5', async () => {
  const bytes = readFileSync(join(DIR, 'volume.h5'));
  const path = join(tmp.dir, 'truncated.h5');
  writeFileSync(path, bytes.subarray(0, bytes.length - 100));
  await rejects(path, ['image'], /truncated HDF5 file: the superblock says \d+ bytes/);
});

test('corrupt compressed chunk gives a libhdf5 error message', async () => {
  const bytes = Buffer.from(readFileSync(join(DIR, 'slice.h5')));
  // h5py put the image's deflated chunk at bytes 4016..4506 of this fixture
  for (let i = 4100; i < 4400; i += 7) bytes[i] ^= 0x55;
  const path = join(tmp.dir, 'corrupt.h5');
  writeFileSync(path, bytes);
  await rejects(path, ['image', 'label'], /HDF5 error in \w+\(\)/);
});

test('NaN voxel', async () => {
  await rejects(
    join(DIR, 'nan.h5'),
    ['image'],
    /nan\.h5:image: non-finite voxel value NaN at index 13/,
  );
});

test('a timed-out read fails alone and the reader recovers', async () => {
  const path = join(DIR, 'slice.h5');
  const late = readHdf5(path, ['image'], { timeoutMs: 1 });
  const next = readHdf5(path, ['image', 'label']);
  // Keep the event loop busy past the deadline, so that the read is late however fast it is.
  const end = performance.now() + 20;
  while (performance.now() < end);
  await assert.rejects(late, /timed out after 1 ms/);
  assert.equal((await next).size, 2);
});
