import assert from 'node:assert/strict';
import { copyFileSync, cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { AcdcH5Dataset } from '../../src/data/acdc-h5.js';
import { InputError } from '../../src/errors.js';
import { readHdf5 } from '../../src/io/hdf5.js';
import { sharedDataDir, skipWithoutData } from '../helpers/shared-data.js';
import { FIXTURES, tempDir } from '../io/fixtures.js';

const MINI = join(FIXTURES, 'acdc-mini');
const sliceOrder = readFileSync(join(MINI, 'train_slices.list'), 'utf8').trim().split('\n');
const tmp = tempDir();
after(tmp.cleanup);

/** A copy of the mini data set to break; `name` keeps copies apart. */
function copyMini(name: string): string {
  const root = join(tmp.dir, name);
  cpSync(MINI, root, { recursive: true });
  return root;
}

/** Volumes of slice names in order of first appearance. */
const volumesOf = (slices: string[]) => [
  ...new Set(slices.map((s) => s.replace(/_slice_\d+$/, ''))),
];
const depth = (cases: Array<{ image: { shape: number[] } }>) =>
  cases.reduce((n, c) => n + c.image.shape[0], 0);

test('1 labeled patient: its slices of both frames stacked into volumes; the rest unlabeled', async () => {
  const ds = AcdcH5Dataset.open({ root: MINI, labeledPatients: 1 });
  assert.deepEqual(ds.classNames, ['background', 'RV', 'Myo', 'LV']);
  const labeled = await ds.labeledTrain();
  const unlabeled = await ds.unlabeledTrain();
  const first = sliceOrder.filter((s) => s.startsWith('patient007_'));
  assert.deepEqual(
    labeled.map((c) => c.id),
    ['patient007_frame01', 'patient007_frame02'],
  );
  assert.equal(depth(labeled), 4);
  assert.deepEqual(
    unlabeled.map((c) => c.id),
    volumesOf(sliceOrder.filter((s) => !first.includes(s))),
  );
  for (const c of labeled) {
    assert.deepEqual(c.image.shape, [2, 6, 5]);
    assert.ok(c.image.data instanceof Float32Array);
    assert.ok(c.label.data instanceof Uint8Array && c.label.data.every((v) => v < 4));
  }
  assert.ok(unlabeled.every((c) => !('label' in c)));
  const val = await ds.validation();
  assert.deepEqual(
    val.map((c) => [c.id, c.image.shape]),
    [
      ['patient010_frame01', [2, 6, 5]],
      ['patient010_frame02', [2, 6, 5]],
    ],
  );
  assert.deepEqual(await ds.test(), []);
});

test('all patients labeled by default; a test list may be any list file', async () => {
  const ds = AcdcH5Dataset.open({ root: MINI, testList: join(MINI, 'val.list') });
  assert.equal(depth(await ds.labeledTrain()), 14);
  assert.equal((await ds.unlabeledTrain()).length, 0);
  assert.deepEqual(
    (await ds.test()).map((c) => c.id),
    ['patient010_frame01', 'patient010_frame02'],
  );
});

test('labeledPatients must be an integer in 1..patients', () => {
  for (const n of [0, 4, 1.5]) {
    assert.throws(
      () => AcdcH5Dataset.open({ root: MINI, labeledPatients: n }),
      /labeledPatients: must be an integer in 1\.\.3/,
    );
  }
});

test('missing listed file, empty list, unknown volume', () => {
  const root = copyMini('missing');
  rmSync(join(root, 'data', 'slices', 'patient003_frame02_slice_1.h5'));
  assert.throws(
    () => AcdcH5Dataset.open({ root }),
    (err: unknown) =>
      err instanceof InputError &&
      err.message.includes('train_slices.list: names ') &&
      err.message.includes('patient003_frame02_slice_1.h5, which does not exist'),
  );
  const empty = copyMini('empty');
  writeFileSync(join(empty, 'val.list'), '\n\n');
  assert.throws(() => AcdcH5Dataset.open({ root: empty }), /val\.list: the list names no cases/);
  const stray = copyMini('stray');
  writeFileSync(
    join(stray, 'train_slices.list'),
    `${sliceOrder.join('\n')}\npatient099_frame01_slice_1\n`,
  );
  assert.throws(() => AcdcH5Dataset.open({ root: stray }), /which train\.list does not list/);
  assert.throws(
    () => AcdcH5Dataset.open({ root: join(tmp.dir, 'nowhere') }),
    /cannot read list: ENOENT/,
  );
});

test('unlabeled slices are read without their label', async () => {
  const root = copyMini('no-label');
  // Both slices of one volume, so that they stack (the fixture is 4×5).
  for (const slice of sliceOrder.filter((s) => s.startsWith('patient005_frame02_'))) {
    copyFileSync(
      join(FIXTURES, 'h5', 'image_only.h5'),
      join(root, 'data', 'slices', `${slice}.h5`),
    );
  }
  const semi = AcdcH5Dataset.open({ root, labeledPatients: 2 });
  assert.equal(depth(await semi.unlabeledTrain()), 4);
  await assert.rejects(AcdcH5Dataset.open({ root }).labeledTrain(), /no dataset 'label'/);
});

test('bad label values, shape mismatch and NaN are InputErrors naming the file', async () => {
  const cases: Array<[string, RegExp]> = [
    ['bad_label.h5', /label value 7 at index 6 is outside the class range 0\.\.3/],
    ['mismatch.h5', /image\/label shape mismatch: image 1x4x5, label 1x4x6/],
    ['nan.h5', /non-finite voxel value NaN/],
  ];
  for (const [fixture, pattern] of cases) {
    const root = copyMini(fixture);
    const path = join(root, 'data', 'patient010_frame02.h5');
    copyFileSync(join(FIXTURES, 'h5', fixture), path);
    await assert.rejects(
      AcdcH5Dataset.open({ root }).validation(),
      (err: unknown) =>
        err instanceof InputError && err.message.startsWith(path) && pattern.test(err.message),
    );
  }
});

test(
  'real ACDC: 3 labeled patients = 68 slices, 7 = 136 (SSL4MIS)',
  { skip: skipWithoutData('ACDC') },
  async () => {
    const root = join(sharedDataDir()!, 'ACDC');
    for (const [patients, slices] of [
      [3, 68],
      [7, 136],
    ]) {
      const ds = AcdcH5Dataset.open({ root, labeledPatients: patients });
      const labeled = await ds.labeledTrain();
      assert.equal(depth(labeled), slices);
      const head = readFileSync(join(root, 'train_slices.list'), 'utf8')
        .split('\n')
        .slice(0, slices);
      assert.deepEqual(
        labeled.map((c) => c.id),
        volumesOf(head),
      );
    }
  },
);

test('withheld labels: the unlabeled slices with their labels, in unlabeledTrain order', async () => {
  const ds = AcdcH5Dataset.open({ root: MINI, labeledPatients: 1 });
  const unlabeled = await ds.unlabeledTrain();
  const withheld = await ds.withheldLabels();
  assert.deepEqual(
    withheld.map((c) => c.id),
    unlabeled.map((c) => c.id),
  );
  for (let i = 0; i < withheld.length; i++) {
    assert.deepEqual(withheld[i].image.data, unlabeled[i].image.data);
    assert.ok(withheld[i].label.data.every((v) => v < 4));
  }
  assert.ok(withheld.some((c) => c.label.data.some((v) => v > 0)));
});

test('stacked slices are in index order; a slice of another size is an InputError', async () => {
  const ds = AcdcH5Dataset.open({ root: MINI, labeledPatients: 3 });
  const volume = (await ds.labeledTrain()).find((c) => c.id === 'patient003_frame01')!;
  assert.deepEqual(volume.image.shape, [3, 6, 5]);
  for (let k = 0; k < 3; k++) {
    const path = join(MINI, 'data', 'slices', `patient003_frame01_slice_${k}.h5`);
    const image = (await readHdf5(path, ['image'])).get('image')!;
    assert.deepEqual(volume.image.data.subarray(k * 30, (k + 1) * 30), image.data);
  }
  const root = copyMini('odd-size');
  const odd = join(root, 'data', 'slices', 'patient003_frame01_slice_1.h5');
  copyFileSync(join(FIXTURES, 'h5', 'slice.h5'), odd);
  await assert.rejects(
    AcdcH5Dataset.open({ root, labeledPatients: 3 }).labeledTrain(),
    (err: unknown) =>
      err instanceof InputError &&
      err.message.startsWith(odd) &&
      /does not stack with \[1,6,5\]/.test(err.message),
  );
});
