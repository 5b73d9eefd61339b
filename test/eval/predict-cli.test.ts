import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readNifti, writeNifti } from '../../src/io/nifti.js';
import { keepLargestComponent } from '../../src/metrics/largest-component.js';
import {
  cli,
  discImage,
  tempFolder,
  writeGrayPng,
  writeH5,
  writeTinyModel,
} from './model-fixture.js';

// The CLI on HDF5 and PNG inputs and its errors (predict.test.ts has the NIfTI round trip).
const tmp = tempFolder('predict-cli-test-');
after(tmp.cleanup);
/** Resize-mode model at 32 x 32. */
const resizeModel = join(tmp.dir, 'resize.safetensors');

before(() => {
  writeTinyModel(resizeModel, {
    preprocess: { mode: 'resize', size: [32, 32], imageOrder: 1, inverse: 'linear' },
    seed: 2,
  });
});

describe('contraseg predict (HDF5, PNG, errors)', () => {
  test('HDF5 volumes and slices and PNG-slice folders: one .nii.gz per case, with flip TTA', () => {
    const dir = join(tmp.dir, 'mixed');
    mkdirSync(dir);
    writeH5(
      join(dir, 'patient001_frame01.h5'),
      [3, 32, 32],
      discImage([3, 32, 32]),
      new Uint8Array(3 * 1024),
    );
    writeH5(join(dir, 'patient001_frame01_slice_2.h5'), [32, 32], discImage([1, 32, 32]), null);
    const png = discImage([2, 24, 36], 3);
    for (let s = 0; s < 2; s++) {
      const slice = Uint8Array.from(png.subarray(s * 864, (s + 1) * 864), (v) =>
        Math.round(v * 255),
      );
      writeGrayPng(join(dir, `Case03_0_0${s}.png`), 36, slice);
    }
    const out = join(tmp.dir, 'out-mixed');
    const r = cli([
      'predict',
      '--model',
      resizeModel,
      '--input',
      dir,
      '--output',
      out,
      '--tta',
      'flip',
      '--batch-size',
      '2',
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(readdirSync(out).sort(), [
      'Case03.nii.gz',
      'patient001_frame01.nii.gz',
      'patient001_frame01_slice_2.nii.gz',
    ]);
    const h5Out = readNifti(join(out, 'patient001_frame01.nii.gz'));
    assert.deepEqual(h5Out.shape, [3, 32, 32]);
    // Inputs without spacing (HDF5, PNG) give unit pixel sizes (pixdim 1, not 0).
    assert.deepEqual(h5Out.spacing, [1, 1, 1]);
    assert.deepEqual(readNifti(join(out, 'patient001_frame01_slice_2.nii.gz')).shape, [1, 32, 32]);
    const pngOut = readNifti(join(out, 'Case03.nii.gz'));
    assert.deepEqual(pngOut.shape, [2, 24, 36]);
    assert.deepEqual(pngOut.spacing, [1, 1, 1]);
    assert.equal(pngOut.datatype, 'uint8');
    // Progress lines go to stderr (not a TTY here), one per file.
    assert.equal(
      r.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('predict ')).length,
      3,
    );
  });

  test("--keep-largest: the model file's classes by default, overridden by the option", () => {
    const dir = join(tmp.dir, 'largest-in');
    mkdirSync(dir);
    writeH5(join(dir, 'patient002_frame01.h5'), [4, 32, 32], discImage([4, 32, 32]), null);
    const kept = join(tmp.dir, 'keep-largest.safetensors');
    const exported = cli([
      'export',
      '--checkpoint',
      resizeModel,
      '--out',
      kept,
      '--keep-largest',
      '2,1',
      '--dtype',
      'float32',
    ]);
    assert.equal(exported.status, 0, exported.stderr);
    const predict = (model: string, out: string, extra: string[] = []) => {
      const r = cli(['predict', '--model', model, '--input', dir, '--output', out, ...extra]);
      assert.equal(r.status, 0, r.stderr);
      return readNifti(join(out, 'patient002_frame01.nii.gz'));
    };
    const plain = predict(resizeModel, join(tmp.dir, 'largest-plain'));
    const byModel = predict(kept, join(tmp.dir, 'largest-model'));
    const reduced = keepLargestComponent(plain.data, plain.shape, [1, 2]);
    assert.notDeepEqual(reduced, plain.data, 'the random model predicts scattered blobs');
    assert.deepEqual(byModel.data, reduced);
    assert.deepEqual(
      predict(kept, join(tmp.dir, 'largest-none'), ['--keep-largest', 'none']).data,
      plain.data,
    );
    assert.deepEqual(
      predict(resizeModel, join(tmp.dir, 'largest-one'), ['--keep-largest', '2']).data,
      keepLargestComponent(plain.data, plain.shape, [2]),
    );
    const bad = cli([
      'predict',
      '--model',
      kept,
      '--input',
      dir,
      '--output',
      join(tmp.dir, 'largest-bad'),
      '--keep-largest',
      '3',
    ]);
    assert.equal(bad.status, 2);
    assert.match(
      bad.stderr,
      /--keep-largest: keep-largest classes must be distinct class ids in 1\.\.2, got \[3\]/,
    );
    assert.ok(!existsSync(join(tmp.dir, 'largest-bad')), 'nothing written');
  });

  test('--list predicts only the listed cases; a listed case without input is an error', () => {
    const dir = join(tmp.dir, 'listed');
    mkdirSync(dir);
    for (const id of ['patient001_frame01', 'patient002_frame01', 'patient003_frame01']) {
      writeH5(join(dir, `${id}.h5`), [2, 32, 32], discImage([2, 32, 32]), null);
    }
    const list = join(tmp.dir, 'test.list');
    writeFileSync(list, 'patient003_frame01\npatient001_frame01\n');
    const out = join(tmp.dir, 'out-listed');
    const args = ['predict', '--model', resizeModel, '--input', dir, '--output', out, '--quiet'];
    const r = cli([...args, '--list', list]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(readdirSync(out).sort(), [
      'patient001_frame01.nii.gz',
      'patient003_frame01.nii.gz',
    ]);
    writeFileSync(list, 'patient004_frame01\n');
    const missing = cli([...args, '--list', list]);
    assert.equal(missing.status, 2);
    assert.match(
      missing.stderr,
      /test\.list: lists case patient004_frame01, which is not among the inputs/,
    );
  });

  test('bad input exits 2 with one line and leaves no partial files', () => {
    const dir = join(tmp.dir, 'bad');
    mkdirSync(dir);
    const shape: [number, number, number] = [2, 32, 32];
    writeNifti(join(dir, 'a.nii.gz'), {
      shape,
      data: discImage(shape),
      spacing: null,
      affine: null,
      datatype: 'float32',
    });
    writeFileSync(join(dir, 'b.nii.gz'), Buffer.from([0x1f, 0x8b, 1, 2, 3]));
    const out = join(tmp.dir, 'out-bad');
    const r = cli(['predict', '--model', resizeModel, '--input', dir, '--output', out]);
    assert.equal(r.status, 2);
    const lines = r.stderr
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('predict '));
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /^contraseg: error: .*b\.nii\.gz: corrupt or truncated gzip/);
    assert.deepEqual(readdirSync(out), ['a.nii.gz'], 'the finished case only, no temporary files');

    const noModel = cli([
      'predict',
      '--model',
      join(tmp.dir, 'absent.safetensors'),
      '--input',
      dir,
      '--output',
      out,
    ]);
    assert.equal(noModel.status, 2);
    assert.equal(noModel.stderr.trim().split('\n').length, 1, noModel.stderr);
    assert.match(noModel.stderr, /absent\.safetensors: cannot read/);
    assert.ok(!existsSync(join(out, 'b.nii.gz')));
  });
});
