import { existsSync, readFileSync } from 'node:fs';
import { InputError } from '../../errors.js';
import { loadConfig, type RunConfig } from '../../method/config.js';
import { methodNames } from '../../method/methods/index.js';
import type { RunSummary } from '../../method/run.js';
import { runFiles } from '../../method/run-dir.js';
import { MetricsLog, type MetricsRecord } from '../../method/train/metrics-log.js';

/** What a run directory holds for the report; parts a run has not written yet are null. */
export interface RunData {
  dir: string;
  config: RunConfig | null;
  /** Why the config could not be read, when it could not. */
  configError: string | null;
  summary: RunSummary | null;
  records: MetricsRecord[];
}

/**
 * Reads config.json, metrics.jsonl and summary.json of a run directory (as written by
 * `contraseg run`). A folder with neither config.json nor metrics.jsonl throws InputError.
 */
export function readRunDir(dir: string): RunData {
  const files = runFiles(dir);
  const configPath = files.config;
  const metricsPath = files.metrics;
  if (!existsSync(configPath) && !existsSync(metricsPath)) {
    throw new InputError('not a run directory (no config.json or metrics.jsonl)', dir);
  }
  let config: RunConfig | null = null;
  let configError: string | null = null;
  if (existsSync(configPath)) {
    try {
      config = loadConfig(configPath);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      configError = err.message;
    }
  } else {
    configError = `${configPath} is missing`;
  }
  const summaryPath = files.summary;
  let summary: RunSummary | null = null;
  if (existsSync(summaryPath)) {
    try {
      summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as RunSummary;
    } catch (err) {
      throw new InputError(`not valid JSON: ${(err as Error).message}`, summaryPath);
    }
    if (!Array.isArray(summary?.results)) throw new InputError('has no results list', summaryPath);
  }
  return { dir, config, configError, summary, records: new MetricsLog(metricsPath).read() };
}

/** A line of a chart: [x, y] points. */
export interface Series {
  label: string;
  points: Array<[number, number]>;
}

/** The training losses of one stage. */
export interface StageLosses {
  stage: string;
  /** One series per loss component (`loss`, `seg`, `contrastive`, ...). */
  series: Series[];
  /** Training iterations logged, and how many of them were skipped (no loss). */
  iterations: number;
  skipped: number;
}

/** Stages in the order the pipeline runs them, then any others in order of appearance. */
const STAGE_ORDER = methodNames;

function stagesOf(records: readonly MetricsRecord[]): string[] {
  const seen = [...new Set(records.map((r) => r.stage))];
  const rank = (s: string) =>
    STAGE_ORDER.includes(s) ? STAGE_ORDER.indexOf(s) : STAGE_ORDER.length;
  return seen.sort((a, b) => rank(a) - rank(b));
}

/** Fields of a training record that are not losses. */
const NOT_LOSSES = new Set(['stage', 'iter', 'kind', 'lr', 'skipped', 'time']);

/**
 * Training losses per stage against iteration: every numeric field of the `train` records except
 * the learning rate. Long series are averaged over consecutive windows down to `maxPoints` points
 * (x is the window's mean iteration).
 */
export function lossCurves(records: readonly MetricsRecord[], maxPoints = 500): StageLosses[] {
  return stagesOf(records)
    .map((stage) => {
      const train = records.filter((r) => r.stage === stage && r.kind === 'train');
      const keys: string[] = [];
      for (const r of train) {
        for (const [k, v] of Object.entries(r)) {
          if (!NOT_LOSSES.has(k) && typeof v === 'number' && !keys.includes(k)) keys.push(k);
        }
      }
      const series = keys.map((k) => ({
        label: k,
        points: downsample(
          train
            .filter((r) => typeof r[k] === 'number' && Number.isFinite(r[k]))
            .map((r) => [r.iter, r[k] as number]),
          maxPoints,
        ),
      }));
      const skipped = train.filter((r) => r.skipped === true).length;
      return { stage, series, iterations: train.length, skipped };
    })
    .filter((s) => s.iterations > 0);
}

/** Mean foreground validation Dice per stage against iteration (the untrained score left out). */
export function diceCurves(records: readonly MetricsRecord[]): Series[] {
  return stagesOf(records)
    .map((stage) => ({
      label: stage,
      points: records
        .filter(
          (r) =>
            r.stage === stage &&
            r.kind === 'val' &&
            typeof r.dice === 'number' &&
            r.untrained !== true,
        )
        .map((r) => [r.iter, r.dice as number] as [number, number]),
    }))
    .filter((s) => s.points.length > 0);
}

/** Averages consecutive points in windows so that at most `maxPoints` remain. */
export function downsample(
  points: Array<[number, number]>,
  maxPoints: number,
): Array<[number, number]> {
  if (points.length <= maxPoints) return points;
  const window = points.length / maxPoints;
  const out: Array<[number, number]> = [];
  for (let k = 0; k < maxPoints; k++) {
    const from = Math.floor(k * window);
    const to = Math.floor((k + 1) * window);
    let sx = 0;
    let sy = 0;
    for (let i = from; i < to; i++) {
      sx += points[i][0];
      sy += points[i][1];
    }
    out.push([sx / (to - from), sy / (to - from)]);
  }
  return out;
}
