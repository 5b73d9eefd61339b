import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';
import type { StageSeeds } from './seed-streams.js';
import { fillTimeDefaults, type TrainerState } from './trainer-state.js';

/**
 * The layout of a run directory (`contraseg run --out <dir>`), the one module that knows its file
 * names: every other module asks here. Rank 0 of a data-parallel run alone writes it.
 *
 * ```
 * <run>/config.json          the resolved config the run started with (a resume must match it)
 *       metrics.jsonl        one record per line: losses, validation scores, events
 *       seeds.json           the seed of every random stream of every stage (seed-streams.ts)
 *       summary.json         the scores of every method, written when the run ends
 *       report.html          `contraseg report`'s page (its images beside it)
 *       <method>/            one folder per stage, named after the method (methods/index.ts)
 *         checkpoint.safetensors   resume checkpoint: weights, optimiser, trainer state, streams
 *         best.safetensors         best validation score of the stage
 *         latest-best.safetensors  best of the current pseudo-label round (joint.selection)
 *         done.json                the trainer state of the finished stage
 *         round<r>-pseudo-labels.bin(.json)  round r's pseudo-labels (and active slices, seconds)
 *       baseline/handoff.safetensors(.json)  the checkpoint the other methods start from when
 *                                             baseline.handoff is set (and its training seconds)
 *       baseline/round0-pseudo-labels.bin    round 0's pseudo-labels, shared by every method
 * ```
 *
 * The names are those of the first runs: changing one would leave existing run directories
 * unable to resume or be reported on.
 */
export const RUN_FILES = {
  config: 'config.json',
  metrics: 'metrics.jsonl',
  seeds: 'seeds.json',
  summary: 'summary.json',
  report: 'report.html',
} as const;

/** The files of a stage's folder. */
export const STAGE_FILES = {
  checkpoint: 'checkpoint.safetensors',
  best: 'best.safetensors',
  latestBest: 'latest-best.safetensors',
  done: 'done.json',
  handoff: 'handoff.safetensors',
  handoffInfo: 'handoff.json',
} as const;

/**
 * The stage every semi-supervised method starts from, and its folder: it holds the handoff and
 * round 0's pseudo-labels (src/method/methods/baseline.ts takes it as the method's name).
 */
export const BASELINE_STAGE = 'baseline';

/**
 * The checkpoints of a stage a method may select (method.md D.4, MethodSpec.selected): the best
 * validation score of the stage, or the best of the current pseudo-label round (config
 * `joint.selection`).
 */
export type SelectedCheckpoint = 'best' | 'latest-best';

/** The file of each checkpoint a method may select. */
export const SELECTED_FILES: Readonly<Record<SelectedCheckpoint, string>> = {
  best: STAGE_FILES.best,
  'latest-best': STAGE_FILES.latestBest,
};

/** Paths of the files at the top of run directory `dir`. */
export function runFiles(dir: string): { [K in keyof typeof RUN_FILES]: string } {
  return {
    config: join(dir, RUN_FILES.config),
    metrics: join(dir, RUN_FILES.metrics),
    seeds: join(dir, RUN_FILES.seeds),
    summary: join(dir, RUN_FILES.summary),
    report: join(dir, RUN_FILES.report),
  };
}

/** The folder of a stage (a method's name) in run directory `dir`. */
export const stageDir = (dir: string, method: string) => join(dir, method);

/** Paths of the files of the stage folder `stage` (as `stageDir` returns it). */
export function stageFiles(stage: string): { [K in keyof typeof STAGE_FILES]: string } {
  return {
    checkpoint: join(stage, STAGE_FILES.checkpoint),
    best: join(stage, STAGE_FILES.best),
    latestBest: join(stage, STAGE_FILES.latestBest),
    done: join(stage, STAGE_FILES.done),
    handoff: join(stage, STAGE_FILES.handoff),
    handoffInfo: join(stage, STAGE_FILES.handoffInfo),
  };
}

/** Paths of the files of method `method`'s stage folder in run directory `dir`. */
export const stageFilesIn = (dir: string, method: string) => stageFiles(stageDir(dir, method));

/** The file of a stage's selected checkpoint (method.md D.4; `MethodSpec.selected`). */
export function selectedCheckpoint(dir: string, method: string, which: SelectedCheckpoint): string {
  return join(stageDir(dir, method), SELECTED_FILES[which]);
}

/**
 * What of a run config decides where the semi-supervised methods start (RunConfig fits; this
 * module imports no config, so that the method files can import it).
 */
export interface HandoffConfig {
  baseline: { iterations: number; handoff?: number };
}

/** The baseline hands over a checkpoint before its end (config `baseline.handoff`). */
export const hasHandoff = (cfg: HandoffConfig) =>
  cfg.baseline.handoff !== undefined && cfg.baseline.handoff < cfg.baseline.iterations;

/**
 * The checkpoint a run's semi-supervised methods start from (and round 0's pseudo-labels come
 * from): the baseline's best, over all its iterations or, with `baseline.handoff`, over the first
 * `handoff` iterations.
 */
export function semiSupervisedStart(dir: string, cfg: HandoffConfig): string {
  const files = stageFilesIn(dir, BASELINE_STAGE);
  return hasHandoff(cfg) ? files.handoff : files.best;
}

/**
 * Where a run keeps round r's pseudo-labels of a stage. Round 0's come from the checkpoint every
 * semi-supervised method starts from, with the same seed, so the stages share one file in the
 * baseline's folder; later rounds' are the stage's own.
 */
export function pseudoLabelFile(dir: string, stage: string, round: number): string {
  const name = `round${round}-pseudo-labels.bin`;
  return join(stageDir(dir, round === 0 ? BASELINE_STAGE : stage), name);
}

/** Beside a pseudo-label file: its active slices, rejected cases and seconds. */
export const pseudoLabelInfoFile = (labels: string) => `${labels}.json`;

/** The trainer state of a finished stage (its done.json), or null while it has not finished. */
export function readDone(stage: string): TrainerState | null {
  const path = stageFiles(stage).done;
  return existsSync(path)
    ? fillTimeDefaults(JSON.parse(readFileSync(path, 'utf8')) as TrainerState)
    : null;
}

/** Marks a stage finished with its final trainer state. */
export function writeDone(stage: string, state: TrainerState): void {
  writeFileAtomic(stageFiles(stage).done, JSON.stringify(state));
}

/** seeds.json: the run's seed and, by stage, the seed of every stream it draws from. */
export interface SeedsFile {
  seed: number;
  stages: Record<string, StageSeeds>;
}

/** The run's seeds.json, or null when it has none (a run from before it existed). */
export function readSeeds(dir: string): SeedsFile | null {
  const path = runFiles(dir).seeds;
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as SeedsFile) : null;
}

/**
 * Records the seeds of a stage's streams in seeds.json (atomically, keeping the other stages'),
 * so that a run can be audited or reproduced stream by stream.
 */
export function writeStageSeeds(dir: string, seed: number, stage: string, seeds: StageSeeds): void {
  const file = readSeeds(dir) ?? { seed, stages: {} };
  file.stages[stage] = seeds;
  writeFileAtomic(runFiles(dir).seeds, formatSeeds(file));
}

/** seeds.json as JSON with one line per stream. */
function formatSeeds(f: SeedsFile): string {
  const line = (indent: string, k: string, v: unknown) =>
    `${indent}${JSON.stringify(k)}: ${JSON.stringify(v)}`;
  const stage = (s: StageSeeds) =>
    Object.entries(s)
      .map(([k, v]) => line('      ', k, v))
      .join(',\n');
  const stages = Object.entries(f.stages)
    .map(([k, v]) => `    ${JSON.stringify(k)}: {\n${stage(v)}\n    }`)
    .join(',\n');
  return `{\n  "seed": ${f.seed},\n  "stages": {\n${stages}\n  }\n}\n`;
}
