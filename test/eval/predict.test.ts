import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readNifti, writeNifti } from '../../src/io/nifti.js';
import type { Volume } from '../../src/io/volume.js';
import { loadModel, type LoadedModel } from '../../src/method/model-file.js';
import { listPredictInputs } from '../../src/eval/predict-files.js';
import {
  flipColumns,
  predictNetworkProbabilities,
  predictVolume,
} from '../../src/eval/predict-volume.js';
import {
  cli,
  discImage,
  python,
  tempFolder,
  writeGrayPng,
  writeTinyModel,
} from './model-fixture.js';

const tmp = tempFolder('predict-test-');
after(tmp.cleanup);
/** Spacing-mode model: in-plane resampling to 2 mm, crop/pad to 32 x 32. */
const spacingModel = join(tmp.dir, 'spacing.safetensors');
/** Resize-mode model at 32 x 32 (identity for 32 x 32 inputs). */
const resizeModel = join(tmp.dir, 'resize.safetensors');
let resize: LoadedModel;

before(() => {
  writeTinyModel(spacingModel, {
    preprocess: { mode: 'spacing', targetSpacing: [2, 2], cropSize: [32, 32] },
  });
  writeTinyModel(resizeModel, {
    preprocess: { mode: 'resize', size: [32, 32], imageOrder: 1, inverse: 'linear' },
    seed: 2,
  });
  resize = loadModel(resizeModel);
});
after(() => resize?.net.dispose());

/** An oblique affine with an offset, as scanners write them (row-major 4x4). */
function obliqueAffine(spacing: [number, number, number]): number[] {
  const [sz, sy, sx] = spacing;
  const c = Math.cos(0.3);
  const s = Math.sin(0.3);
  return [c * sx, -s * sy, 0, -20.5, s * sx, c * sy, 0, 13.25, 0, 0, sz, -7, 0, 0, 0, 1];
}

describe('predictVolume', () => {
  test('flipColumns mirrors every row', () => {
    const v = Float32Array.from([1, 2, 3, 4, 5, 6]);
    assert.deepEqual([...flipColumns(v, 3)], [3, 2, 1, 6, 5, 4]);
    assert.deepEqual([...flipColumns(flipColumns(v, 2), 2)], [...v]);
  });

  test('flip TTA is mirror-equivariant: a mirrored image gives mirrored probabilities', () => {
    const shape: [number, number, number] = [2, 32, 32];
    const data = discImage(shape, 5);
    const image: Volume = { shape, data, spacing: null, affine: null, datatype: 'float32' };
    const mirrored: Volume = { ...image, data: flipColumns(data, 32) };
    const a = predictNetworkProbabilities(resize, image, { tta: 'flip' }).probs;
    const b = predictNetworkProbabilities(resize, mirrored, { tta: 'flip' }).probs;
    assert.deepEqual([...b], [...flipColumns(a, 32)]);
    assert.throws(
      () => predictNetworkProbabilities(resize, image, { tta: 'rotate' as 'flip' }),
      /unknown test-time augmentation 'rotate'/,
    );
    const plain = predictNetworkProbabilities(resize, image).probs;
    assert.notDeepEqual([...plain], [...a], 'TTA changes the probabilities');
    // Still a distribution over classes at every pixel.
    const plane = 32 * 32;
    for (let p = 0; p < plane; p += 97) {
      let sum = 0;
      for (let c = 0; c < 3; c++) sum += a[c * plane + p];
      assert.ok(Math.abs(sum - 1) < 1e-5);
    }
  });

  test('returns a uint8 label map with the input shape, spacing and affine', () => {
    const shape: [number, number, number] = [3, 40, 28];
    const spacing: [number, number, number] = [5, 1.5, 1.25];
    const image: Volume = {
      shape,
      data: discImage(shape),
      spacing,
      affine: obliqueAffine(spacing),
      datatype: 'float32',
    };
    const model = loadModel(spacingModel);
    try {
      const label = predictVolume(model, image, { batchSize: 2 });
      assert.deepEqual(label.shape, shape);
      assert.deepEqual(label.spacing, spacing);
      assert.deepEqual(label.affine, image.affine);
      assert.ok(label.data instanceof Uint8Array);
      assert.equal(label.data.length, 3 * 40 * 28);
      assert.ok(label.data.every((v) => v < 3));
      // Batching does not change the result.
      assert.deepEqual([...predictVolume(model, image, { batchSize: 20 }).data], [...label.data]);
    } finally {
      model.net.dispose();
    }
  });

  test('finds NIfTI, HDF5 and PNG-slice cases in a folder', () => {
    const dir = join(tmp.dir, 'scan');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    for (const name of ['Case07_0_00.png', 'Case07_0_01.png', 'Case07_0_02.png', 'single.png']) {
      writeGrayPng(join(dir, name), 4, new Uint8Array(16));
    }
    writeFileSync(join(dir, 'brain_0000.nii.gz'), '');
    writeFileSync(join(dir, 'p1.h5'), '');
    writeFileSync(join(dir, 'notes.txt'), '');
    const cases = listPredictInputs(dir);
    assert.deepEqual(
      cases.map((c) => [c.id, c.format, c.paths.length]),
      [
        ['Case07', 'png', 3],
        ['brain', 'nifti', 1],
        ['p1', 'hdf5', 1],
        ['single', 'png', 1],
      ],
    );
    writeFileSync(join(dir, 'brain.nii'), '');
    assert.throws(() => listPredictInputs(dir), /case 'brain' comes from both/);
    assert.throws(() => listPredictInputs(join(dir, 'sub')), /no \.nii, \.nii\.gz, \.h5/);
    assert.throws(() => listPredictInputs(join(dir, 'absent')), /no such file or folder/);
    // A PNG-slice data set root: its Img/ folder.
    const root = join(tmp.dir, 'promise');
    mkdirSync(join(root, 'Img'), { recursive: true });
    mkdirSync(join(root, 'GT'));
    writeFileSync(join(root, 'train.list'), 'Case01\n');
    writeGrayPng(join(root, 'Img', 'Case01_0_00.png'), 4, new Uint8Array(16));
    writeGrayPng(join(root, 'GT', 'Case01_0_00.png'), 4, new Uint8Array(16));
    assert.deepEqual(
      listPredictInputs(root).map((c) => c.paths),
      [[join(root, 'Img', 'Case01_0_00.png')]],
    );
  });
});

describe('contraseg predict', () => {
  test('NIfTI in, uint8 .nii.gz out with the input shape and affine (checked with nibabel)', () => {
    const shape: [number, number, number] = [4, 44, 30];
    const spacing: [number, number, number] = [6, 1.4, 1.3];
    const input = join(tmp.dir, 'scan01.nii.gz');
    const image: Volume = {
      shape,
      data: discImage(shape, 9),
      spacing,
      affine: obliqueAffine(spacing),
      datatype: 'float32',
    };
    writeNifti(input, image);
    const out = join(tmp.dir, 'out-nifti');
    const r = cli([
      'predict',
      '--model',
      spacingModel,
      '--input',
      input,
      '--output',
      out,
      '--threads',
      '1',
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /predicted 1 case\(s\), 4 slice\(s\)/);
    const output = join(out, 'scan01.nii.gz');
    const check = python(
      `import sys, json, nibabel as nib, numpy as np
a, b = nib.load(sys.argv[1]), nib.load(sys.argv[2])
print(json.dumps({'shape': [list(a.shape), list(b.shape)], 'dtype': str(b.get_data_dtype()),
  'affine': float(np.abs(a.affine - b.affine).max()), 'labels': sorted(np.unique(np.asarray(b.dataobj)).tolist())}))`,
      [input, output],
    );
    const info = JSON.parse(check) as {
      shape: number[][];
      dtype: string;
      affine: number;
      labels: number[];
    };
    assert.deepEqual(info.shape, [
      [30, 44, 4],
      [30, 44, 4],
    ]);
    assert.equal(info.dtype, 'uint8');
    assert.equal(info.affine, 0);
    assert.ok(info.labels.every((l) => l >= 0 && l < 3));
    // The file holds what predictVolume gives for the volume as read back.
    const model = loadModel(spacingModel);
    try {
      const expected = predictVolume(model, readNifti(input));
      assert.deepEqual([...readNifti(output).data], [...expected.data]);
    } finally {
      model.net.dispose();
    }
  });
});
