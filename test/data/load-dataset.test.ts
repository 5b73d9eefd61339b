import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { detectDataset, loadDataset } from '../../src/data/index.js';
import { FIXTURES } from '../io/fixtures.js';

test('loadDataset opens each kind', async () => {
  const acdc = await loadDataset({
    kind: 'acdc-h5',
    root: join(FIXTURES, 'acdc-mini'),
    labeledPatients: 2,
  });
  assert.equal(acdc.name, 'acdc');
  const labeled = await acdc.labeledTrain();
  assert.equal(labeled.length, 4); // 2 patients × 2 frames, 10 slices
  assert.equal(
    labeled.reduce((n, c) => n + c.image.shape[0], 0),
    10,
  );
  const png = await loadDataset({
    kind: 'png-slices',
    root: join(FIXTURES, 'promise-mini'),
    labeledCases: 1,
  });
  assert.equal((await png.unlabeledTrain()).length, 2);
  const phantom = await loadDataset({
    kind: 'phantom',
    labeledVolumes: 1,
    unlabeledVolumes: 1,
    validationVolumes: 1,
    testVolumes: 1,
    slices: 2,
    size: 32,
  });
  assert.equal((await phantom.validation()).length, 1);
  await assert.rejects(
    loadDataset({ kind: 'nifti', root: join(FIXTURES, 'nowhere') }),
    /dataset\.json: cannot read/,
  );
});

test('detectDataset recognises the layouts', () => {
  assert.deepEqual(detectDataset(join(FIXTURES, 'acdc-mini')), {
    kind: 'acdc-h5',
    root: join(FIXTURES, 'acdc-mini'),
  });
  assert.equal(detectDataset(join(FIXTURES, 'promise-mini'))?.kind, 'png-slices');
  assert.equal(detectDataset(join(FIXTURES, 'nifti')), null);
});
