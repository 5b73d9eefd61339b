import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { readVolume, volumeFormat } from '../../src/io/read.js';
import { FIXTURES } from './fixtures.js';

test('readVolume picks the reader from the file name', async () => {
  assert.deepEqual(
    (await readVolume(join(FIXTURES, 'nifti', 'label_uint8.nii.gz'))).shape,
    [3, 5, 6],
  );
  assert.deepEqual((await readVolume(join(FIXTURES, 'nifti', 'uint8_2d.nii'))).shape, [1, 4, 5]);
  const label = await readVolume(join(FIXTURES, 'h5', 'volume.h5'), 'label');
  assert.equal(label.datatype, 'uint8');
  const png = await readVolume(join(FIXTURES, 'promise-mini', 'GT', 'Case00_0_00.png'));
  assert.deepEqual(png.shape, [1, 16, 16]);
  await assert.rejects(readVolume('volume.mha'), /volume\.mha: unknown file type/);
});

test('volumeFormat', () => {
  assert.equal(volumeFormat('a/B.NII.GZ'), 'nifti');
  assert.equal(volumeFormat('x.hdf5'), 'hdf5');
  assert.equal(volumeFormat('x.png'), 'png');
  assert.equal(volumeFormat('x.nii.bz2'), null);
});
