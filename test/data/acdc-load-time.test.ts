import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { AcdcH5Dataset } from '../../src/data/acdc-h5.js';
import { sharedDataDir, skipWithoutData } from '../helpers/shared-data.js';

/** The budget is 20 s on an idle machine; the assertion allows for a shared, loaded one. */
const BUDGET_MS = 20_000;

test(
  'real ACDC: all 1312 training slices and 20 validation volumes load within the budget',
  { skip: skipWithoutData('ACDC') },
  async (t) => {
    const start = performance.now();
    const ds = AcdcH5Dataset.open({ root: join(sharedDataDir()!, 'ACDC'), labeledPatients: 3 });
    const [labeled, unlabeled, val] = [
      await ds.labeledTrain(),
      await ds.unlabeledTrain(),
      await ds.validation(),
    ];
    const ms = performance.now() - start;
    const slices = (cases: typeof unlabeled) => cases.reduce((n, c) => n + c.image.shape[0], 0);
    t.diagnostic(
      `ACDC load: ${slices(labeled)} + ${slices(unlabeled)} slices, ${val.length} volumes in ${ms.toFixed(0)} ms`,
    );
    assert.equal(slices(labeled), 68);
    assert.equal(labeled.length, 6); // 3 patients, 2 frames
    assert.equal(slices(labeled) + slices(unlabeled), 1312);
    assert.equal(val.length, 20);
    for (const c of val) {
      assert.ok(c.image.shape[0] >= 8 && c.image.shape[0] <= 16, `${c.id} depth`);
      assert.deepEqual(c.label.shape, c.image.shape);
    }
    assert.ok(ms < 1.5 * BUDGET_MS, `took ${ms.toFixed(0)} ms`);
  },
);
