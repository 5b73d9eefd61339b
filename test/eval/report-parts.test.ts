import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { PNG } from 'pngjs';
import type { Volume } from '../../src/io/volume.js';
import type { MetricsRecord } from '../../src/method/train/metrics-log.js';
import { OVERLAY_COLOURS, chooseSlice, overlayPng } from '../../src/eval/report/overlay.js';
import { generateReport, overlayMethod } from '../../src/eval/report/report.js';
import { diceCurves, downsample, lossCurves } from '../../src/eval/report/run-data.js';
import { cli, tempFolder } from './model-fixture.js';
import { runFiles, stageFilesIn } from '../../src/method/run-dir.js';

const tmp = tempFolder('report-parts-');
after(tmp.cleanup);

const labels = (
  shape: [number, number, number],
  fill: (d: number, y: number, x: number) => number,
): Volume => {
  const data = new Uint8Array(shape[0] * shape[1] * shape[2]);
  for (let d = 0, i = 0; d < shape[0]; d++)
    for (let y = 0; y < shape[1]; y++)
      for (let x = 0; x < shape[2]; x++, i++) data[i] = fill(d, y, x);
  return { shape, data, spacing: null, affine: null, datatype: 'uint8' };
};

describe('report parts', () => {
  test('downsample averages windows and keeps short series', () => {
    const pts: Array<[number, number]> = Array.from({ length: 10 }, (_, i) => [i, 2 * i]);
    assert.equal(downsample(pts, 20), pts);
    assert.deepEqual(downsample(pts, 5), [
      [0.5, 1],
      [2.5, 5],
      [4.5, 9],
      [6.5, 13],
      [8.5, 17],
    ]);
  });

  test('loss and Dice curves per stage, in pipeline order, without lr or the untrained score', () => {
    const records: MetricsRecord[] = [
      {
        stage: 'proposed',
        iter: 0,
        kind: 'train',
        loss: 2,
        seg: 1,
        contrastive: 10,
        lr: 1e-3,
        skipped: false,
      },
      { stage: 'proposed', iter: 1, kind: 'train', lr: 1e-3, skipped: true },
      { stage: 'baseline', iter: -1, kind: 'val', dice: 0.01, perClass: [0], untrained: true },
      { stage: 'baseline', iter: 0, kind: 'train', loss: 0.9, lr: 1e-3, skipped: false },
      { stage: 'baseline', iter: 0, kind: 'val', dice: 0.2, perClass: [0.2] },
      { stage: 'proposed', iter: 1, kind: 'val', dice: 0.5, perClass: [0.5] },
      { stage: 'proposed', iter: 0, kind: 'event', event: 'pseudo-labels' },
    ];
    const losses = lossCurves(records);
    assert.deepEqual(
      losses.map((s) => [s.stage, s.series.map((l) => l.label), s.iterations, s.skipped]),
      [
        ['baseline', ['loss'], 1, 0],
        ['proposed', ['loss', 'seg', 'contrastive'], 2, 1],
      ],
    );
    assert.deepEqual(losses[1].series[2].points, [[0, 10]]);
    assert.deepEqual(diceCurves(records), [
      { label: 'baseline', points: [[0, 0.2]] },
      { label: 'proposed', points: [[1, 0.5]] },
    ]);
  });

  test('chooseSlice takes the middle slice with foreground', () => {
    const gt = labels([7, 4, 4], (d) => (d >= 2 && d <= 5 ? 1 : 0));
    assert.equal(chooseSlice(gt), 3);
    const empty = labels([7, 4, 4], () => 0);
    assert.equal(
      chooseSlice(
        empty,
        labels([7, 4, 4], (d) => (d === 6 ? 2 : 0)),
      ),
      6,
    );
    assert.equal(chooseSlice(empty), 3);
  });

  test('overlayPng: grayscale image, GT and prediction contours in their colours, enlarged', () => {
    const shape: [number, number, number] = [1, 32, 40];
    const image = { ...labels(shape, (_, y, x) => (x + y) % 50), datatype: 'float32' };
    const gt = labels(shape, (_, y, x) => (y > 8 && y < 20 && x > 8 && x < 20 ? 1 : 0));
    const pred = labels(shape, (_, y, x) => (y > 8 && y < 20 && x > 12 && x < 30 ? 2 : 0));
    const png = PNG.sync.read(overlayPng(image, gt, pred, 0));
    assert.deepEqual([png.width, png.height], [280, 224], 'enlarged 7x to at least 256 pixels');
    const seen = new Set<string>();
    for (let i = 0; i < png.data.length; i += 4)
      seen.add(`${png.data[i]},${png.data[i + 1]},${png.data[i + 2]}`);
    for (const c of Object.values(OVERLAY_COLOURS)) assert.ok(seen.has(c.join(',')), `colour ${c}`);
    assert.ok(seen.size > 20, 'grayscale levels');
  });

  test('a run whose data set is gone: curves and notes, no overlays, no failure', async () => {
    const dir = join(tmp.dir, 'run');
    mkdirSync(join(dir, 'baseline'), { recursive: true });
    writeFileSync(
      runFiles(dir).config,
      JSON.stringify({
        name: 'gone',
        data: { kind: 'acdc-h5', root: join(tmp.dir, 'no-such-data'), labeledPatients: 1 },
        preprocess: { mode: 'resize', size: [64, 64] },
      }),
    );
    writeFileSync(stageFilesIn(dir, 'baseline').best, '');
    writeFileSync(
      runFiles(dir).metrics,
      '{"stage":"baseline","iter":0,"kind":"train","loss":1,"lr":0.001,"skipped":false}\n' +
        '{"stage":"baseline","iter":0,"kind":"val","dice":0.1,"perClass":[0.1,0.1,0.1]}\n{"stage":"base',
    );
    assert.deepEqual(overlayMethod(null, dir), {
      method: 'baseline',
      checkpoint: stageFilesIn(dir, 'baseline').best,
    });
    const r = await generateReport(dir, { curvesPng: false });
    assert.equal(r.html, runFiles(dir).report);
    assert.deepEqual(r.pngs, []);
    assert.equal(r.notes.length, 1);
    assert.match(
      r.notes[0],
      /^overlays skipped: data\.root: data set folder .*no-such-data not found/,
    );
    const html = readFileSync(r.html, 'utf8');
    assert.match(html, /No summary\.json: the run has not finished/);
    assert.match(html, /overlays skipped: data\.root/);
    assert.match(html, /"label":"baseline","points":\[\[0,0\.1\]\]/);
    await assert.rejects(generateReport(join(tmp.dir, 'nothing')), /not a run directory/);

    // The command without Chromium: a note on stderr, the HTML all the same, exit 0.
    const out = join(tmp.dir, 'cli', 'r.html');
    const c = cli(['report', dir, '--out', out, '--no-overlays', '--quiet'], {
      CONTRASEG_CHROMIUM: join(tmp.dir, 'no-chromium'),
    });
    assert.equal(c.status, 0, c.stderr);
    assert.match(c.stderr, /^report: note: curve PNGs need headless Chromium \(.*no-chromium/m);
    assert.ok(!existsSync(join(tmp.dir, 'cli', 'r-curves.png')));
    assert.equal(c.stdout.split('\n')[0], `report: ${out}`);
    assert.match(readFileSync(out, 'utf8'), /<canvas id="chart-dice"/);
  });
});
