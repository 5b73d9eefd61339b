import { basename } from 'node:path';
import { InputError } from '../errors.js';
import { readListFile } from '../data/inputs.js';
import type { Volume } from '../io/volume.js';
import {
  summarizeVolumes,
  type EvaluationSummary,
  type MetricSummaries,
} from '../metrics/aggregate.js';
import { type CaseFiles, caseSource, isDirectory, readCase, scanCaseFolder } from './case-files.js';
import type { NamedVolumeMetrics } from './csv.js';
import { evaluateVolume, type VolumeMetrics } from '../metrics/evaluate.js';
import type { GroundTruth } from './ground-truth.js';
import { keepLargestComponent } from '../metrics/largest-component.js';

export interface EvaluateFolderOptions {
  /** List file of the case ids to evaluate (default: the ground truth's default cases). */
  list?: string;
  /** Number of classes C including background (default: the data set's, else max label + 1). */
  classes?: number;
  /**
   * Also score every prediction after the largest-component post-processing of all its
   * foreground classes, and choose the classes where it raises the mean Dice (nnU-Net's
   * determine-postprocessing; src/metrics/largest-component.ts).
   */
  chooseKeepLargest?: boolean;
  /** Called once the cases are known, before the first is read. */
  onStart?: (total: number) => void;
  /** Called after each case with the number of cases done and to do. */
  onCase?: (id: string, done: number, total: number) => void;
}

export interface FolderEvaluation {
  /** Per-volume metrics, in case order. */
  rows: NamedVolumeMetrics[];
  summary: EvaluationSummary;
  numClasses: number;
  /** Class names (from the data set, else 'class <c>'), background first. */
  classNames: string[];
  /** Prediction files that no evaluated case uses. */
  unused: string[];
  /**
   * With `chooseKeepLargest`: the scores after the largest-component post-processing of every
   * foreground class, and the classes where it raises the mean Dice (ascending; maybe none).
   */
  keepLargest?: { summary: EvaluationSummary; classes: number[] };
}

/** Labels scored when the class count is not known in advance (uint8 label maps). */
const MAX_CLASSES = 256;

/**
 * Scores the label maps in `predDir` (one file per case, named `<case>.nii.gz`, `.nii`, `.h5`
 * with dataset `label`, or PNG slices) against `gt`: Dice, HD95 and ASSD per foreground class with
 * `evaluateVolume`, in millimetres when the ground truth (or else the prediction) has a spacing,
 * in voxels otherwise. Every case evaluated must have a prediction and ground truth of the same
 * shape; anything missing or mismatched throws InputError naming the case and files.
 */
export async function evaluatePredictionFolder(
  predDir: string,
  gt: GroundTruth,
  o: EvaluateFolderOptions = {},
): Promise<FolderEvaluation> {
  if (!isDirectory(predDir)) throw new InputError('prediction folder does not exist', predDir);
  const preds = new Map(scanCaseFolder(predDir).map((c) => [c.id, c]));
  const ids = o.list ? readListFile(o.list) : gt.defaultCases();
  const missing = ids.filter((id) => !preds.has(id));
  if (missing.length > 0) {
    throw new InputError(
      `no prediction for ${missing.length} of ${ids.length} case(s): ${abbreviate(missing)} ` +
        `(expected <case>.nii.gz files)`,
      predDir,
    );
  }
  const noTruth = ids.filter((id) => gt.find(id) === null);
  if (noTruth.length > 0) {
    throw new InputError(
      `no ground truth for case(s) ${abbreviate(noTruth)} in ${gt.description}`,
      o.list,
    );
  }
  if (
    o.classes !== undefined &&
    !(Number.isInteger(o.classes) && o.classes >= 2 && o.classes <= MAX_CLASSES)
  ) {
    throw new InputError(`must be an integer in 2..${MAX_CLASSES}, got ${o.classes}`, '--classes');
  }
  const known = o.classes ?? gt.classNames?.length;
  o.onStart?.(ids.length);
  const rows: NamedVolumeMetrics[] = [];
  const largestRows: VolumeMetrics[] = [];
  let maxLabel = 1;
  for (const id of ids) {
    const predFiles = preds.get(id) as CaseFiles;
    const gtFiles = gt.find(id) as CaseFiles;
    const pred = await readCase(predFiles, 'label');
    const truth = await readCase(gtFiles, 'label');
    if (pred.shape.some((n, i) => n !== truth.shape[i])) {
      throw new InputError(
        `case ${id}: prediction shape ${pred.shape.join('x')} differs from ground truth ` +
          `${truth.shape.join('x')} (${caseSource(gtFiles)})`,
        caseSource(predFiles),
      );
    }
    const spacing = truth.spacing ?? pred.spacing;
    const score = (p: Volume): VolumeMetrics => {
      try {
        return evaluateVolume(p, truth, known ?? MAX_CLASSES, spacing, { distances: true });
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        const file = / pred has /.test(err.message) ? caseSource(predFiles) : caseSource(gtFiles);
        throw new InputError(`case ${id}: ${err.message.replace(/^evaluateVolume: /, '')}`, file);
      }
    };
    const predMax = highestLabel(pred);
    maxLabel = Math.max(maxLabel, predMax, highestLabel(truth));
    rows.push({ id, metrics: score(pred) });
    if (o.chooseKeepLargest) {
      const classes = Array.from({ length: predMax }, (_, i) => i + 1);
      const data = keepLargestComponent(pred.data, pred.shape, classes);
      largestRows.push(score({ ...pred, data }));
    }
    o.onCase?.(id, rows.length, ids.length);
  }
  const numClasses = known ?? maxLabel + 1;
  const trim = (m: VolumeMetrics) =>
    known === undefined ? { ...m, classes: m.classes.slice(0, numClasses - 1) } : m;
  for (const r of rows) r.metrics = trim(r.metrics);
  const summary = summarizeVolumes(rows.map((r) => r.metrics));
  const used = new Set(ids);
  return {
    rows,
    summary,
    ...(o.chooseKeepLargest
      ? { keepLargest: chooseKeepLargest(summary, largestRows.map(trim)) }
      : {}),
    numClasses,
    classNames: Array.from({ length: numClasses }, (_, c) => gt.classNames?.[c] ?? `class ${c}`),
    unused: [...preds.values()].filter((c) => !used.has(c.id)).map((c) => basename(c.paths[0])),
  };
}

/** The largest-component scores, and the classes whose mean Dice they raise. */
function chooseKeepLargest(
  plain: EvaluationSummary,
  largest: VolumeMetrics[],
): { summary: EvaluationSummary; classes: number[] } {
  const summary = summarizeVolumes(largest);
  const classes = summary.perClass
    .filter((c, k) => c.dice.mean > plain.perClass[k].dice.mean)
    .map((c) => c.label);
  return { summary, classes };
}

function highestLabel(v: Volume): number {
  let max = 0;
  for (let i = 0; i < v.data.length; i++) if (v.data[i] > max) max = v.data[i];
  return max;
}

function abbreviate(ids: string[]): string {
  return ids.length <= 5
    ? ids.join(', ')
    : `${ids.slice(0, 5).join(', ')}, ... (${ids.length - 5} more)`;
}

/** One metric's statistics in the JSON summary (null for NaN: no values). */
type JsonStats = {
  mean: number | null;
  std: number | null;
  median: number | null;
  n: number;
  nanCount: number;
};

/**
 * The JSON summary of an evaluation: unit ('mm' or 'voxel'), per class and overall mean, std
 * (population), median, number of values and NaN count of Dice, HD95 and ASSD; NaN becomes null.
 * With the largest-component scores, the same under `keepLargest` with the classes it helps.
 */
export function evaluationSummaryJson(
  e: FolderEvaluation,
  sources: { pred: string; gt: string; list?: string },
): Record<string, unknown> {
  const stats = (m: MetricSummaries): Record<'dice' | 'hd95' | 'assd', JsonStats> => {
    const one = (s: MetricSummaries['dice']): JsonStats => ({
      mean: finite(s.mean),
      std: finite(s.std),
      median: finite(s.median),
      n: s.n,
      nanCount: s.nanCount,
    });
    return { dice: one(m.dice), hd95: one(m.hd95), assd: one(m.assd) };
  };
  const perClass = (summary: EvaluationSummary) =>
    summary.perClass.map((c) => ({ label: c.label, name: e.classNames[c.label], ...stats(c) }));
  return {
    pred: sources.pred,
    gt: sources.gt,
    ...(sources.list ? { list: sources.list } : {}),
    volumes: e.summary.volumes,
    cases: e.rows.map((r) => r.id),
    unit: e.summary.unit === 'mm' ? 'mm' : 'voxel',
    numClasses: e.numClasses,
    classNames: e.classNames,
    perClass: perClass(e.summary),
    overall: stats(e.summary.overall),
    ...(e.keepLargest
      ? {
          keepLargest: {
            classes: e.keepLargest.classes,
            perClass: perClass(e.keepLargest.summary),
            overall: stats(e.keepLargest.summary.overall),
          },
        }
      : {}),
  };
}

function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
