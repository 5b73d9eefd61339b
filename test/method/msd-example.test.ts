// configs/msd-example.json, the README's starting point for one's own data, trains end to end on
// an MSD folder (dataset.json, imagesTr/, labelsTr/) with only its paths and schedule shrunk.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { generatePhantomVolume } from '../../src/data/phantom.js';
import { writeNifti } from '../../src/io/nifti.js';
import { parseConfig } from '../../src/method/config.js';
import { runPipeline } from '../../src/method/run.js';
import { tempDir } from '../io/fixtures.js';

const tmp = tempDir();
after(tmp.cleanup);

/**
 * An MSD task folder of phantom volumes (4 slices of 64², 3 mm pixels): three cases with labels
 * in dataset.json, and three scans in imagesTr/ that nobody labeled.
 */
function msdFolder(root: string): void {
  const training = [];
  for (let i = 1; i <= 6; i++) {
    const id = `heart_00${i}`;
    const { image, label } = generatePhantomVolume(100 + i, 4, 64);
    writeNifti(join(root, 'imagesTr', `${id}.nii.gz`), image);
    if (i > 3) continue;
    writeNifti(join(root, 'labelsTr', `${id}.nii.gz`), label);
    training.push({ image: `./imagesTr/${id}.nii.gz`, label: `./labelsTr/${id}.nii.gz` });
  }
  const labels = { '0': 'background', '1': 'RV', '2': 'Myo', '3': 'LV' };
  writeFileSync(
    join(root, 'dataset.json'),
    JSON.stringify({ name: 'Phantom', labels, modality: { '0': 'MRI' }, training }),
  );
}

test('configs/msd-example.json trains on an MSD folder of 2 labeled cases and 3 unlabeled scans', async () => {
  const root = join(tmp.dir, 'Task99_Phantom');
  msdFolder(root);
  const example = JSON.parse(
    readFileSync(
      fileURLToPath(new URL('../../../configs/msd-example.json', import.meta.url)),
      'utf8',
    ),
  );
  const cfg = parseConfig({
    ...example,
    threads: 1,
    data: { ...example.data, root },
    preprocess: { ...example.preprocess, targetSpacing: [6, 6], cropSize: [32, 32] },
    model: { ...example.model, filters: [8, 16, 16], embeddingDim: 8 },
    baseline: { iterations: 8, handoff: 4, batchSize: 4, valEvery: 4, checkpointEvery: 4 },
    joint: {
      ...example.joint,
      iterationsPerRound: 3,
      segBatchSize: 2,
      pseudoSegBatchSize: 2,
      pairs: 2,
      valEvery: 3,
      checkpointEvery: 3,
    },
  });
  const dir = join(tmp.dir, 'run');
  const summary = await runPipeline(cfg, { dir });
  assert.deepEqual(summary.classNames, ['background', 'RV', 'Myo', 'LV']);
  assert.deepEqual(
    summary.results.map((r) => r.method),
    ['baseline', 'proposed'],
  );
  for (const r of summary.results) {
    // valFraction 0.2 of the three labeled cases: one validation volume; no labelsTs/, no test set.
    assert.equal(r.validationMetrics.selected.volumes, 1);
    assert.ok(
      r.validation.dice >= 0 && r.validation.dice <= 1,
      `${r.method}: ${r.validation.dice}`,
    );
    assert.equal(r.test, null);
    assert.ok(existsSync(r.checkpoint), r.checkpoint);
  }
  // Three rounds of pseudo-labels of the unlabeled scans (round 0 from the handoff), every
  // proposed iteration trained.
  const proposed = summary.results[1];
  assert.ok(proposed.pseudoLabelSeconds > 0);
  assert.equal(proposed.skippedIterations, 0);
  // Round 0 labelled every slice of the three unlabeled scans (4 each).
  const round0 = JSON.parse(
    readFileSync(join(dir, 'baseline/round0-pseudo-labels.bin.json'), 'utf8'),
  ) as { active: number[] };
  assert.equal(round0.active.length, 12);
  for (const file of [
    'baseline/round0-pseudo-labels.bin',
    'proposed/round1-pseudo-labels.bin',
    'proposed/round2-pseudo-labels.bin',
    'summary.json',
  ])
    assert.ok(existsSync(join(dir, file)), file);
});
