import assert from 'node:assert/strict';
import { cpSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { PNG } from 'pngjs';
import { PngSlicesDataset } from '../../src/data/png-slices.js';
import { InputError } from '../../src/errors.js';
import { sharedDataDir, skipWithoutData } from '../helpers/shared-data.js';
import { FIXTURES, tempDir } from '../io/fixtures.js';

const MINI = join(FIXTURES, 'promise-mini');
const tmp = tempDir();
after(tmp.cleanup);

function copyMini(name: string): string {
  const root = join(tmp.dir, name);
  cpSync(MINI, root, { recursive: true });
  return root;
}

/** Gray values of a PNG slice, via pngjs directly. */
function pngValues(path: string): number[] {
  const { data } = PNG.sync.read(readFileSync(path));
  return [...data].filter((_, i) => i % 4 === 0);
}

test('first N of train.list labeled, the rest unlabeled; slices stack in SS order', async () => {
  const ds = PngSlicesDataset.open({ root: MINI, labeledCases: 2 });
  assert.deepEqual(ds.classNames, ['background', 'prostate']);
  const labeled = await ds.labeledTrain();
  const unlabeled = await ds.unlabeledTrain();
  const val = await ds.validation();
  assert.deepEqual(
    labeled.map((c) => [c.id, c.image.shape]),
    [
      ['Case00', [3, 16, 16]],
      ['Case01', [2, 16, 16]],
    ],
  );
  assert.deepEqual(
    unlabeled.map((c) => [c.id, c.image.shape, 'label' in c]),
    [['Case02', [4, 16, 16], false]],
  );
  assert.deepEqual(
    val.map((c) => c.id),
    ['Case03'],
  );
  assert.deepEqual(await ds.test(), []);
  const c = labeled[0];
  const slice1 = pngValues(join(MINI, 'Img', 'Case00_0_01.png'));
  assert.deepEqual(
    [...c.image.data.subarray(256, 512)],
    slice1.map((v) => Math.fround(v / 255)),
  );
  const gt2 = pngValues(join(MINI, 'GT', 'Case00_0_02.png'));
  assert.deepEqual(
    [...c.label.data.subarray(512, 768)],
    gt2.map((v) => v / 255),
  );
  assert.ok(c.image.data instanceof Float32Array && c.label.data instanceof Uint8Array);
});

test('labeledCases must be in 1..train cases; an explicit test list works', async () => {
  assert.throws(() => PngSlicesDataset.open({ root: MINI, labeledCases: 4 }), /labeledCases/);
  const ds = PngSlicesDataset.open({ root: MINI, testList: join(MINI, 'val.list') });
  assert.equal((await ds.labeledTrain()).length, 3);
  assert.deepEqual(
    (await ds.test()).map((c) => c.id),
    ['Case03'],
  );
});

test('a listed case without slices, a slice gap and a missing label are rejected', () => {
  const unknown = copyMini('unknown');
  writeFileSync(join(unknown, 'val.list'), 'Case03\nCase09\n');
  assert.throws(
    () => PngSlicesDataset.open({ root: unknown }),
    /val\.list: names case Case09, which has no slices/,
  );
  const gap = copyMini('gap');
  renameSync(join(gap, 'Img', 'Case02_0_01.png'), join(gap, 'Img', 'Case02_0_07.png'));
  assert.throws(() => PngSlicesDataset.open({ root: gap }), /case Case02 has no slice 1/);
  const nolabel = copyMini('nolabel');
  renameSync(join(nolabel, 'GT', 'Case01_0_00.png'), join(nolabel, 'GT', 'x.png'));
  assert.throws(
    () => PngSlicesDataset.open({ root: nolabel }),
    /GT: no label for image Case01_0_00\.png/,
  );
});

test('label values other than 0 and 255 are rejected naming the slice', async () => {
  const root = copyMini('values');
  const png = new PNG({ width: 16, height: 16 });
  png.data = Buffer.alloc(256, 128);
  const path = join(root, 'GT', 'Case03_0_01.png');
  writeFileSync(
    path,
    PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false }),
  );
  await assert.rejects(
    PngSlicesDataset.open({ root }).validation(),
    (err: unknown) =>
      err instanceof InputError && err.message === `${path}: label value 128 is neither 0 nor 255`,
  );
});

test(
  'real PROMISE12: 30 training and 10 validation cases of 256x256 slices',
  { skip: skipWithoutData('PROMISE12') },
  async () => {
    const ds = PngSlicesDataset.open({
      root: join(sharedDataDir()!, 'PROMISE12'),
      labeledCases: 3,
    });
    const val = await ds.validation();
    assert.equal(val.length, 10);
    for (const c of val) {
      assert.ok(c.image.shape[0] >= 15 && c.image.shape[0] <= 54);
      assert.deepEqual(c.image.shape.slice(1), [256, 256]);
      assert.ok(c.label.data.some((v) => v === 1));
    }
    assert.equal((await ds.labeledTrain()).length, 3);
  },
);

test('withheld labels: the unlabeled cases with their labels, for diagnosis only', async () => {
  const ds = PngSlicesDataset.open({ root: MINI, labeledCases: 2 });
  const unlabeled = await ds.unlabeledTrain();
  const withheld = await ds.withheldLabels();
  assert.deepEqual(
    withheld.map((c) => c.id),
    unlabeled.map((c) => c.id),
  );
  assert.deepEqual(withheld[0].image.data, unlabeled[0].image.data);
  assert.deepEqual(withheld[0].label.shape, [4, 16, 16]);
  const gray = pngValues(join(MINI, 'GT', 'Case02_0_00.png'));
  assert.deepEqual(
    Array.from(withheld[0].label.data.subarray(0, 256)),
    gray.map((v) => (v === 255 ? 1 : 0)),
  );
});
