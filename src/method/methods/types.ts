import type { Tensor } from '../../torch/index.js';
import type { UNet } from '../../nn/index.js';
import type { Rng } from '../../util/rng.js';
import type { RunConfig } from '../config.js';
import type { SlicePool } from '../pools.js';
import type { SegLossFn } from '../setup.js';
import type { JointPools } from '../train/joint.js';
import type { StageContext, StepResult } from '../train/loop.js';
import type { SelectedCheckpoint } from '../run-dir.js';
import type { StageStreamKeys } from '../seed-streams.js';
import type { LrSchedule } from '../schedule-fields.js';

export type { SelectedCheckpoint } from '../run-dir.js';

/**
 * A training method of the pipeline (method.md A): one file in src/method/methods/ declares it,
 * src/method/methods/index.ts lists it, and the pipeline (run.ts), the CLI, the report and
 * diagnose read it from there (the config takes its names and sections from ../method-config.ts).
 * This module and the method files import nothing at run time but ../seed-streams.ts (arithmetic on
 * seeds), ../run-dir.ts (file names) and ../method-config.ts: the report and the CLI load them
 * without LibTorch; a method's training code is imported on demand by `trainer()`.
 */
export interface MethodSpec {
  /** Name in configs, on the command line, in metrics.jsonl and as the stage's folder. */
  name: string;
  /** One line for the command line's help. */
  description: string;
  /** The method whose segmentations the report shows when it is in the run (the paper's). */
  showcase?: boolean;
  /**
   * Keys of the stage's own random streams (`deriveSeed(cfg.seed, ...key)`, first keys from
   * SEED_STREAMS in ../seed-streams.ts): LibTorch's generator from initialisation on, the stage's
   * host-side Rng, and the bnUpdate batches (src/method/bn-update.ts). A new method takes
   * `semiSupervisedStreams(n)` with an unused n. The pipeline writes their seeds to seeds.json.
   */
  seeds: StageStreamKeys;
  /**
   * Iterations of the whole stage, how often it validates and checkpoints, its learning-rate
   * schedule (config `lrSchedule` of its section; absent: the optimiser's default) and its model
   * average (`modelEmaDecay`).
   */
  schedule(cfg: RunConfig): StageSchedule;
  /**
   * How the stage starts: 'scratch' (fresh initialisation; its untrained validation score is
   * logged) or 'baseline', from the checkpoint the baseline hands over (`semiSupervisedStart`),
   * with every weight and the optimiser moments ('full') or encoder and decoder only
   * ('backbone', method.md A.2).
   */
  start: { from: 'scratch' } | { from: 'baseline'; init: (cfg: RunConfig) => 'full' | 'backbone' };
  /**
   * Rounds of pseudo-labels (method.md A.2, A.3; config `joint.rounds`, `joint.selection`): each
   * round re-estimates them from the selected checkpoint; round 0's come from the start
   * checkpoint. Absent: the method trains without pseudo-label files.
   */
  pseudoLabels?: {
    iterationsPerRound(cfg: RunConfig): number;
    /** Unlabeled slices one round draws at most (only those get pseudo-labels). */
    draws(cfg: RunConfig): number;
  };
  /** The stage's checkpoint that is its result (method.md D.4). */
  selected(cfg: RunConfig): SelectedCheckpoint;
  /** The stage cannot train without unlabeled slices. */
  needsUnlabeled?: boolean;
  /** The training code, imported on demand (it needs LibTorch). */
  trainer(): Promise<MethodTrainer>;
}

/** What a method's step reads besides the stage. */
export interface StageData {
  labeled: SlicePool;
  unlabeled: SlicePool;
  /** The current round's pools, for a method with pseudo-label rounds; else null. */
  round: JointPools | null;
}

export interface MethodTrainer {
  /**
   * Called once per stage after the network is initialised and before a checkpoint is resumed:
   * creates the method's own modules in `stage.aux` (saved in and restored from the resume
   * checkpoint).
   */
  prepare?(stage: StageContext): void;
  /** One training iteration (the stage's net, optimiser and Rng are in `stage`). */
  step(
    stage: StageContext,
    data: StageData,
    cfg: RunConfig,
    loss: SegLossFn,
    iteration: number,
  ): StepResult;
  /**
   * The tensors one iteration passes through the network in training mode, drawn with `rng`: the
   * batches of the batch-norm re-estimation (config bnUpdate, src/method/bn-update.ts).
   */
  bnInputs(data: StageData, cfg: RunConfig, net: UNet, rng: Rng): Tensor[];
}

/** What `MethodSpec.schedule` gives: a stage's length, check intervals and learning-rate schedule. */
export interface StageSchedule {
  iterations: number;
  valEvery: number;
  checkpointEvery: number;
  lrSchedule?: LrSchedule;
  /** Config `lr` of its section; absent: `optimizer.lr`. */
  lr?: number;
  /** Config `modelEmaDecay` of its section: the stage evaluates an average of its weights. */
  modelEmaDecay?: number;
}
