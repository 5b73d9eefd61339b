import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { EngineUnavailableError, InputError } from '../../errors.js';
import type { LabeledCase } from '../../data/dataset.js';
import type { Volume } from '../../io/volume.js';
import type { RunConfig } from '../../method/config.js';
import type { MethodResult, RunSummary } from '../../method/run.js';
import { METHODS, methodNames } from '../../method/methods/index.js';
import { runFiles, stageDir, stageFiles } from '../../method/run-dir.js';
import { writeFileAtomic } from '../../util/atomic.js';
import { evaluateVolume } from '../../metrics/evaluate.js';
import { CURVES_ID, type OverlayPanel, type ReportContent, reportHtml } from './html.js';
import { chooseSlice, overlayPng } from './overlay.js';
import { chromiumAvailable, CHROMIUM, screenshotElement } from './render.js';
import { diceCurves, lossCurves, readRunDir } from './run-data.js';

export interface ReportOptions {
  /** The HTML file (default `<runDir>/report.html`); PNGs go next to it as `<name>-*.png`. */
  out?: string;
  /** LibTorch threads for predicting the overlay volumes (default: the run's). */
  threads?: number;
  /** Skip predicting volumes for the overlays. */
  overlays?: boolean;
  /** Skip the Chromium screenshot of the curves. */
  curvesPng?: boolean;
  /** Progress messages. */
  onMessage?: (text: string) => void;
}

export interface ReportResult {
  html: string;
  /** Every PNG written. */
  pngs: string[];
  /** What could not be done (also shown in the HTML or on stderr). */
  notes: string[];
}

/**
 * Writes the report of a run directory: one self-contained HTML page (results table from
 * summary.json, training curves from metrics.jsonl drawn by the inlined chart.js, overlays of
 * the best, median and worst test volumes of the proposed method, or the last method present,
 * embedded as data URIs) plus the overlays as PNG files and, with headless Chromium, the curves
 * as `<name>-curves.png`. Missing pieces (no data set, no Chromium) become notes, not failures.
 */
export async function generateReport(runDir: string, o: ReportOptions = {}): Promise<ReportResult> {
  const run = readRunDir(runDir);
  const out = o.out ?? runFiles(runDir).report;
  const name = basename(out).replace(/\.html?$/i, '');
  const outDir = dirname(out);
  const say = o.onMessage ?? (() => {});
  const notes: string[] = [];
  if (run.configError) notes.push(`config: ${run.configError}`);

  let overlays: ReportContent['overlays'] = null;
  if (o.overlays !== false) {
    if (!run.config) {
      notes.push('overlays skipped: the run configuration could not be read');
    } else {
      try {
        overlays = await overlayPanels(run.dir, run.config, run.summary, name, o.threads, say);
        if (!overlays) notes.push('overlays skipped: no trained checkpoint in the run directory');
      } catch (err) {
        if (err instanceof EngineUnavailableError) {
          notes.push(`overlays skipped: predicting them needs LibTorch (${err.reason})`);
        } else if (err instanceof InputError) {
          notes.push(`overlays skipped: ${err.message}`);
        } else throw err;
      }
    }
  }

  const cfg = run.config;
  const facts: Array<[string, string]> = cfg
    ? [
        ['name', cfg.name],
        ['data', dataFact(cfg)],
        ['preprocessing', JSON.stringify(cfg.preprocess)],
        ['model filters', cfg.model.filters.join('/')],
        ['baseline', `${cfg.baseline.iterations} iterations, batch ${cfg.baseline.batchSize}`],
        [
          'joint training',
          `${cfg.joint.rounds} rounds x ${cfg.joint.iterationsPerRound} iterations, λ = ${cfg.joint.lambda}, ${cfg.joint.variant}`,
        ],
      ]
    : [];
  if (run.summary) facts.push(['run time', `${(run.summary.seconds / 60).toFixed(1)} min`]);
  const losses = lossCurves(run.records);
  const dice = diceCurves(run.records);
  if (run.records.length === 0) notes.push('metrics.jsonl is missing or empty: no training curves');

  const curvesFile = join(outDir, `${name}-curves.png`);
  const willRender = o.curvesPng !== false && chromiumAvailable();
  if (o.curvesPng !== false && !willRender) {
    notes.push(
      `curve PNGs need headless Chromium (${CHROMIUM}, Debian package chromium); the charts are in the HTML only`,
    );
  }
  const content: ReportContent = {
    title: `contraseg report: ${run.summary?.name ?? cfg?.name ?? basename(resolve(runDir))}`,
    runDir: resolve(runDir),
    generated: new Date()
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, ' UTC'),
    notes,
    facts,
    summary: run.summary,
    losses,
    dice,
    overlays,
  };
  let html = reportHtml(content);
  const pngs: string[] = [];
  for (const p of overlays?.panels ?? []) {
    const file = join(outDir, p.file);
    writeFileAtomic(file, p.png);
    pngs.push(file);
  }
  if (willRender) {
    say('rendering the curves in headless Chromium');
    try {
      const png = await screenshotElement(html, `#${CURVES_ID}`);
      writeFileAtomic(curvesFile, png);
      pngs.push(curvesFile);
    } catch (err) {
      notes.push(`curve PNGs not written: Chromium failed (${firstLine(err)})`);
      html = reportHtml(content);
    }
  }
  writeFileAtomic(out, html);
  return { html: out, pngs, notes };
}

function firstLine(err: unknown): string {
  return String((err as Error).message ?? err).split('\n')[0];
}

function dataFact(cfg: RunConfig): string {
  const d = cfg.data;
  switch (d.kind) {
    case 'phantom':
      return `phantom (seed ${d.seed}, ${d.labeledVolumes} labeled, ${d.unlabeledVolumes} unlabeled volumes)`;
    case 'acdc-h5':
      return `ACDC h5 ${d.root}, ${d.labeledPatients} labeled patient(s)`;
    case 'png-slices':
      return `PNG slices ${d.root}, ${d.labeledCases} labeled case(s)`;
    case 'nifti':
      return `NIfTI ${d.root}, ${d.labeledCount} labeled case(s)`;
  }
}

/**
 * The method whose segmentations are shown: the registry's showcase (proposed) if present, else
 * the last one.
 */
export function overlayMethod(
  summary: RunSummary | null,
  dir: string,
): { method: string; checkpoint: string } | null {
  const candidates: Array<{ method: string; checkpoint: string | null }> = summary
    ? summary.results.map((r: MethodResult) => ({ method: r.method, checkpoint: r.checkpoint }))
    : methodNames.map((m) => ({ method: m, checkpoint: null }));
  const showcase = (m: string) => METHODS.some((s) => s.name === m && s.showcase);
  const order = [
    ...candidates.filter((c) => showcase(c.method)),
    ...candidates.filter((c) => !showcase(c.method)).reverse(),
  ];
  for (const c of order) {
    const options = [
      c.checkpoint,
      c.checkpoint ? join(stageDir(dir, c.method), basename(c.checkpoint)) : null,
      stageFiles(stageDir(dir, c.method)).best,
    ];
    const found = options.find((p): p is string => p !== null && existsSync(p));
    if (found) return { method: c.method, checkpoint: found };
  }
  return null;
}

/** Mean over foreground classes of Dice. */
function meanDice(pred: Volume, gt: Volume, classes: number): number {
  const m = evaluateVolume(pred, gt, classes, null, { distances: false });
  return m.classes.reduce((s, c) => s + c.dice, 0) / m.classes.length;
}

async function overlayPanels(
  dir: string,
  cfg: RunConfig,
  summary: RunSummary | null,
  name: string,
  threads: number | undefined,
  say: (text: string) => void,
): Promise<ReportContent['overlays']> {
  const chosen = overlayMethod(summary, dir);
  if (!chosen) return null;
  // The overlays need LibTorch; the rest of the report does not (imported on demand).
  const torch = await import('../../torch/index.js');
  const { loadModel } = await import('../../method/model-file.js');
  const { openDataset } = await import('../../method/setup.js');
  const { predictVolume } = await import('../predict-volume.js');
  const data = resolveDataRoot(cfg, dir);
  say('loading the data set');
  const dataset = await openDataset(data);
  let split = 'test';
  let cases: LabeledCase[] = await dataset.test();
  if (cases.length === 0) {
    split = 'validation';
    cases = await dataset.validation();
  }
  if (cases.length === 0)
    throw new InputError('the data set has no test or validation volumes', 'data');
  torch.setNumThreads(threads ?? cfg.threads);
  const model = loadModel(chosen.checkpoint, cfg.device);
  const classes = model.net.config.numClasses;
  const scored: Array<{ c: LabeledCase; pred: Volume; dice: number }> = [];
  try {
    for (const [k, c] of cases.entries()) {
      say(`predicting ${split} volume ${k + 1}/${cases.length}: ${c.id}`);
      const pred = predictVolume(model, c.image, { source: c.id });
      scored.push({ c, pred, dice: meanDice(pred, c.label, classes) });
    }
  } finally {
    model.net.dispose();
  }
  const byDice = [...scored].sort((a, b) => b.dice - a.dice);
  const picks: Array<[string, (typeof scored)[number]]> = [
    ['best', byDice[0]],
    ['median', byDice[Math.floor((byDice.length - 1) / 2)]],
    ['worst', byDice[byDice.length - 1]],
  ];
  const panels: OverlayPanel[] = [];
  for (const [role, s] of picks) {
    const existing = panels.find((p) => p.id === s.c.id);
    if (existing) {
      existing.roles.push(role);
      continue;
    }
    const slice = chooseSlice(s.c.label, s.pred);
    panels.push({
      roles: [role],
      id: s.c.id,
      slice,
      depth: s.c.image.shape[0],
      dice: s.dice,
      png: overlayPng(s.c.image, s.c.label, s.pred, slice),
      file: `${name}-${role}.png`,
    });
  }
  return { method: chosen.method, split, panels };
}

/**
 * The config with its data root found: as written (relative to the working directory), else
 * relative to the run directory and its parent. Missing roots throw InputError.
 */
function resolveDataRoot(cfg: RunConfig, dir: string): RunConfig {
  if (!('root' in cfg.data)) return cfg;
  const root = cfg.data.root;
  for (const candidate of [root, join(dir, root), join(dir, '..', root)]) {
    if (existsSync(candidate))
      return { ...cfg, data: { ...cfg.data, root: candidate } } as RunConfig;
  }
  throw new InputError(`data set folder ${root} not found`, 'data.root');
}
