import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { InputError } from '../../src/errors.js';
import { parseNifti, readNifti, writeNifti } from '../../src/io/nifti.js';
import type { Volume } from '../../src/io/volume.js';
import { FIXTURES, tempDir } from './fixtures.js';

interface Expected {
  shape: number[];
  zooms: number[];
  datatype: string;
  affine: number[];
  values: number[][][];
}

const DIR = join(FIXTURES, 'nifti');
const expected = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as Record<
  string,
  Expected
>;
const tmp = tempDir();
after(tmp.cleanup);

function assertClose(
  actual: ArrayLike<number>,
  wanted: ArrayLike<number>,
  tol: number,
  what: string,
) {
  assert.equal(actual.length, wanted.length, `${what}: length`);
  for (let i = 0; i < wanted.length; i++) {
    assert.ok(
      Math.abs(actual[i] - wanted[i]) <= tol,
      `${what}[${i}]: ${actual[i]} vs ${wanted[i]}`,
    );
  }
}

/** Bytes of an uncompressed fixture, for corrupting. */
function fixtureBytes(name: string): Buffer {
  const raw = readFileSync(join(DIR, name));
  return name.endsWith('.gz') ? gunzipSync(raw) : raw;
}

function rejects(bytes: Uint8Array, pattern: RegExp): void {
  assert.throws(
    () => parseNifti(bytes, 'bad.nii'),
    (err: unknown) =>
      err instanceof InputError && /^bad\.nii: /.test(err.message) && pattern.test(err.message),
  );
}

describe('NIfTI reading matches nibabel', () => {
  for (const [name, want] of Object.entries(expected)) {
    test(name, () => {
      const v = readNifti(join(DIR, name));
      assert.deepEqual(v.shape, want.shape);
      assertClose(v.data, want.values.flat(2), 0, 'values');
      const zooms = want.zooms.length === 2 ? [1, ...want.zooms] : want.zooms;
      assertClose(v.spacing!, zooms, 1e-6, 'spacing');
      assertClose(v.affine!, want.affine, 1e-5, 'affine');
      assert.equal(v.datatype, want.datatype.replace('>i2', 'int16'));
    });
  }

  test('scl_slope/scl_inter give float32 values', () => {
    const v = readNifti(join(DIR, 'int16_scaled_qform.nii'));
    assert.ok(v.data instanceof Float32Array);
    assert.equal(v.datatype, 'int16');
  });

  test('sform is preferred over a different qform', () => {
    const v = readNifti(join(DIR, 'float32_oblique_sform.nii.gz'));
    assert.notEqual(v.affine![0], 2); // the qform is diag(2, 2, 2)
    assert.ok(Math.abs(v.affine![1]) > 0.1, 'oblique');
  });

  test('without sform or qform the affine is diag(pixdim)', () => {
    const v = readNifti(join(DIR, 'int32_no_xform.nii'));
    assert.deepEqual(v.affine, [0.5, 0, 0, 0, 0, 0.25, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1]);
    assert.ok(v.data instanceof Int32Array);
  });

  test('2-D image is a single slice with 1 mm for the missing axis', () => {
    const v = readNifti(join(DIR, 'uint8_2d.nii'));
    assert.deepEqual(v.shape, [1, 4, 5]);
    assert.deepEqual(v.spacing, [1, 0.5, 0.5]);
  });
});

describe('NIfTI writing', () => {
  const roundTrip = (v: Volume, name: string): Volume => {
    const path = join(tmp.dir, name);
    writeNifti(path, v);
    return readNifti(path);
  };

  for (const name of Object.keys(expected)) {
    for (const ext of ['.nii', '.nii.gz']) {
      test(`${name} -> ${ext} reads back identical`, () => {
        const v = readNifti(join(DIR, name));
        const back = roundTrip(v, `rt-${name}${ext}`);
        assert.deepEqual(back.shape, v.shape);
        assert.deepEqual(back.data, v.data);
        assert.deepEqual(back.spacing, v.spacing);
        assert.equal(back.datatype, v.data.constructor.name.replace('Array', '').toLowerCase());
        if (name === 'int16_scaled_qform.nii') {
          // a qform affine is computed in double precision; the sform stores float32
          assertClose(back.affine!, v.affine!, 1e-5, 'affine');
        } else {
          assert.deepEqual(back.affine, v.affine);
        }
      });
    }
  }

  test('a synthetic volume reads back identical, including unknown spacing and affine', () => {
    const data = Float64Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 0.5 - 3);
    const full: Volume = {
      shape: [2, 3, 4],
      data,
      spacing: [2.5, 0.75, 0.5],
      affine: [0, 0.5, 0, 1, -0.75, 0, 0, 2, 0, 0, 2.5, 3, 0, 0, 0, 1],
      datatype: 'float64',
    };
    assert.deepEqual(roundTrip(full, 'synthetic.nii.gz'), full);
    const bare: Volume = {
      ...full,
      data: Uint8Array.from(data, Math.abs),
      spacing: null,
      affine: null,
      datatype: 'uint8',
    };
    assert.deepEqual(roundTrip(bare, 'bare.nii'), bare);
  });

  test('writes a 352-byte header then the data, and leaves no temporary file', () => {
    const v: Volume = {
      shape: [1, 1, 3],
      data: Int16Array.of(1, -2, 3),
      spacing: [1, 1, 1],
      affine: null,
      datatype: 'int16',
    };
    const path = join(tmp.dir, 'small.nii');
    writeNifti(path, v);
    const bytes = readFileSync(path);
    assert.equal(bytes.length, 352 + 6);
    assert.equal(bytes.readInt32LE(0), 348);
    assert.equal(bytes.readFloatLE(108), 352);
    assert.equal(bytes.toString('latin1', 344, 348), 'n+1\0');
    assert.ok(!readdirSync(tmp.dir).some((f) => f.endsWith('.tmp')));
  });
});

describe('NIfTI validation', () => {
  test('truncated gzip', () => {
    const gz = readFileSync(join(DIR, 'float32_oblique_sform.nii.gz'));
    rejects(gz.subarray(0, gz.length - 20), /corrupt or truncated gzip/);
  });

  test('corrupt gzip', () => {
    const gz = Buffer.from(readFileSync(join(DIR, 'float32_oblique_sform.nii.gz')));
    gz[gz.length - 6] ^= 0xff; // inside the CRC32 / length trailer
    rejects(gz, /corrupt or truncated gzip/);
  });

  test('wrong header size', () => {
    const b = fixtureBytes('uint8_2d.nii');
    b.writeInt32LE(123, 0);
    rejects(b, /header size field is 123/);
  });

  test('wrong magic', () => {
    const b = fixtureBytes('uint8_2d.nii');
    b.write('abc\0', 344, 'latin1');
    rejects(b, /bad NIfTI magic/);
    b.write('ni1\0', 344, 'latin1');
    rejects(b, /header\/image pairs/);
  });

  test('truncated header', () => {
    rejects(fixtureBytes('uint8_2d.nii').subarray(0, 200), /truncated NIfTI header/);
  });

  test('unsupported datatype', () => {
    const b = fixtureBytes('int32_no_xform.nii');
    b.writeInt16LE(512, 70);
    rejects(b, /unsupported NIfTI datatype uint16 \(code 512\)/);
  });

  test('dimensions that do not match the data size', () => {
    const b = fixtureBytes('uint8_2d.nii');
    b.writeInt16LE(6, 42);
    rejects(b, /dimensions 6x4x1 of uint8 need 24 bytes of data, file has 20/);
    rejects(fixtureBytes('uint8_2d.nii').subarray(0, 360), /need 20 bytes of data, file has 8/);
  });

  test('non-positive or 4-D dimensions', () => {
    const b = fixtureBytes('uint8_2d.nii');
    b.writeInt16LE(0, 42);
    rejects(b, /dim\[1\] = 0 is not a positive size/);
    const c = fixtureBytes('label_uint8.nii.gz');
    c.writeInt16LE(4, 40);
    c.writeInt16LE(2, 48);
    rejects(c, /only 3-D volumes/);
  });

  test('NaN and Inf voxels', () => {
    const b = fixtureBytes('float32_oblique_sform.nii.gz');
    b.writeFloatLE(NaN, 352 + 4 * 7);
    rejects(b, /non-finite voxel value NaN at index 7/);
    b.writeFloatLE(Infinity, 352);
    rejects(gzipSync(b), /non-finite voxel value Infinity at index 0/);
  });

  test('missing file', () => {
    assert.throws(() => readNifti(join(tmp.dir, 'nope.nii')), /nope\.nii: cannot read/);
  });

  test('a failed write leaves the previous file untouched', () => {
    const v: Volume = {
      shape: [1, 1, 40000],
      data: new Uint8Array(40000),
      spacing: null,
      affine: null,
      datatype: 'uint8',
    };
    const path = join(tmp.dir, 'keep.nii');
    writeFileSync(path, 'previous');
    assert.throws(() => writeNifti(path, v), /keep\.nii: NIfTI-1 cannot store shape 1x1x40000/);
    assert.equal(readFileSync(path, 'utf8'), 'previous');
  });
});
