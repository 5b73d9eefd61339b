import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { NiftiFolderDataset } from '../../src/data/nifti-folder.js';
import { InputError } from '../../src/errors.js';
import { writeNifti } from '../../src/io/nifti.js';
import type { Volume } from '../../src/io/volume.js';
import { tempDir } from '../io/fixtures.js';

const tmp = tempDir();
after(tmp.cleanup);

function volume(seed: number, shape: [number, number, number], labels = 0): Volume {
  const n = shape[0] * shape[1] * shape[2];
  const data = labels
    ? Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) % labels)
    : Float32Array.from({ length: n }, (_, i) => Math.sin(i + seed) * 100);
  const affine = [1.5, 0, 0, seed, 0, 1.5, 0, 0, 0, 0, 3, 0, 0, 0, 0, 1];
  return { shape, data, spacing: [3, 1.5, 1.5], affine, datatype: labels ? 'uint8' : 'float32' };
}

/** An MSD folder: cases la_001..la_00n in "training", images without the _0000 suffix. */
function msdFolder(name: string, n: number): string {
  const root = join(tmp.dir, name);
  const training = [];
  for (let i = 1; i <= n; i++) {
    const id = `la_00${i}`;
    writeNifti(join(root, 'imagesTr', `${id}.nii.gz`), volume(i, [2, 3, 4]));
    writeNifti(join(root, 'labelsTr', `${id}.nii.gz`), volume(i, [2, 3, 4], 3));
    training.push({ image: `./imagesTr/${id}.nii.gz`, label: `./labelsTr/${id}.nii.gz` });
  }
  const json = {
    name: 'Task02_Heart',
    labels: { '0': 'background', '1': 'atrium', '2': 'wall' },
    modality: { '0': 'MRI' },
    training,
  };
  writeFileSync(join(root, 'dataset.json'), JSON.stringify(json));
  return root;
}

/** An nnU-Net v2 folder: imagesTr/<id>_0000.nii, labelsTr/<id>.nii, labelsTs/ for testing. */
function nnunetFolder(name: string): string {
  const root = join(tmp.dir, name);
  for (const id of ['c3', 'c1', 'c2']) {
    writeNifti(join(root, 'imagesTr', `${id}_0000.nii`), volume(1, [1, 4, 4]));
    writeNifti(join(root, 'labelsTr', `${id}.nii`), volume(2, [1, 4, 4], 2));
  }
  writeNifti(join(root, 'imagesTs', 't1_0000.nii'), volume(3, [1, 4, 4]));
  writeNifti(join(root, 'labelsTs', 't1.nii'), volume(4, [1, 4, 4], 2));
  writeNifti(join(root, 'imagesTs', 't2.nii'), volume(3, [1, 4, 4]));
  const json = {
    labels: { background: 0, tumour: 1 },
    channel_names: { '0': 'CT' },
    file_ending: '.nii',
    numTraining: 3,
  };
  writeFileSync(join(root, 'dataset.json'), JSON.stringify(json));
  return root;
}

test('MSD layout: last 20% (at least 1) validate, first labeledCount of the rest are labeled', async () => {
  const root = msdFolder('msd', 5);
  const ds = NiftiFolderDataset.open({ root, labeledCount: 2 });
  assert.equal(ds.name, 'Task02_Heart');
  assert.deepEqual(ds.classNames, ['background', 'atrium', 'wall']);
  const ids = async (p: Promise<Array<{ id: string }>>) => (await p).map((c) => c.id);
  assert.deepEqual(await ids(ds.labeledTrain()), ['la_001', 'la_002']);
  assert.deepEqual(await ids(ds.unlabeledTrain()), ['la_003', 'la_004']);
  assert.deepEqual(await ids(ds.validation()), ['la_005']);
  assert.deepEqual(await ds.test(), []);
  const [first] = await ds.labeledTrain();
  assert.deepEqual(first.image, volume(1, [2, 3, 4]));
  assert.deepEqual(first.label.data, volume(1, [2, 3, 4], 3).data);
  assert.ok((await ds.unlabeledTrain()).every((c) => !('label' in c)));
});

test('explicit validation cases and valFraction 0', async () => {
  const root = msdFolder('msd-val', 4);
  const ids = async (p: Promise<Array<{ id: string }>>) => (await p).map((c) => c.id);
  const ds = NiftiFolderDataset.open({ root, valCases: ['la_002'] });
  assert.deepEqual(await ids(ds.validation()), ['la_002']);
  assert.deepEqual(await ids(ds.labeledTrain()), ['la_001', 'la_003', 'la_004']);
  assert.equal((await NiftiFolderDataset.open({ root, valFraction: 0 }).validation()).length, 0);
  assert.throws(
    () => NiftiFolderDataset.open({ root, valCases: ['nope'] }),
    /valCases: unknown case nope/,
  );
  assert.throws(() => NiftiFolderDataset.open({ root, valFraction: 1 }), /valFraction/);
  assert.throws(
    () => NiftiFolderDataset.open({ root, labeledCount: 4 }),
    /labeledCount: must be an integer in 1\.\.3/,
  );
});

test('nnU-Net v2 layout: _0000 channel files, labels by name, labelsTs as test set', async () => {
  const root = nnunetFolder('v2');
  const ds = NiftiFolderDataset.open({ root, valFraction: 0.34 });
  assert.deepEqual(ds.classNames, ['background', 'tumour']);
  assert.deepEqual(
    (await ds.labeledTrain()).map((c) => c.id),
    ['c1', 'c2'],
  );
  assert.deepEqual(
    (await ds.validation()).map((c) => c.id),
    ['c3'],
  );
  const tests = await ds.test();
  assert.deepEqual(
    tests.map((c) => [c.id, c.image.shape]),
    [['t1', [1, 4, 4]]],
  );
});

test('images of imagesTr/ without a label are unlabeled scans, after the unused labeled cases', async () => {
  const ids = async (p: Promise<Array<{ id: string }>>) => (await p).map((c) => c.id);
  // MSD: three labeled cases in dataset.json, two more scans beside them and a macOS ._ copy.
  const msd = msdFolder('msd-unlabeled', 3);
  writeNifti(join(msd, 'imagesTr', 'la_009.nii.gz'), volume(9, [2, 3, 4]));
  writeNifti(join(msd, 'imagesTr', 'la_000.nii.gz'), volume(8, [2, 3, 4]));
  writeFileSync(join(msd, 'imagesTr', '._la_001.nii.gz'), 'AppleDouble');
  const ds = NiftiFolderDataset.open({ root: msd, labeledCount: 1 });
  assert.deepEqual(await ids(ds.labeledTrain()), ['la_001']);
  assert.deepEqual(await ids(ds.validation()), ['la_003']);
  assert.deepEqual(await ids(ds.unlabeledTrain()), ['la_002', 'la_000', 'la_009']);
  assert.deepEqual((await ds.unlabeledTrain())[2].image, volume(9, [2, 3, 4]));
  // nnU-Net v2: an imagesTr/<id>_0000 file without labelsTr/<id>.
  const v2 = nnunetFolder('v2-unlabeled');
  writeNifti(join(v2, 'imagesTr', 'u1_0000.nii'), volume(5, [1, 4, 4]));
  const ds2 = NiftiFolderDataset.open({ root: v2, valFraction: 0.34 });
  assert.deepEqual(await ids(ds2.labeledTrain()), ['c1', 'c2']);
  assert.deepEqual(await ids(ds2.validation()), ['c3']);
  assert.deepEqual(await ids(ds2.unlabeledTrain()), ['u1']);
});

test('invalid folders are InputErrors', () => {
  const multi = msdFolder('multi', 2);
  writeFileSync(
    join(multi, 'dataset.json'),
    JSON.stringify({
      labels: { '0': 'bg', '1': 'a' },
      modality: { '0': 'FLAIR', '1': 'T1w' },
      training: [],
    }),
  );
  assert.throws(
    () => NiftiFolderDataset.open({ root: multi }),
    /multi-channel data sets are not supported/,
  );
  const gaps = msdFolder('gaps', 2);
  writeFileSync(join(gaps, 'dataset.json'), JSON.stringify({ labels: { '0': 'bg', '2': 'a' } }));
  assert.throws(
    () => NiftiFolderDataset.open({ root: gaps }),
    /labels must number the classes 0\.\.C-1/,
  );
  writeFileSync(join(gaps, 'dataset.json'), '{"labels": 3}');
  assert.throws(() => NiftiFolderDataset.open({ root: gaps }), /dataset\.json: labels: /);
  const v2 = nnunetFolder('no-labels');
  rmSync(join(v2, 'labelsTr'), { recursive: true });
  assert.throws(() => NiftiFolderDataset.open({ root: v2 }), /labelsTr: cannot list: ENOENT/);
  const missing = msdFolder('missing', 3);
  rmSync(join(missing, 'labelsTr', 'la_002.nii.gz'));
  assert.throws(
    () => NiftiFolderDataset.open({ root: missing }),
    /dataset\.json: names .*la_002\.nii\.gz, which does not exist/,
  );
});

test('label values outside the classes and shape mismatches name the label file', async () => {
  const root = msdFolder('values', 3);
  const path = join(root, 'labelsTr', 'la_003.nii.gz');
  writeNifti(path, volume(1, [2, 3, 4], 5));
  await assert.rejects(
    NiftiFolderDataset.open({ root }).validation(),
    (err: unknown) => err instanceof InputError && err.message.startsWith(`${path}: label value 3`),
  );
  writeNifti(path, volume(1, [2, 3, 5], 3));
  await assert.rejects(
    NiftiFolderDataset.open({ root }).validation(),
    /image\/label shape mismatch: image 2x3x4, label 2x3x5/,
  );
});
