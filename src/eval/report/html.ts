import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { MethodResult, RunSummary } from '../../method/run.js';
import { OVERLAY_COLOURS, cssColour } from './overlay.js';
import type { Series, StageLosses } from './run-data.js';

/** One overlay image of the report. */
export interface OverlayPanel {
  /** 'best', 'median', 'worst' (several when one volume is more than one of them). */
  roles: string[];
  id: string;
  slice: number;
  depth: number;
  /** Mean foreground Dice of the volume. */
  dice: number;
  png: Buffer;
  /** File name of the PNG written next to the HTML. */
  file: string;
}

export interface ReportContent {
  title: string;
  runDir: string;
  generated: string;
  /** Lines shown at the top (what could not be done). */
  notes: string[];
  /** Key facts of the run configuration. */
  facts: Array<[string, string]>;
  summary: RunSummary | null;
  losses: StageLosses[];
  dice: Series[];
  overlays: { method: string; split: string; panels: OverlayPanel[] } | null;
}

/** Id of the element holding every chart (screenshotted as `<name>-curves.png`). */
export const CURVES_ID = 'curves';

let chartJsSource: string | null = null;

/** The chart.js UMD bundle from node_modules, to inline (the report must need no network). */
export function chartJsBundle(): string {
  if (chartJsSource === null) {
    const main = createRequire(import.meta.url).resolve('chart.js');
    chartJsSource = readFileSync(join(dirname(main), 'chart.umd.js'), 'utf8');
  }
  return chartJsSource;
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** JSON that is safe inside a <script> element. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');

const fmt = (x: number | null | undefined, digits: number) =>
  typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '–';

function duration(seconds: number | null | undefined): string {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return '–';
  if (seconds < 120) return `${seconds.toFixed(0)} s`;
  if (seconds < 7200) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(2)} h`;
}

function resultsTable(summary: RunSummary): string {
  const classes = summary.classNames.slice(1);
  const unit = summary.results.find((r) => r.test)?.test?.unit === 'mm' ? 'mm' : 'voxels';
  const head = [
    'Method',
    'Val Dice',
    ...classes.map((c) => `Val ${escapeHtml(c)}`),
    'Test volumes',
    'Test Dice (mean ± std)',
    ...classes.map((c) => `Test ${escapeHtml(c)}`),
    `Test HD95 (${unit})`,
    `Test ASSD (${unit})`,
    'Train time',
    'Skipped iterations',
  ];
  const row = (r: MethodResult) => {
    const t = r.test;
    const cells = [
      `<th scope="row">${escapeHtml(r.method)}</th>`,
      fmt(r.validation?.dice, 4),
      ...classes.map((_, c) => fmt(r.validation?.perClass?.[c], 4)),
      t ? String(t.volumes) : '–',
      t ? `${fmt(t.overall.dice.mean, 4)} ± ${fmt(t.overall.dice.std, 4)}` : '–',
      ...classes.map((_, c) => (t ? fmt(t.perClass[c]?.dice.mean, 4) : '–')),
      t ? `${fmt(t.overall.hd95.mean, 2)} ± ${fmt(t.overall.hd95.std, 2)}` : '–',
      t ? `${fmt(t.overall.assd.mean, 2)} ± ${fmt(t.overall.assd.std, 2)}` : '–',
      duration(r.trainSeconds),
      String(r.skippedIterations ?? '–'),
    ];
    return `<tr data-method="${escapeHtml(r.method)}">${cells.map((c, i) => (i === 0 ? c : `<td>${c}</td>`)).join('')}</tr>`;
  };
  return [
    '<table id="results">',
    `<thead><tr>${head.map((h) => `<th scope="col">${h}</th>`).join('')}</tr></thead>`,
    `<tbody>${summary.results.map(row).join('\n')}</tbody>`,
    '</table>',
  ].join('\n');
}

function overlaySection(o: NonNullable<ReportContent['overlays']>): string {
  const swatch = (rgb: readonly number[], text: string) =>
    `<span class="swatch" style="background:${cssColour(rgb)}"></span>${text}`;
  const legend = [
    swatch(OVERLAY_COLOURS.groundTruth, 'ground truth contour'),
    swatch(OVERLAY_COLOURS.prediction, 'prediction contour'),
    swatch(OVERLAY_COLOURS.both, 'both'),
  ].join(' ');
  const figures = o.panels.map(
    (p) => `<figure class="overlay" data-roles="${escapeHtml(p.roles.join(' '))}">
<img src="data:image/png;base64,${p.png.toString('base64')}" alt="${escapeHtml(`${p.roles.join('/')}: ${p.id}`)}">
<figcaption><b>${escapeHtml(p.roles.join(', '))}</b>: ${escapeHtml(p.id)}, slice ${p.slice + 1} of ${p.depth}, Dice ${fmt(p.dice, 4)}<br><span class="file">${escapeHtml(p.file)}</span></figcaption>
</figure>`,
  );
  return `<p>Method <b>${escapeHtml(o.method)}</b> on the ${escapeHtml(o.split)} volumes: the best, median and worst volume by mean foreground Dice, the middle slice with ground-truth foreground.</p>
<p class="legend">${legend}</p>
<div class="overlays">${figures.join('\n')}</div>`;
}

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #222; max-width: 1200px; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 28px; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: right; white-space: nowrap; }
th[scope=row], thead th { text-align: left; background: #f4f4f4; }
.facts td, .facts th { text-align: left; }
.notes { background: #fff6d6; border: 1px solid #e8d58a; padding: 8px 12px; }
#${CURVES_ID} { background: #fff; padding: 8px; display: inline-block; }
.chart { margin: 8px 0 16px; }
.chart h3 { font-size: 15px; margin: 4px 0; }
.chart p { margin: 2px 0; color: #666; }
.overlays { display: flex; flex-wrap: wrap; gap: 16px; }
figure.overlay { margin: 0; }
figure.overlay img { display: block; image-rendering: pixelated; border: 1px solid #ccc; }
.swatch { display: inline-block; width: 14px; height: 14px; margin: 0 4px 0 12px; vertical-align: middle; border: 1px solid #888; }
.file { color: #888; font-size: 12px; }
`;

/** The chart code: draws every chart from DATA, then sets window.__reportReady. */
const CHART_SCRIPT = `
const palette = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];
function lineChart(id, series, yLabel, showPoints, yRange) {
  const datasets = series.map((s, i) => ({
    label: s.label,
    data: s.points.map((p) => ({ x: p[0], y: p[1] })),
    borderColor: palette[i % palette.length],
    backgroundColor: palette[i % palette.length],
    borderWidth: 1.5,
    pointRadius: showPoints ? 2.5 : 0,
    tension: 0,
  }));
  new Chart(document.getElementById(id), {
    type: 'line',
    data: { datasets },
    options: {
      animation: false,
      responsive: false,
      devicePixelRatio: 1,
      scales: {
        x: { type: 'linear', title: { display: true, text: 'iteration' } },
        y: Object.assign({ title: { display: true, text: yLabel } }, yRange || {}),
      },
      plugins: { legend: { position: 'bottom' } },
    },
  });
}
lineChart('chart-dice', DATA.dice, 'mean foreground Dice', true, { suggestedMin: 0, suggestedMax: 1 });
DATA.losses.forEach((s, i) => {
  const empty = s.series.every((l) => l.points.length === 0);
  lineChart('chart-loss-' + i, s.series, 'loss', false, empty ? { min: 0, max: 1 } : { suggestedMin: 0 });
});
window.__reportReady = true;
`;

/** The whole report as one self-contained HTML page (charts drawn by the inlined chart.js). */
export function reportHtml(c: ReportContent): string {
  const notes = c.notes.length
    ? `<div class="notes">${c.notes.map((n) => `<p>${escapeHtml(n)}</p>`).join('')}</div>`
    : '';
  const facts = c.facts.length
    ? `<table class="facts">${c.facts.map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>`
    : '';
  const lossCharts = c.losses.map((s, i) => {
    const note =
      s.skipped > 0
        ? `<p>${s.skipped} of ${s.iterations} iterations skipped (no loss logged).</p>`
        : '';
    return `<div class="chart"><h3>Training losses: ${escapeHtml(s.stage)}</h3>${note}<canvas id="chart-loss-${i}" width="900" height="280"></canvas></div>`;
  });
  const data = {
    dice: c.dice,
    losses: c.losses.map((s) => ({ stage: s.stage, series: s.series })),
  };
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(c.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(c.title)}</h1>
<p>Run directory <code>${escapeHtml(c.runDir)}</code>, report generated ${escapeHtml(c.generated)}.</p>
${notes}
${facts}
<h2>Results</h2>
${c.summary ? resultsTable(c.summary) : '<p>No summary.json: the run has not finished.</p>'}
<h2>Training curves</h2>
<div id="${CURVES_ID}">
<div class="chart"><h3>Validation Dice</h3><canvas id="chart-dice" width="900" height="300"></canvas></div>
${lossCharts.join('\n')}
</div>
<h2>Segmentations</h2>
${c.overlays ? overlaySection(c.overlays) : '<p>No overlays (see the notes above).</p>'}
<script>${chartJsBundle().replace(/<\/script/gi, '<\\/script')}</script>
<script>const DATA = ${scriptJson(data)};${CHART_SCRIPT}</script>
</body>
</html>
`;
}
