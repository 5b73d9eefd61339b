import * as torch from '../../torch/index.js';
import {
  type Module,
  type Optimizer,
  type PolyLR,
  type UNet,
  withLocalBatchNorm,
} from '../../nn/index.js';
import type { Preprocessor } from '../../data/preprocess.js';
import { processCpuSeconds } from '../../util/cpu-time.js';
import type { Rng } from '../../util/rng.js';
import type { EvalVolume } from '../pools.js';
import { scoreVolumes, scoreVolumesNetworkSpace } from '../validate.js';
import { type TrainerState, saveCheckpoint } from './checkpoint.js';
import type { World } from '../distributed/world.js';
import { gatherStreams } from '../distributed/streams.js';
import type { MetricsLog } from './metrics-log.js';
import type { Reporter } from './reporter.js';
import { stageFiles } from '../run-dir.js';
import { updateModelEma } from './model-ema.js';

/** What one training iteration reports. A skipped iteration made no update (method.md I-8). */
export interface StepResult {
  losses: Record<string, number>;
  skipped: boolean;
}

/** Re-estimates a network's batch-norm statistics in place (src/method/bn-update.ts). */
export type BnUpdater = (net: UNet) => void;

/** Everything an iteration loop needs besides the step itself. */
export interface StageContext {
  stage: string;
  /** The stage's folder of the run directory (src/method/run-dir.ts). */
  dir: string;
  net: UNet;
  optimizer: Optimizer;
  scheduler: PolyLR | null;
  rng: Rng;
  validation: EvalVolume[];
  /** Where checkpoints are selected (config validation.space). */
  validationSpace: 'native' | 'network';
  /** Re-estimates the network's batch-norm statistics before each validation (config bnUpdate). */
  updateBn: BnUpdater | null;
  pre: Preprocessor;
  metrics: MetricsLog;
  reporter: Reporter;
  valEvery: number;
  checkpointEvery: number;
  /** Metadata stored in every checkpoint (model config, preprocessing, class names). */
  metadata: Record<string, string>;
  /** Iterations of the whole stage, for the learning-rate schedule and progress. */
  totalIterations: number;
  /**
   * Modules of the method besides the network (a Mean Teacher's teacher), saved in the resume
   * checkpoint (STAGE_FILES.checkpoint, not best or latest-best) and restored from it.
   */
  aux?: Record<string, Module>;
  /**
   * The exponential moving average of the weights that the stage evaluates instead of `net`
   * (config `modelEmaDecay`; src/method/train/model-ema.ts), also held in `aux` (MODEL_EMA).
   */
  modelEma?: { net: UNet; decay: number };
  /** The ranks training together (SINGLE for one process); rank 0 alone writes files. */
  world: World;
}

/**
 * The end of a training step (method.md I-8): backward and the optimiser step, unless the loss is
 * not finite. In data-parallel training the ranks skip together when any rank's loss is not
 * finite, and the gradients are averaged over the ranks before the step. Returns whether the
 * update was made.
 */
export function backwardAndStep(ctx: StageContext, loss: torch.Tensor, value: number): boolean {
  if (!ctx.world.all(Number.isFinite(value))) return false;
  loss.backward();
  ctx.world.averageGradients(ctx.net);
  ctx.optimizer.step();
  return true;
}

export function initialState(rng: Rng): TrainerState {
  return {
    iteration: 0,
    round: 0,
    bestScore: -Infinity,
    bestIteration: -1,
    roundThreshold: -Infinity,
    skipped: 0,
    rng: rng.getState(),
    elapsedSeconds: 0,
    cpuSeconds: 0,
    validationSeconds: 0,
    lastValScore: NaN,
  };
}

/**
 * Runs iterations state.iteration .. until−1. Validates every `valEvery` iterations (and at the
 * last), keeping the best checkpoint (improvement by more than 1e-7, method.md D.4), and writes an
 * atomic checkpoint every `checkpointEvery` iterations and at the end, so a killed run resumes
 * from the last one and replays the same iterations exactly.
 */
export async function runIterations(
  ctx: StageContext,
  state: TrainerState,
  until: number,
  step: (iteration: number) => StepResult,
): Promise<void> {
  const clock = stageClock();
  while (state.iteration < until) {
    const it = state.iteration;
    trainIteration(ctx, state, step, clock);
    const validated = it % ctx.valEvery === 0 || it === until - 1;
    if (validated) validate(ctx, state, it);
    state.iteration = it + 1;
    const checkpointed = state.iteration % ctx.checkpointEvery === 0 || state.iteration === until;
    if (checkpointed) saveResumeCheckpoint(ctx, state);
    await iterationEnd(validated || checkpointed || state.iteration % TRIM_EVERY === 0);
  }
}

/**
 * Writes the stage's resume checkpoint (rank 0; every rank hands over its random streams, so that
 * each resumes its own).
 */
export function saveResumeCheckpoint(ctx: StageContext, state: TrainerState): void {
  state.rng = ctx.rng.getState();
  const ranks = gatherStreams(ctx.world, ctx.rng);
  if (ranks) state.ranks = ranks;
  if (ctx.world.isMain)
    saveCheckpoint(
      stageFiles(ctx.dir).checkpoint,
      ctx.net,
      ctx.optimizer,
      state,
      ctx.metadata,
      ctx.aux,
    );
}

/**
 * Iterations between two malloc_trim calls at most. Trimming returns the freed working set of a
 * step to the system, so the next step pays for faulting it in again (about 15 % of a CPU
 * iteration when done every time); the training steps reuse the same allocations, so trimming
 * after validation and checkpoints (other shapes, big buffers) and every TRIM_EVERY iterations
 * keeps the resident size flat.
 */
export const TRIM_EVERY = 25;

/** Where the stage's time was last counted: wall-clock milliseconds and process CPU seconds. */
export interface StageClock {
  last: number;
  lastCpu: number;
}

export const stageClock = (): StageClock => ({
  last: performance.now(),
  lastCpu: processCpuSeconds(),
});

/**
 * The training part of one iteration of runIterations (everything but validation, the iteration
 * counter and checkpoints): the learning-rate schedule, the step, the skipped count, the model
 * average, the elapsed wall-clock and CPU time since `clock` and the metrics record. Exported for
 * `contraseg bench train`.
 */
export function trainIteration(
  ctx: StageContext,
  state: TrainerState,
  step: (iteration: number) => StepResult,
  clock: StageClock,
): StepResult {
  const it = state.iteration;
  ctx.scheduler?.step(it);
  const r = step(it);
  if (r.skipped) state.skipped++;
  else if (ctx.modelEma)
    updateModelEma(ctx.modelEma.net, ctx.net, ctx.modelEma.decay, it + 1 - state.skipped);
  const now = performance.now();
  const cpu = processCpuSeconds();
  state.elapsedSeconds += (now - clock.last) / 1000;
  state.cpuSeconds += cpu - clock.lastCpu;
  clock.last = now;
  clock.lastCpu = cpu;
  ctx.metrics.append({
    stage: ctx.stage,
    iter: it,
    kind: 'train',
    ...r.losses,
    lr: ctx.optimizer.lr,
    skipped: r.skipped,
  });
  ctx.reporter.iteration(it + 1, r.losses);
  return r;
}

/**
 * The end of every iteration of runIterations: yields to the event loop, after returning freed
 * memory to the system when `trim`.
 */
export async function iterationEnd(trim: boolean): Promise<void> {
  if (trim) torch.mallocTrim();
  await new Promise((res) => setImmediate(res)); // lets finalizers and signals run
}

function validate(ctx: StageContext, state: TrainerState, it: number): void {
  const started = performance.now();
  // What the stage evaluates, selects and saves as its best: the model average, if it keeps one.
  const net = ctx.modelEma?.net ?? ctx.net;
  // Every rank re-estimates from the same batches, each alone: the statistics of one process.
  if (ctx.updateBn) withLocalBatchNorm(net, () => ctx.updateBn?.(net));
  const score =
    ctx.validationSpace === 'network'
      ? scoreVolumesNetworkSpace(net, ctx.validation, ctx.pre, { world: ctx.world })
      : scoreVolumes(net, ctx.validation, ctx.pre, { world: ctx.world });
  state.validationSeconds += (performance.now() - started) / 1000;
  const improved = score.dice > state.bestScore + 1e-7;
  const roundImproved = score.dice > state.roundThreshold + 1e-7;
  ctx.metrics.append({
    stage: ctx.stage,
    iter: it,
    kind: 'val',
    dice: score.dice,
    perClass: score.perClass,
    best: improved,
    time: state.elapsedSeconds, // seconds into the stage, for curves against wall-clock
  });
  ctx.reporter.message(
    `${ctx.stage} iter ${it}: validation Dice ${score.dice.toFixed(4)}${improved ? ' (best)' : ''}`,
  );
  const snapshot = { ...state, iteration: it + 1, rng: ctx.rng.getState() };
  const main = ctx.world.isMain;
  if (improved) {
    state.bestScore = score.dice;
    state.bestIteration = it;
    if (main)
      saveCheckpoint(
        stageFiles(ctx.dir).best,
        net,
        ctx.optimizer,
        { ...snapshot, bestScore: score.dice, bestIteration: it },
        ctx.metadata,
      );
  }
  if (roundImproved) {
    state.roundThreshold = score.dice;
    if (main)
      saveCheckpoint(
        stageFiles(ctx.dir).latestBest,
        net,
        ctx.optimizer,
        { ...snapshot, roundThreshold: score.dice },
        ctx.metadata,
      );
  }
  state.lastValScore = score.dice;
}
