import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { PNG } from 'pngjs';
import { parseConfig } from '../../src/method/config.js';
import { runPipeline, type RunSummary } from '../../src/method/run.js';
import { generateReport, type ReportResult } from '../../src/eval/report/report.js';
import { OVERLAY_COLOURS } from '../../src/eval/report/overlay.js';
import { chromiumAvailable, CHROMIUM, withChromiumPage } from '../../src/eval/report/render.js';
import { tinyConfig } from '../method/tiny-config.js';
import { tempFolder } from './model-fixture.js';

const tmp = tempFolder('report-test-');
after(tmp.cleanup);
const runDir = join(tmp.dir, 'run');
const html = join(tmp.dir, 'out', 'tiny-report.html');
let summary: RunSummary;
let report: ReportResult;

const noChromium = chromiumAvailable()
  ? false
  : `${CHROMIUM} absent (Debian package chromium): rendering checks skipped`;

before(async () => {
  // The tiny pipeline with even fewer iterations: every stage, validation and test volumes.
  const cfg = parseConfig({
    ...tinyConfig,
    baseline: { iterations: 8, batchSize: 4, valEvery: 4, checkpointEvery: 4 },
    joint: {
      ...tinyConfig.joint,
      rounds: 1,
      iterationsPerRound: 4,
      valEvery: 2,
      checkpointEvery: 2,
    },
  });
  summary = await runPipeline(cfg, { dir: runDir });
  report = await generateReport(runDir, { out: html });
});

/** Distinct RGBA values of a decoded PNG. */
function colours(png: PNG): Set<number> {
  const out = new Set<number>();
  for (let i = 0; i < png.data.length; i += 4) out.add(png.data.readUInt32BE(i));
  return out;
}

const rgba = (rgb: readonly number[]) =>
  ((rgb[0] << 24) | (rgb[1] << 16) | (rgb[2] << 8) | 255) >>> 0;

/** What the test reads from the rendered page. */
interface PageFacts {
  canvases: Array<{
    id: string;
    painted: number;
    distinct: number;
    urlLength: number;
    points: number[];
  }>;
  images: Array<{ complete: boolean; width: number }>;
  methods: Array<string | null>;
}

/** Browser-side code (a string: the project compiles without DOM types). */
const PAGE_FACTS = `(() => {
  const canvases = [...document.querySelectorAll('canvas')].map((c) => {
    const { width, height } = c;
    const px = c.getContext('2d').getImageData(0, 0, width, height).data;
    let painted = 0;
    const distinct = new Set();
    for (let i = 0; i < px.length; i += 4) {
      if (px[i + 3] > 0) painted++;
      distinct.add(((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]) * 256 + px[i + 3]);
    }
    return {
      id: c.id,
      painted: painted / (width * height),
      distinct: distinct.size,
      urlLength: c.toDataURL('image/png').length,
      points: Chart.getChart(c).data.datasets.map((d) => d.data.length),
    };
  });
  const images = [...document.querySelectorAll('figure.overlay img')].map((img) => ({
    complete: img.complete,
    width: img.naturalWidth,
  }));
  const methods = [...document.querySelectorAll('#results tbody tr')].map((tr) => tr.getAttribute('data-method'));
  return { canvases, images, methods };
})()`;

describe('contraseg report', () => {
  test('writes one self-contained HTML page with the overlays as data URIs and PNG files', () => {
    assert.equal(report.html, html);
    const text = readFileSync(html, 'utf8');
    assert.doesNotMatch(
      text,
      /<script[^>]+src=|<link\b|<img[^>]+src="(?!data:)/,
      'nothing loaded from outside',
    );
    assert.match(text, /Chart\.js v4/, 'chart.js is inlined');
    const uris = [...text.matchAll(/<img src="data:image\/png;base64,([A-Za-z0-9+/=]+)"/g)].map(
      (m) => m[1],
    );
    assert.ok(uris.length >= 1 && uris.length <= 3, `${uris.length} overlays`);
    for (const b64 of uris) {
      const png = PNG.sync.read(Buffer.from(b64, 'base64'));
      const c = colours(png);
      assert.ok(c.size > 20, 'an image, not a flat colour');
      assert.ok(
        c.has(rgba(OVERLAY_COLOURS.groundTruth)) || c.has(rgba(OVERLAY_COLOURS.both)),
        'GT contour drawn',
      );
    }
    const files = report.pngs.filter((p) => !p.endsWith('-curves.png'));
    assert.equal(files.length, uris.length);
    for (const f of files) {
      assert.match(f, /tiny-report-(best|median|worst)\.png$/);
      assert.ok(colours(PNG.sync.read(readFileSync(f))).size > 20);
    }
    for (const method of summary.results.map((r) => r.method)) {
      assert.match(text, new RegExp(`<tr data-method="${method}">`));
    }
    assert.match(text, /Method <b>proposed<\/b> on the test volumes/);
  });

  test(
    'renders in headless Chromium: charts drawn, overlays decoded, every method in the table',
    { skip: noChromium },
    async () => {
      const curves = join(tmp.dir, 'out', 'tiny-report-curves.png');
      assert.ok(report.pngs.includes(curves) && existsSync(curves), report.notes.join('; '));
      assert.ok(colours(PNG.sync.read(readFileSync(curves))).size > 10, 'curves PNG is not blank');
      const page = await withChromiumPage(async (page) => {
        await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
        await page.waitForFunction('window.__reportReady === true', undefined, { timeout: 30_000 });
        return page.evaluate<PageFacts>(PAGE_FACTS);
      });
      const stages = new Set(summary.results.map((r) => r.method));
      assert.equal(
        page.canvases.length,
        1 + stages.size,
        'validation Dice and one loss chart per stage',
      );
      for (const c of page.canvases) {
        assert.ok(
          c.painted > 0.02 && c.distinct > 5 && c.urlLength > 5000,
          `${c.id} is drawn: ${JSON.stringify(c)}`,
        );
      }
      const dice = page.canvases.find((c) => c.id === 'chart-dice')!;
      assert.equal(dice.points.length, stages.size);
      assert.ok(dice.points.every((n) => n > 0));
      assert.ok(
        page.canvases.find((c) => c.id === 'chart-loss-0')!.points[0] > 0,
        'baseline losses plotted',
      );
      assert.ok(page.images.length >= 1 && page.images.every((i) => i.complete && i.width >= 256));
      assert.deepEqual(
        page.methods,
        summary.results.map((r) => r.method),
      );
    },
  );
});
