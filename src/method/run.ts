import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import * as torch from '../torch/index.js';
import { UNet, setSyncBatchNorm } from '../nn/index.js';
import { InputError } from '../errors.js';
import { Rng } from '../util/rng.js';
import { writeFileAtomic } from '../util/atomic.js';
import { processCpuSeconds } from '../util/cpu-time.js';
import type { SegmentationDataset } from '../data/dataset.js';
import type { Preprocessor } from '../data/preprocess.js';
import { summarizeVolumes, type EvaluationSummary } from '../metrics/aggregate.js';
import type { RunConfig } from './config.js';
import { baselineAdoption } from './adopt-baseline.js';
import {
  classPresence,
  evalVolumes,
  labeledPool,
  unlabeledPool,
  type EvalVolume,
  type SlicePool,
} from './pools.js';
import {
  makeOptimizer,
  makePreprocessor,
  modelMetadata,
  openDataset,
  requireDevice,
  segmentationLoss,
  unetConfig,
} from './setup.js';
import {
  loadCheckpoint,
  loadEvaluatedWeights,
  saveCheckpoint,
  type TrainerState,
} from './train/checkpoint.js';
import { copyOfNetwork, MODEL_EMA } from './train/model-ema.js';
import {
  initialState,
  runIterations,
  saveResumeCheckpoint,
  type StageContext,
} from './train/loop.js';
import { MetricsLog } from './train/metrics-log.js';
import { silentReporter, type Reporter } from './train/reporter.js';
import type { JointPools } from './train/joint.js';
import { estimatePseudoLabels, roundSlices } from './pseudo-labels.js';
import { scoreVolumes } from './validate.js';
import { bnUpdater } from './bn-update.js';
import {
  BASELINE,
  methodSpec,
  type MethodSpec,
  type StageData,
  type StageSchedule,
} from './methods/index.js';
import { SINGLE, type World } from './distributed/world.js';
import { restoreStreams } from './distributed/streams.js';
import { rankSeed, stageSeeds, type StageSeeds, type StreamSeed } from './seed-streams.js';
import { rankConfig } from './distributed/rank-config.js';
import { distributedSettings } from './distributed/settings.js';
import {
  hasHandoff,
  pseudoLabelFile,
  pseudoLabelInfoFile,
  readDone,
  runFiles,
  selectedCheckpoint,
  semiSupervisedStart,
  stageDir as stageFolder,
  stageFiles,
  writeDone,
  writeStageSeeds,
} from './run-dir.js';

/** The name of a registered method (src/method/methods/index.ts). */
export type Method = string;

export interface RunOptions {
  dir: string;
  /** Continue a run whose directory exists (after a kill at any point). */
  resume?: boolean;
  reporter?: Reporter;
  /** Train only these stages (the baseline is trained first whenever a later stage needs it). */
  methods?: Method[];
  /**
   * The ranks of a data-parallel run (src/method/distributed/): each trains on its share of every
   * batch, rank 0 alone writes the run directory. Default: one process.
   */
  world?: World;
  /** The device this process trains on when not the config's (a data-parallel rank's GPU). */
  device?: string;
  /**
   * Another run directory whose finished baseline this run starts from instead of training its
   * own (src/method/adopt-baseline.ts); the configs must agree on what the baseline reads.
   */
  baselineFrom?: string;
}

export interface MethodResult {
  method: Method;
  checkpoint: string;
  /** Mean foreground Dice of the selected checkpoint on the validation volumes, and per class. */
  validation: { dice: number; perClass: number[] };
  /** Dice, HD95 and ASSD on the validation volumes: selected checkpoint and last weights. */
  validationMetrics: { selected: EvaluationSummary; last: EvaluationSummary };
  test: EvaluationSummary | null;
  /** Seconds this method's own stage trained (validation and checkpoints included). */
  trainSeconds: number;
  /** Seconds of trainSeconds spent selecting checkpoints (validation, batch-norm re-estimation). */
  validationSeconds: number;
  /** Seconds spent estimating the pseudo-labels this method trained on (all rounds). */
  pseudoLabelSeconds: number;
  /** Baseline seconds before a semi-supervised method started from it (0 for the baseline). */
  startSeconds: number;
  /**
   * The same three parts in CPU seconds of the training process (all threads; rank 0's when
   * data-parallel), which other work on the machine does not inflate. 0 where a run written
   * before they were recorded resumed.
   */
  cpuSeconds: { train: number; pseudoLabels: number; start: number };
  skippedIterations: number;
}

export interface RunSummary {
  name: string;
  classNames: string[];
  results: MethodResult[];
  seconds: number;
}

/** Everything the stages share: data in network space, config, run directory, logs. */
interface RunContext {
  cfg: RunConfig;
  /** The config of this rank's training steps: batch sizes divided by the world size. */
  rankCfg: RunConfig;
  world: World;
  /** Where this process's networks live. */
  device: string;
  dir: string;
  dataset: SegmentationDataset;
  pre: Preprocessor;
  labeled: SlicePool;
  unlabeled: SlicePool;
  validation: EvalVolume[];
  metadata: Record<string, string>;
  metrics: MetricsLog;
  reporter: Reporter;
}

/**
 * The whole pipeline of method.md A: the supervised baseline, then each configured semi-supervised
 * method (pseudo-labels, rounds of joint training), then evaluation of every method's selected
 * checkpoint on the test volumes. Every stage checkpoints atomically; with `resume`, a killed run
 * continues from its last checkpoint and ends with the same weights as an uninterrupted one.
 */
export async function runPipeline(cfg: RunConfig, o: RunOptions): Promise<RunSummary> {
  const started = performance.now();
  requireDevice(o.device ?? cfg.device, 'device');
  const world = o.world ?? SINGLE;
  const rankCfg = rankConfig(cfg, world.size);
  // The run directory is checked before the data are read (a wrong --resume fails at once) and
  // written after (data that cannot be read leave no run behind that would need --resume).
  const adopt =
    world.isMain && o.baselineFrom ? baselineAdoption(cfg, o.dir, o.baselineFrom) : null;
  const fresh = world.main(() => checkRunDir(cfg, o.dir, o.resume ?? false));
  torch.setNumThreads(cfg.threads);
  const ctx = await loadRunContext(
    cfg,
    o.dir,
    o.reporter ?? silentReporter,
    world,
    rankCfg,
    o.device ?? cfg.device,
  );
  if (fresh && world.isMain) {
    mkdirSync(o.dir, { recursive: true });
    writeFileAtomic(runFiles(o.dir).config, `${JSON.stringify(cfg, null, 2)}\n`);
  }
  adopt?.(); // also on resume: a copy that a kill cut short runs again
  const methods = o.methods ?? [BASELINE.name, ...cfg.methods];
  const results: MethodResult[] = [];
  for (const m of methods) {
    const spec = methodSpec(m);
    results.push(await evaluateMethod(ctx, spec, await trainMethod(ctx, spec)));
  }
  const summary: RunSummary = {
    name: cfg.name,
    classNames: [...ctx.dataset.classNames],
    results,
    seconds: (performance.now() - started) / 1000,
  };
  if (world.isMain)
    writeFileAtomic(runFiles(o.dir).summary, `${JSON.stringify(summary, nanToNull, 2)}\n`);
  return summary;
}

function nanToNull(_k: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? null : v;
}

/**
 * Whether `dir` starts a new run (true) or holds this config's run to resume (false); an
 * InputError for a run there without `resume`, or one of another config.
 */
function checkRunDir(cfg: RunConfig, dir: string, resume: boolean): boolean {
  const cfgPath = runFiles(dir).config;
  if (!existsSync(cfgPath)) return true;
  if (!resume)
    throw new InputError('run directory already holds a run; pass --resume to continue it', dir);
  const saved = readFileSync(cfgPath, 'utf8');
  if (saved.trim() !== JSON.stringify(cfg, null, 2).trim()) {
    throw new InputError(
      'the config differs from the one this run started with (config.json)',
      dir,
    );
  }
  return false;
}

async function loadRunContext(
  cfg: RunConfig,
  dir: string,
  reporter: Reporter,
  world: World,
  rankCfg: RunConfig,
  device: string,
): Promise<RunContext> {
  reporter.message('loading data');
  const dataset = await openDataset(cfg);
  const pre = makePreprocessor(cfg);
  const classes = dataset.classNames.length;
  const labeled = labeledPool(await dataset.labeledTrain(), pre, classes);
  const unlabeled = unlabeledPool(await dataset.unlabeledTrain(), pre);
  const validation = evalVolumes(await dataset.validation(), pre, classes);
  if (labeled.count === 0) throw new InputError('no labeled training slices', cfg.data.kind);
  if (validation.length === 0) throw new InputError('no validation volumes', cfg.data.kind);
  reporter.message(
    `data: ${labeled.count} labeled slices, ${unlabeled.count} unlabeled slices, ${validation.length} validation volumes`,
  );
  return {
    cfg,
    rankCfg,
    world,
    device,
    dir,
    dataset,
    pre,
    labeled,
    unlabeled,
    validation,
    metadata: modelMetadata(cfg, dataset.classNames),
    metrics: new MetricsLog(world.isMain ? runFiles(dir).metrics : null),
    reporter,
  };
}

const stageDir = (ctx: RunContext, m: Method) => stageFolder(ctx.dir, m);

/** A freshly initialised UNet of the run's config, on the run's device. */
function newNet(ctx: RunContext): UNet {
  const net = new UNet(unetConfig(ctx.cfg, ctx.dataset.classNames.length));
  return ctx.device === 'cpu' ? net : net.to(ctx.device);
}

/**
 * The validation volumes that select checkpoints during training: all, or `validation.volumes` of
 * them drawn at random once per run (seeded; a fixed stride could alias with the list's order,
 * e.g. ACDC's val.list alternates end-diastole and end-systole), in list order.
 */
function selectionVolumes(ctx: RunContext, seed: number): EvalVolume[] {
  const n = ctx.cfg.validation.volumes ?? Infinity;
  const rng = new Rng(seed);
  return rng.sample(ctx.validation.length, n).map((i) => ctx.validation[i]);
}

/**
 * A stage's network (fresh, from the current torch seed), optimiser and loop context. The caller
 * seeds torch first so that initialisation is reproducible.
 */
function makeStage(
  ctx: RunContext,
  stage: Method,
  rng: Rng,
  seeds: StageSeeds,
  totalIterations: number,
  every: StageSchedule,
): StageContext {
  const net = newNet(ctx);
  const { optimizer, scheduler } = makeOptimizer(ctx.cfg, net, totalIterations, every);
  return {
    stage,
    dir: stageDir(ctx, stage),
    net,
    optimizer,
    scheduler,
    rng,
    validation: selectionVolumes(ctx, seeds.validationVolumes.seed),
    validationSpace: ctx.cfg.validation.space,
    updateBn: null,
    pre: ctx.pre,
    metrics: ctx.metrics,
    reporter: ctx.reporter,
    valEvery: every.valEvery,
    checkpointEvery: every.checkpointEvery,
    metadata: ctx.metadata,
    totalIterations,
    world: ctx.world,
  };
}

/** What distinguishes one training stage from another; runStage does the rest. */
interface StageSpec {
  method: Method;
  /** The seeds of the stage's streams (LibTorch from initialisation on, host-side Rng, ...). */
  seeds: StageSeeds;
  total: number;
  every: StageSchedule;
  /** Starting weights (and optimiser state), applied before any checkpoint is resumed. */
  init?: (stage: StageContext) => void;
  /** After `init`, before a checkpoint is resumed: the method's own modules (`stage.aux`). */
  prepare?: (stage: StageContext) => void;
  /** `round` of a fresh state (the joint stages start before round 0). */
  initialRound?: number;
  train: (stage: StageContext, state: TrainerState) => Promise<void>;
}

/**
 * Runs a stage once: a finished stage returns its saved state; otherwise the network is
 * initialised from the seeds, a checkpoint is resumed if there is one (metrics past it are
 * dropped), the stage trains, and its final state is written to done.json. The seeds of its
 * streams go to seeds.json first (src/method/run-dir.ts).
 * Data-parallel: rank 0 reads the run directory and hands weights, optimiser state and trainer
 * state to the other ranks (DistributedDataParallel's broadcast from rank 0); every rank draws
 * from its own streams (`rankSeed`), which the resume checkpoint holds for every rank.
 */
async function runStage(ctx: RunContext, s: StageSpec): Promise<TrainerState> {
  const dir = stageDir(ctx, s.method);
  const { world } = ctx;
  if (world.isMain) writeStageSeeds(ctx.dir, ctx.cfg.seed, s.method, s.seeds);
  const done = world.main(() => readDone(dir));
  if (done) return done;
  if (world.isMain) mkdirSync(dir, { recursive: true });
  torch.manualSeed(s.seeds.torch.seed);
  const rng = new Rng(rankSeed(s.seeds.rng.seed, world.rank));
  const stage = makeStage(ctx, s.method, rng, s.seeds, s.total, s.every);
  const checkpoint = stageFiles(dir).checkpoint;
  if (world.isMain) s.init?.(stage);
  s.prepare?.(stage);
  if (s.every.modelEmaDecay !== undefined) {
    // The average starts from the stage's starting weights; a resumed checkpoint restores it.
    const average = copyOfNetwork(stage.net);
    stage.modelEma = { net: average, decay: s.every.modelEmaDecay };
    stage.aux = { ...stage.aux, [MODEL_EMA]: average };
  }
  const resumed = world.main(() =>
    existsSync(checkpoint)
      ? loadCheckpoint(checkpoint, stage.net, stage.optimizer, stage.rng, stage.aux)
      : null,
  );
  world.syncFromMain(stage.net, stage.optimizer, stage.aux);
  if (world.rank > 0) torch.manualSeed(rankSeed(s.seeds.torch.seed, world.rank));
  if (resumed) restoreStreams(world, resumed.ranks, stage.rng, checkpoint);
  const sync = distributedSettings(ctx.cfg).syncBatchNorm;
  for (const m of [stage.net, ...Object.values(stage.aux ?? {})]) setSyncBatchNorm(m, sync);
  const state = resumed ?? { ...initialState(stage.rng), round: s.initialRound ?? 0 };
  ctx.metrics.truncate(s.method, state.iteration);
  ctx.reporter.stageStart(s.method, s.total, state.iteration);
  await s.train(stage, state);
  ctx.reporter.stageEnd();
  if (world.isMain) writeDone(dir, state);
  stage.optimizer.dispose();
  stage.net.dispose();
  for (const m of Object.values(stage.aux ?? {})) m.dispose();
  return state;
}

/**
 * Trains a registered method (src/method/methods/): from scratch, or from the baseline's handoff
 * (training the baseline first if needed) with all its weights or its backbone (method.md A.2),
 * with or without rounds of pseudo-labels, one `trainer().step` per iteration. The baseline also
 * logs its untrained score and writes the handoff checkpoint.
 */
async function trainMethod(ctx: RunContext, spec: MethodSpec): Promise<TrainerState> {
  const cfg = ctx.cfg;
  if (spec.needsUnlabeled && ctx.unlabeled.count === 0)
    throw new InputError(`${spec.name} needs unlabeled slices`, spec.name);
  const start = spec.start.from === 'baseline' ? await baselineStart(ctx) : null;
  const init = spec.start.from === 'baseline' ? spec.start.init(cfg) : null;
  const trainer = await spec.trainer();
  const bnTrainer = cfg.bnUpdate.source === 'labeled' ? await BASELINE.trainer() : trainer;
  const schedule = spec.schedule(cfg);
  const total = schedule.iterations;
  const rounds = spec.pseudoLabels;
  const seeds = stageSeeds(
    cfg.seed,
    { seeds: spec.seeds, rounds: rounds ? Math.ceil(total / rounds.iterationsPerRound(cfg)) : 0 },
    { bnUpdate: cfg.bnUpdate.enabled, worldSize: ctx.world.size },
  );
  return runStage(ctx, {
    method: spec.name,
    seeds,
    total,
    every: schedule,
    init:
      start === null
        ? undefined
        : (stage) => {
            if (init !== 'full') return loadBackbone(stage.net, start);
            const lr = stage.optimizer.lr;
            loadCheckpoint(start, stage.net, stage.optimizer, null);
            stage.optimizer.lr = lr; // the stage's rate, not the baseline's last
          },
    prepare: trainer.prepare,
    initialRound: rounds ? -1 : undefined,
    train: async (stage, state) => {
      const net = stage.net;
      if (spec.start.from === 'scratch') {
        ctx.reporter.message(
          `${spec.name}: UNet with ${net.numParameters().toLocaleString('en-US')} parameters`,
        );
        if (state.iteration === 0) {
          const v = scoreVolumes(net, ctx.validation, ctx.pre, { world: ctx.world });
          ctx.metrics.append({
            stage: spec.name,
            iter: -1,
            kind: 'val',
            dice: v.dice,
            perClass: v.perClass,
            untrained: true,
          });
        }
      }
      const loss = segmentationLoss(cfg);
      const data: StageData = { labeled: ctx.labeled, unlabeled: ctx.unlabeled, round: null };
      const bn = seeds.bnUpdate;
      const updateBn = () =>
        bn ? bnUpdater(cfg, bn.seed, (rng) => bnTrainer.bnInputs(data, cfg, net, rng)) : null;
      const step = (it: number) => trainer.step(stage, data, ctx.rankCfg, loss, it);
      if (rounds) {
        const perRound = rounds.iterationsPerRound(cfg);
        while (state.iteration < total) {
          const r = Math.floor(state.iteration / perRound);
          if (state.round < r) startRound(ctx, spec, stage, state, r);
          const begins = state.iteration === r * perRound;
          data.round = roundPools(ctx, stage, seeds, r, begins ? state.iteration : null);
          stage.updateBn = updateBn();
          await runIterations(stage, state, (r + 1) * perRound, step);
        }
        return;
      }
      stage.updateBn = updateBn();
      if (spec === BASELINE && hasHandoff(cfg)) {
        await runIterations(stage, state, cfg.baseline.handoff as number, step);
        const files = stageFiles(stage.dir);
        if (ctx.world.isMain && !existsSync(files.handoff)) {
          // handoff.json first: a handoff checkpoint always has its seconds beside it.
          writeFileAtomic(
            files.handoffInfo,
            JSON.stringify({ seconds: state.elapsedSeconds, cpuSeconds: state.cpuSeconds }),
          );
          copyFileSync(files.best, `${files.handoff}.tmp`);
          renameSync(`${files.handoff}.tmp`, files.handoff);
        }
      }
      await runIterations(stage, state, total, step);
    },
  });
}

/** Baseline training seconds (wall-clock and CPU) spent before the semi-supervised methods start. */
function baselineStartSeconds(ctx: RunContext): { seconds: number; cpuSeconds: number } {
  if (!hasHandoff(ctx.cfg)) {
    const done = readDone(stageDir(ctx, BASELINE.name));
    return { seconds: done?.elapsedSeconds ?? 0, cpuSeconds: done?.cpuSeconds ?? 0 };
  }
  const info = stageFiles(stageDir(ctx, BASELINE.name)).handoffInfo;
  const s = JSON.parse(readFileSync(info, 'utf8')) as { seconds: number; cpuSeconds?: number };
  return { seconds: s.seconds, cpuSeconds: s.cpuSeconds ?? 0 };
}

/** The semi-supervised methods' starting checkpoint, training the baseline first if needed. */
async function baselineStart(ctx: RunContext): Promise<string> {
  await trainMethod(ctx, BASELINE);
  return semiSupervisedStart(ctx.dir, ctx.cfg);
}

/** Copies encoder and decoder weights (not BN statistics, not the heads) from a checkpoint (A.2). */
function loadBackbone(net: UNet, path: string): void {
  const donor = new UNet(net.config);
  loadCheckpoint(path, donor, null, null);
  const src = new Map(donor.namedParameters());
  torch.noGrad(() => {
    for (const [name, p] of net.namedParameters()) {
      if (!UNet.isHeadParameter(name)) p.copy_(src.get(name) as torch.Tensor);
    }
  });
  donor.dispose();
}

/** A stage's selected checkpoint (method.md D.4): the file its method names. */
const selectedPath = (ctx: RunContext, spec: MethodSpec) =>
  selectedCheckpoint(ctx.dir, spec.name, spec.selected(ctx.cfg));

/** Begins round r > 0 from the selected checkpoint (weights and optimiser moments); checkpoints. */
function startRound(
  ctx: RunContext,
  spec: MethodSpec,
  stage: StageContext,
  state: TrainerState,
  r: number,
): void {
  if (r > 0) {
    const restored = ctx.world.main(() =>
      loadCheckpoint(selectedPath(ctx, spec), stage.net, stage.optimizer, null),
    );
    ctx.world.syncFromMain(stage.net, stage.optimizer);
    // The selected checkpoint holds the average; the new round averages from there.
    stage.modelEma?.net.loadStateDict(stage.net.stateDict());
    ctx.reporter.message(
      `${stage.stage} round ${r}: restarting from iteration ${restored.bestIteration}`,
    );
    if (ctx.cfg.joint.selection === 'latest-best') state.roundThreshold = state.lastValScore;
  }
  state.round = r;
  saveResumeCheckpoint(stage, state);
}

/**
 * The pools of round r, with pseudo-labels from the baseline's start checkpoint (round 0) or the network
 * as the round began (later rounds). They are saved once per round, so resuming reuses them.
 * `beginsAt`: the round's first iteration when the round begins now (its pseudo-label event is
 * logged then), else null.
 */
function roundPools(
  ctx: RunContext,
  stage: StageContext,
  seeds: StageSeeds,
  r: number,
  beginsAt: number | null,
): JointPools {
  const path = pseudoLabelFile(ctx.dir, stage.stage, r);
  const metaPath = pseudoLabelInfoFile(path);
  const unlabeled: SlicePool = { ...ctx.unlabeled, labels: null };
  let active: number[];
  let rejected: string[];
  const { world } = ctx;
  const meta = world.main(() =>
    existsSync(path) && existsSync(metaPath)
      ? (JSON.parse(readFileSync(metaPath, 'utf8')) as { active: number[]; rejected: string[] })
      : null,
  );
  if (meta) {
    unlabeled.labels = world.mainBytes(() => new Uint8Array(readFileSync(path)));
    active = meta.active;
    rejected = meta.rejected;
  } else {
    const slices = roundSlices(
      unlabeled.count,
      ctx.cfg,
      new Rng(roundSeed(seeds.pseudoLabelSlices, r)),
    );
    ctx.reporter.message(
      `${stage.stage} round ${r}: estimating pseudo-labels for ${slices.length} of ${unlabeled.count} slices`,
    );
    const started = performance.now();
    const startedCpu = processCpuSeconds();
    let source = stage.net;
    if (r === 0) {
      // Initialising the source network draws from LibTorch's generator; restoring it keeps the
      // stage's random stream the same whether or not the shared file already existed (resume).
      const generator = torch.getRngState();
      source = newNet(ctx);
      torch.setRngState(generator);
      generator.dispose();
      if (world.isMain) loadCheckpoint(semiSupervisedStart(ctx.dir, ctx.cfg), source, null, null);
      world.syncFromMain(source, null);
    }
    const p = estimatePseudoLabels(
      source,
      ctx.unlabeled,
      ctx.cfg,
      new Rng(roundSeed(seeds.pseudoLabelFilter, r)),
      slices,
      world,
    );
    if (source !== stage.net) source.dispose();
    unlabeled.labels = p.labels;
    active = p.active;
    rejected = p.rejectedCases;
    const seconds = (performance.now() - started) / 1000;
    const cpuSeconds = processCpuSeconds() - startedCpu;
    if (world.isMain) {
      writeFileAtomic(path, p.labels);
      writeFileAtomic(
        metaPath,
        JSON.stringify({ active, rejected: p.rejectedCases, seconds, cpuSeconds }),
      );
    }
  }
  // Logged when the round begins (not when the labels are computed) so that a resumed run,
  // which reuses the saved labels, writes the same metrics.jsonl as an uninterrupted one.
  if (beginsAt !== null) {
    ctx.metrics.append({
      stage: stage.stage,
      iter: beginsAt,
      kind: 'event',
      event: 'pseudo-labels',
      round: r,
      rejected: rejected.length,
    });
  }
  if (active.length === 0)
    throw new InputError('no unlabeled slices left for pseudo-labels', stage.stage);
  return {
    labeled: ctx.labeled,
    labeledPresence: classPresence(ctx.labeled),
    unlabeled,
    unlabeledPresence: classPresence(unlabeled),
    active,
  };
}

/** The seed of round r of one of a stage's per-round streams (as seeds.json records it). */
function roundSeed(stream: StreamSeed[] | undefined, r: number): number {
  const s = stream?.[r];
  if (!s) throw new Error(`no seed for pseudo-label round ${r}`);
  return s.seed;
}

/**
 * Scores a method's selected checkpoint on the validation volumes (Dice, HD95, ASSD) and the test
 * volumes, and its last weights (the final checkpoint) on the validation volumes.
 */
async function evaluateMethod(
  ctx: RunContext,
  spec: MethodSpec,
  state: TrainerState,
): Promise<MethodResult> {
  const m = spec.name;
  const dir = stageDir(ctx, m);
  const checkpoint = selectedPath(ctx, spec);
  const net = newNet(ctx);
  const { world } = ctx;
  const score = (volumes: EvalVolume[]) =>
    scoreVolumes(net, volumes, ctx.pre, { distances: true, world });
  // The weights the stage evaluated: its model average where it kept one (config modelEmaDecay).
  const load = (path: string) => {
    if (world.isMain) loadEvaluatedWeights(path, net, MODEL_EMA);
    world.syncFromMain(net, null);
  };
  load(stageFiles(dir).checkpoint);
  const last = summarizeVolumes(score(ctx.validation).volumes.map((v) => v.metrics));
  load(checkpoint);
  const val = score(ctx.validation);
  const testCases = await ctx.dataset.test();
  let test: EvaluationSummary | null = null;
  if (testCases.length > 0) {
    const vols = evalVolumes(testCases, ctx.pre, ctx.dataset.classNames.length);
    const scored = score(vols);
    test = summarizeVolumes(scored.volumes.map((v) => v.metrics));
  }
  net.dispose();
  const noTime = { seconds: 0, cpuSeconds: 0 };
  const pseudo = spec.pseudoLabels ? world.main(() => pseudoLabelSeconds(ctx, m)) : noTime;
  const start =
    spec.start.from === 'scratch' ? noTime : world.main(() => baselineStartSeconds(ctx));
  ctx.reporter.message(
    `${m}: validation Dice ${val.dice.toFixed(4)} (last ${last.overall.dice.mean.toFixed(4)})${test ? `, test Dice ${test.overall.dice.mean.toFixed(4)}` : ''}`,
  );
  return {
    method: m,
    checkpoint,
    validation: { dice: val.dice, perClass: val.perClass },
    validationMetrics: {
      selected: summarizeVolumes(val.volumes.map((v) => v.metrics)),
      last,
    },
    test,
    trainSeconds: state.elapsedSeconds,
    validationSeconds: state.validationSeconds,
    pseudoLabelSeconds: pseudo.seconds,
    startSeconds: start.seconds,
    cpuSeconds: {
      train: state.cpuSeconds,
      pseudoLabels: pseudo.cpuSeconds,
      start: start.cpuSeconds,
    },
    skippedIterations: state.skipped,
  };
}

/** Seconds (wall-clock and CPU) spent estimating the pseudo-labels of a method's rounds. */
function pseudoLabelSeconds(ctx: RunContext, m: Method): { seconds: number; cpuSeconds: number } {
  const total = { seconds: 0, cpuSeconds: 0 };
  for (let r = 0; r < ctx.cfg.joint.rounds; r++) {
    const meta = pseudoLabelInfoFile(pseudoLabelFile(ctx.dir, m, r));
    if (!existsSync(meta)) continue;
    const info = JSON.parse(readFileSync(meta, 'utf8')) as {
      seconds?: number;
      cpuSeconds?: number;
    };
    total.seconds += info.seconds ?? 0;
    total.cpuSeconds += info.cpuSeconds ?? 0;
  }
  return total;
}
