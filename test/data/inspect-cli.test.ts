import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FIXTURES, tempDir } from '../io/fixtures.js';

const CLI = fileURLToPath(new URL('../../../bin/contraseg.js', import.meta.url));
const tmp = tempDir();
after(tmp.cleanup);

function inspect(path: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'inspect', path], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('inspect a NIfTI file: shape, spacing, datatype, intensity', () => {
  const r = inspect(join(FIXTURES, 'nifti', 'label_uint8.nii.gz'));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /shape: 3 x 5 x 6 \(D x H x W\)/);
  assert.match(r.stdout, /spacing: 5 x 0\.7 x 0\.7 mm/);
  assert.match(r.stdout, /datatype: uint8/);
  assert.match(r.stdout, /intensity: min 0, max 3, mean /);
  assert.match(r.stdout, /value counts: 0: \d+ /);
});

test('inspect a data set folder: splits and label counts', () => {
  const r = inspect(join(FIXTURES, 'acdc-mini'));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /data set: acdc \(acdc-h5\)/);
  // 14 training slices stacked back into the 6 volumes (3 patients, 2 frames) they came from.
  assert.match(r.stdout, /labeled training: 6 case\(s\)\n {2}shape: 2\.\.3 x 6 x 5/);
  assert.match(r.stdout, /validation: 2 case\(s\)\n {2}shape: 2 x 6 x 5/);
  assert.match(r.stdout, /label counts: background \d+ \([\d.]+%\), RV \d+/);
});

test('inspect a corrupt file: exit 2 with one line naming the file and the problem', () => {
  const gz = readFileSync(join(FIXTURES, 'nifti', 'float32_oblique_sform.nii.gz'));
  const path = join(tmp.dir, 'cut.nii.gz');
  writeFileSync(path, gz.subarray(0, gz.length - 30));
  const r = inspect(path);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.match(
    r.stderr,
    /^contraseg: error: .*cut\.nii\.gz: corrupt or truncated gzip data \(.*\)\n$/,
  );
  const h5 = inspect(join(FIXTURES, 'h5', 'nan.h5'));
  assert.equal(h5.status, 2);
  assert.match(
    h5.stderr,
    /^contraseg: error: .*nan\.h5:image: non-finite voxel value NaN at index 13 \(NaN\/Inf\)\n$/,
  );
});
