import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/method/config.js';
import { runPipeline } from '../../src/method/run.js';
import { pseudoLabelQuality } from '../../src/method/diagnose.js';
import { labeledPool } from '../../src/method/pools.js';
import { makePreprocessor, openDataset } from '../../src/method/setup.js';
import { pseudoLabelFile } from '../../src/method/run-dir.js';
import { tinyConfig } from './tiny-config.js';

test('diagnose pseudo-labels scores every saved round against the withheld labels', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'diagnose-'));
  try {
    const cfg = parseConfig({ ...tinyConfig, methods: ['self-training', 'proposed', 'fixmatch'] });
    await runPipeline(cfg, { dir, methods: ['baseline', 'self-training', 'proposed'] });
    const q = await pseudoLabelQuality(dir);
    assert.deepEqual(
      q.map((r) => [r.stage, r.round]),
      [
        ['self-training, proposed', 0],
        ['self-training', 1],
        ['proposed', 1],
      ],
    );
    for (const r of q) assert.ok(r.perClass.every((d) => d >= 0 && d <= 1));
    const largest = await pseudoLabelQuality(dir, { keepLargest: true });
    assert.deepEqual(
      largest.map((r) => r.stage),
      q.flatMap((r) => [r.stage, `${r.stage}, largest component`]),
    );
    largest.forEach((r, i) => {
      if (i % 2 === 0) assert.deepEqual(r, q[i / 2], 'the saved files score as before');
      else assert.ok(r.allClassSlices <= largest[i - 1].allClassSlices, 'pixels only removed');
    });
    const withArgmax = await pseudoLabelQuality(dir, { argmax: true });
    assert.equal(withArgmax.length, 4);
    const plain = withArgmax[3];
    assert.equal(plain.stage, 'argmax without CRF');
    assert.ok(plain.perClass.every((d) => d >= 0 && d <= 1));

    // CRF settings scored from the same checkpoint in one pass: the run's own CRF (in px or in
    // mm: 6 mm pixels) reproduces the saved round-0 file; other settings give other labels.
    const swept = await pseudoLabelQuality(dir, {
      argmax: true,
      saved: false,
      settings: [
        { crf: [0.01, 0.5, 10, 3, 30, 3] },
        { crf: [0.06, 0.5, 10, 18, 30, 3], units: 'mm' },
        { crf: [0.0003, 0.5, 10, 0.0625, 10, 3], units: 'fov' },
      ],
    });
    assert.deepEqual(
      swept.map((r) => r.stage),
      [
        'argmax without CRF',
        'CRF [0.01, 0.5, 10, 3, 30, 3] px',
        'CRF [0.06, 0.5, 10, 18, 30, 3] mm',
        'CRF [0.0003, 0.5, 10, 0.0625, 10, 3] fov',
      ],
    );
    const strip = ({ perClass, dice, allClassSlices }: (typeof q)[number]) => ({
      perClass,
      dice,
      allClassSlices,
    });
    assert.deepEqual(strip(swept[0]), strip(plain));
    assert.deepEqual(strip(swept[1]), strip(q[0]));
    assert.deepEqual(strip(swept[2]), strip(q[0]));
    for (const r of swept) assert.ok(r.allClassSlices >= 0 && r.allClassSlices <= 1);
    await assert.rejects(
      pseudoLabelQuality(dir, { settings: [{ crf: [0.01, 0.5, 10, 3, 30, 3], units: 'mm' }] }).then(
        () => pseudoLabelQuality(dir, { settings: [{ crf: [1, 2, 3, 0, 5, 6] }] }),
      ),
      /standard deviations/,
    );

    // The withheld labels themselves score Dice 1; a file of the wrong size is an InputError.
    const dataset = await openDataset(cfg);
    const classes = dataset.classNames.length;
    const truth = labeledPool(await dataset.withheldLabels!(), makePreprocessor(cfg), classes);
    const round1 = pseudoLabelFile(dir, 'proposed', 1);
    writeFileSync(round1, truth.labels as Uint8Array);
    const perfect = (await pseudoLabelQuality(dir)).find((r) => r.stage === 'proposed');
    assert.deepEqual(perfect?.perClass, Array(classes - 1).fill(1));
    writeFileSync(round1, new Uint8Array(10));
    await assert.rejects(
      pseudoLabelQuality(dir),
      /round1-pseudo-labels\.bin: pseudo-labels do not match/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
