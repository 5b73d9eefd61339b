import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { AcdcH5Dataset } from '../../src/data/acdc-h5.js';
import { sharedDataDir, skipWithoutData } from '../helpers/shared-data.js';

// The load time is measured by `contraseg bench timings acdc-load` (bench/timings.ts).
test(
  'real ACDC: all 1312 training slices and 20 validation volumes load',
  { skip: skipWithoutData('ACDC') },
  async () => {
    const ds = AcdcH5Dataset.open({ root: join(sharedDataDir()!, 'ACDC'), labeledPatients: 3 });
    const [labeled, unlabeled, val] = [
      await ds.labeledTrain(),
      await ds.unlabeledTrain(),
      await ds.validation(),
    ];
    const slices = (cases: typeof unlabeled) => cases.reduce((n, c) => n + c.image.shape[0], 0);
    assert.equal(slices(labeled), 68);
    assert.equal(labeled.length, 6); // 3 patients, 2 frames
    assert.equal(slices(labeled) + slices(unlabeled), 1312);
    assert.equal(val.length, 20);
    for (const c of val) {
      assert.ok(c.image.shape[0] >= 8 && c.image.shape[0] <= 16, `${c.id} depth`);
      assert.deepEqual(c.label.shape, c.image.shape);
    }
  },
);
