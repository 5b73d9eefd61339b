import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { summarizeVolumes } from '../../src/metrics/aggregate.js';
import { evaluateVolume, type VolumeMetrics } from '../../src/metrics/evaluate.js';
import { evaluatePredictionFolder } from '../../src/eval/evaluate-folder.js';
import { openGroundTruth } from '../../src/eval/ground-truth.js';
import { readNifti, writeNifti } from '../../src/io/nifti.js';
import type { Volume } from '../../src/io/volume.js';
import { cli, discImage, tempFolder, writeGrayPng, writeH5 } from './model-fixture.js';
import { jitter, paintEllipsoid, randomEllipsoid, rng } from '../metrics/synthetic.js';
import type { Spacing3 } from '../../src/metrics/edt.js';

const tmp = tempFolder('evaluate-test-');
after(tmp.cleanup);

const SHAPE: [number, number, number] = [5, 24, 20];
const SPACING: Spacing3 = [3, 1.25, 0.75];
const CASES = ['case_a', 'case_b', 'case_c'];
const gtDir = join(tmp.dir, 'gt');
const predDir = join(tmp.dir, 'pred');

/** GT: two ellipsoids (labels 1, 2); prediction: jittered copies, without label 2 in case_c. */
function labelMaps(seed: number, withClass2: boolean): [Uint8Array, Uint8Array] {
  const rand = rng(seed);
  const gt = new Uint8Array(SHAPE[0] * SHAPE[1] * SHAPE[2]);
  const pred = new Uint8Array(gt.length);
  for (const label of [1, 2]) {
    const e = randomEllipsoid(rand, SHAPE, SPACING);
    paintEllipsoid(gt, SHAPE, SPACING, e, label);
    if (label === 1 || withClass2)
      paintEllipsoid(pred, SHAPE, SPACING, jitter(rand, e, 0.3), label);
  }
  return [gt, pred];
}

const volume = (data: Uint8Array, spacing: Spacing3 | null, shape = SHAPE): Volume => ({
  shape,
  data,
  spacing,
  affine: spacing
    ? [spacing[2], 0, 0, 1, 0, spacing[1], 0, 2, 0, 0, spacing[0], 3, 0, 0, 0, 1]
    : null,
  datatype: 'uint8',
});

before(() => {
  CASES.forEach((id, k) => {
    const [gt, pred] = labelMaps(11 + k, id !== 'case_c');
    writeNifti(join(gtDir, `${id}.nii.gz`), volume(gt, SPACING));
    writeNifti(join(predDir, `${id}.nii.gz`), volume(pred, SPACING));
  });
});

/** Parses the metrics CSV (no quoted fields here) into records. */
function readCsv(path: string): Array<Record<string, string>> {
  const [head, ...rows] = readFileSync(path, 'utf8').trim().split('\n');
  const keys = head.split(',');
  return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [keys[i], v])));
}

const same = (csv: string, value: number) =>
  Number.isNaN(value) ? csv === 'NaN' : Number(csv) === value;
const jsonSame = (json: number | null, value: number) =>
  Number.isNaN(value) ? json === null : json === value;

describe('contraseg evaluate', () => {
  test('a folder of NIfTI label maps: CSV rows and JSON summary agree with evaluateVolume', () => {
    const out = join(tmp.dir, 'nifti-metrics.csv');
    const r = cli(['evaluate', '--pred', predDir, '--gt', gtDir, '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /3 volume\(s\); HD95 and ASSD in mm/);
    const expected: VolumeMetrics[] = CASES.map((id) => {
      const gt = readNifti(join(gtDir, `${id}.nii.gz`));
      const pred = readNifti(join(predDir, `${id}.nii.gz`));
      return evaluateVolume(pred, gt, 3, gt.spacing);
    });
    const rows = readCsv(out);
    assert.equal(rows.length, 6);
    rows.forEach((row, i) => {
      const m = expected[Math.floor(i / 2)].classes[i % 2];
      assert.equal(row.volume, CASES[Math.floor(i / 2)]);
      assert.equal(Number(row.label), m.label);
      assert.equal(row.unit, 'mm');
      for (const k of ['dice', 'hd95', 'assd'] as const) {
        assert.ok(same(row[k], m[k]), `${row.volume} label ${m.label} ${k}: ${row[k]} vs ${m[k]}`);
      }
      assert.equal(Number(row.pred_voxels), m.predVoxels);
      assert.equal(Number(row.gt_voxels), m.gtVoxels);
    });
    assert.ok(Number.isNaN(expected[2].classes[1].hd95), 'case_c has an empty class-2 prediction');

    const json = JSON.parse(readFileSync(join(tmp.dir, 'nifti-metrics.json'), 'utf8'));
    const want = summarizeVolumes(expected);
    assert.equal(json.unit, 'mm');
    assert.equal(json.volumes, 3);
    assert.equal(json.numClasses, 3);
    assert.deepEqual(json.cases, CASES);
    type Stats = {
      mean: number | null;
      std: number | null;
      median: number | null;
      n: number;
      nanCount: number;
    };
    const check = (got: Record<string, Stats>, w: (typeof want)['overall'], what: string) => {
      for (const k of ['dice', 'hd95', 'assd'] as const) {
        for (const s of ['mean', 'std', 'median'] as const) {
          assert.ok(jsonSame(got[k][s], w[k][s]), `${what} ${k} ${s}: ${got[k][s]} vs ${w[k][s]}`);
        }
        assert.equal(got[k].n, w[k].n);
        assert.equal(got[k].nanCount, w[k].nanCount);
      }
    };
    want.perClass.forEach((c, i) => {
      assert.equal(json.perClass[i].label, c.label);
      check(json.perClass[i], c, `class ${c.label}`);
    });
    check(json.overall, want.overall, 'overall');
    assert.equal(json.perClass[1].hd95.nanCount, 1);
    assert.equal(json.overall.assd.nanCount, 1);
  });

  test('an SSL4MIS ACDC layout with --list, including a patient never used for training', () => {
    const root = join(tmp.dir, 'ACDC');
    mkdirSync(join(root, 'data', 'slices'), { recursive: true });
    writeFileSync(join(root, 'train.list'), 'patient001_frame01\n');
    writeFileSync(join(root, 'train_slices.list'), 'patient001_frame01_slice_0\n');
    writeFileSync(join(root, 'val.list'), 'patient002_frame01\n');
    const shape: [number, number, number] = [3, 16, 18];
    const ids = ['patient002_frame01', 'patient090_frame02'];
    const preds = join(tmp.dir, 'acdc-pred');
    const expected: VolumeMetrics[] = [];
    ids.forEach((id, k) => {
      const rand = rng(40 + k);
      const gt = new Uint8Array(3 * 16 * 18);
      const pred = new Uint8Array(gt.length);
      for (let i = 0; i < gt.length; i++) {
        gt[i] = Math.floor(rand() * 4);
        pred[i] = rand() < 0.7 ? gt[i] : Math.floor(rand() * 4);
      }
      writeH5(join(root, 'data', `${id}.h5`), shape, discImage(shape), gt);
      writeNifti(join(preds, `${id}.nii.gz`), volume(pred, null, shape));
      expected.push(evaluateVolume({ shape, data: pred }, { shape, data: gt }, 4, null));
    });
    const list = join(tmp.dir, 'acdc-eval.list');
    writeFileSync(list, ids.join('\n') + '\n');
    const out = join(tmp.dir, 'acdc.csv');
    const summary = join(tmp.dir, 'acdc-summary.json');
    const r = cli([
      'evaluate',
      '--pred',
      preds,
      '--gt',
      root,
      '--list',
      list,
      '--out',
      out,
      '--summary',
      summary,
    ]);
    assert.equal(r.status, 0, r.stderr);
    const rows = readCsv(out);
    assert.equal(rows.length, 6, 'three foreground classes (RV, Myo, LV) per volume');
    rows.forEach((row, i) => {
      const m = expected[Math.floor(i / 3)].classes[i % 3];
      assert.equal(row.unit, 'voxel');
      for (const k of ['dice', 'hd95', 'assd'] as const)
        assert.ok(same(row[k], m[k]), `${k} row ${i}`);
    });
    const json = JSON.parse(readFileSync(summary, 'utf8'));
    assert.deepEqual(json.classNames, ['background', 'RV', 'Myo', 'LV']);
    assert.equal(json.unit, 'voxel');
    assert.equal(json.perClass[2].name, 'LV');
    assert.ok(!existsSync(join(tmp.dir, 'acdc.json')), '--summary replaces the default path');
  });

  test('--keep-largest scores the largest-component post-processing and names the classes it helps', () => {
    // Predictions: the ground truth plus a distant stray voxel of class 1 in every case, so that
    // only class 1 gains from keeping its largest component.
    const strayDir = join(tmp.dir, 'stray');
    for (const id of CASES) {
      const gt = readNifti(join(gtDir, `${id}.nii.gz`));
      const data = Uint8Array.from(gt.data);
      assert.equal(data[0], 0, 'the corner is background');
      data[0] = 1;
      writeNifti(join(strayDir, `${id}.nii.gz`), { ...gt, data });
    }
    const out = join(tmp.dir, 'stray.csv');
    const r = cli(['evaluate', '--pred', strayDir, '--gt', gtDir, '--out', out, '--keep-largest']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /it raises the mean Dice of class 1: export the model with --keep-largest 1\n/,
    );
    const json = JSON.parse(readFileSync(join(tmp.dir, 'stray.json'), 'utf8'));
    assert.deepEqual(json.keepLargest.classes, [1]);
    assert.ok(json.perClass[0].dice.mean < 1);
    assert.equal(json.keepLargest.perClass[0].dice.mean, 1);
    assert.equal(json.keepLargest.perClass[1].dice.mean, json.perClass[1].dice.mean);
    assert.ok(json.keepLargest.perClass[0].hd95.mean < json.perClass[0].hd95.mean);
    const plain = cli(['evaluate', '--pred', strayDir, '--gt', gtDir, '--out', out]);
    assert.doesNotMatch(plain.stdout, /largest/);
    assert.equal(
      JSON.parse(readFileSync(join(tmp.dir, 'stray.json'), 'utf8')).keepLargest,
      undefined,
    );
  });

  test('a missing prediction exits 2 with one line and writes nothing', () => {
    const partial = join(tmp.dir, 'partial');
    writeNifti(join(partial, 'case_a.nii.gz'), readNifti(join(predDir, 'case_a.nii.gz')));
    const out = join(tmp.dir, 'partial.csv');
    const r = cli(['evaluate', '--pred', partial, '--gt', gtDir, '--out', out]);
    assert.equal(r.status, 2);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(
      lines[0],
      /^contraseg: error: .*partial: no prediction for 2 of 3 case\(s\): case_b, case_c/,
    );
    assert.ok(!existsSync(out) && !existsSync(join(tmp.dir, 'partial.json')));
  });

  test('shape mismatches, bad labels and PNG ground truth (in process)', async () => {
    const gt = openGroundTruth(gtDir);
    const wrong = join(tmp.dir, 'wrong-shape');
    for (const id of CASES) {
      const v = readNifti(join(predDir, `${id}.nii.gz`));
      const shape: [number, number, number] = id === 'case_b' ? [5, 24, 19] : v.shape;
      const data = id === 'case_b' ? new Uint8Array(5 * 24 * 19) : (v.data as Uint8Array);
      writeNifti(join(wrong, `${id}.nii.gz`), { ...v, shape, data });
    }
    await assert.rejects(
      evaluatePredictionFolder(wrong, gt),
      /wrong-shape\/case_b\.nii\.gz: case case_b: prediction shape 5x24x19 differs from ground truth 5x24x20/,
    );
    await assert.rejects(
      evaluatePredictionFolder(predDir, gt, { classes: 2 }),
      /gt\/case_a\.nii\.gz: case case_a: gt has label 2 .* labels must be integers in \[0, 2\)/,
    );

    // PROMISE12-style GT folder: Case<NN>_0_<SS>.png slices, 0/255.
    const pngGt = join(tmp.dir, 'png-gt');
    const pngPred = join(tmp.dir, 'png-pred');
    mkdirSync(pngGt);
    const plane = 12 * 10;
    const gtData = new Uint8Array(2 * plane);
    for (let i = 30; i < 70; i++) gtData[i] = 1;
    for (let i = plane + 40; i < plane + 90; i++) gtData[i] = 1;
    for (let s = 0; s < 2; s++) {
      writeGrayPng(
        join(pngGt, `Case04_0_0${s}.png`),
        10,
        gtData.subarray(s * plane, (s + 1) * plane).map((v) => v * 255),
      );
    }
    const predData = gtData.map((v, i) => (i % 7 === 0 ? 1 - v : v));
    writeNifti(join(pngPred, 'Case04.nii.gz'), volume(predData, null, [2, 12, 10]));
    const e = await evaluatePredictionFolder(pngPred, openGroundTruth(pngGt));
    assert.equal(e.numClasses, 2);
    const shape: [number, number, number] = [2, 12, 10];
    assert.deepEqual(
      e.rows[0].metrics,
      evaluateVolume({ shape, data: predData }, { shape, data: gtData }, 2, null),
    );
  });
});
